#include "core/generate/music_recipe.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/generate/generator.hpp"

namespace harmonia::generate {

tokenizer::TokenizerConfig arrangement_tokenizer_config() {
  tokenizer::TokenizerConfig c;
  c.use_programs = true;
  c.one_token_stream_for_programs = true;
  c.use_tempos = true;
  c.use_time_signatures = true;
  return c;
}

data::TidyOptions training_tidy_options() {
  data::TidyOptions o;
  o.enabled = true;
  o.max_empty_bars = 2;
  return o;
}

GenerationSettings piece_settings(int64_t bars, uint64_t seed, double max_music_seconds) {
  GenerationSettings s;
  s.max_bars = std::max<int64_t>(1, bars);
  s.min_bars = std::max<int64_t>(1, bars * 2 / 3);
  s.max_music_seconds = max_music_seconds;
  s.max_empty_bars = 1;
  s.max_empty_beats = 0;  // no whole beat of silence: the corpora have almost none
  s.max_onset_notes = 12;  // and time moves on: no onset of more than 12 notes
  s.keep_time_signature = true;  // one metre per piece, as nearly every corpus piece
  // Dense arrangements take ~5 tokens per note; this only caps a model that never ends a bar.
  s.max_new_tokens = 400 * s.max_bars + 256;
  s.seed = seed;
  s.sampling.temperature = 1.0f;
  s.sampling.top_k = 0;
  s.sampling.top_p = 0.95f;
  // On the pitch choice only: top-p over every token cut the long notes and made the starter
  // model's pieces 1.6x denser than POP909's (typed_top_p.hpp).
  s.sampling.top_p_on = TopPScope::Pitch;
  s.sampling.repetition_penalty = 1.0f;
  return s;
}

int program_limit(const MusicDefaults& learned) {
  return learned.programs_per_piece > 0 ? learned.programs_per_piece + 2 : 0;
}

GenerationSettings piece_settings(int64_t bars, uint64_t seed, const MusicDefaults& learned, double max_music_seconds) {
  GenerationSettings s = piece_settings(bars, seed, max_music_seconds);
  s.max_programs = program_limit(learned);
  return s;
}

GenerationSettings musicality_generation_settings(int64_t bars, uint64_t seed) {
  if (bars < 1) throw std::invalid_argument("musicality: asked for " + std::to_string(bars) + " bars; need at least 1");
  return piece_settings(bars, seed);  // what `harmonia demo` samples with
}

}  // namespace harmonia::generate
