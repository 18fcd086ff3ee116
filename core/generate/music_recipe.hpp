// The defaults that turn a MIDI corpus into a model that writes music rather than silence
// (issue 15), in one place so that `harmonia demo`, the studio, the starter model's recipe and
// bench/musicality all use the same ones:
// - tokens: REMI over whole arrangements (every track in one stream with Program tokens), with
//   Tempo and TimeSig tokens, so a model learns instruments, tempo and metre with the notes;
// - data: scores tidied before tokenizing (no leading/trailing silence, at most two empty bars
//   in a row) and training windows with fewer than kMinWindowNotes notes left out;
// - generation: a length in bars (and a cap in seconds of music), at most one empty bar in a
//   row and no whole beat of silence, at most the corpus' usual number of instruments,
//   end-of-sequence honoured once the piece is long enough.
#pragma once

#include <cstdint>

#include "core/data/score_tidy.hpp"
#include "core/generate/music_defaults.hpp"
#include "core/tokenizer/config.hpp"

namespace harmonia::generate {

// Declared only: callers of piece_settings include generator.hpp; the torch-free commands
// (dataset import) can use the rest of this header without torch's headers.
struct GenerationSettings;

// MidiTok's REMI config with use_programs + one_token_stream_for_programs, use_tempos and
// use_time_signatures on; everything else at MidiTok's defaults.
tokenizer::TokenizerConfig arrangement_tokenizer_config();

// The import's preparation: silence cut (score_tidy.hpp), at most 2 empty bars kept in a row.
data::TidyOptions training_tidy_options();

// Training windows with fewer notes than this teach rests, not music (docs/dataset.md).
constexpr int64_t kMinWindowNotes = 8;

// The length of a piece when nobody asks for another: the demo's, and `harmonia generate`'s
// without a length flag (issue 15 asks for 16-32 bars).
constexpr int64_t kPieceBars = 24;

// A piece of about `bars` bars: it may end by itself (EOS) after two thirds of them, never
// goes past `bars` nor past `max_music_seconds` of music, and never holds two empty bars in
// a row. Sampling: temperature 1, top-k 0, top-p 0.95 on the pitch choice only (typed_top_p.hpp),
// no repetition penalty (music repeats on purpose: penalising repeated pitch and position tokens
// pushes a model towards rests).
// `learned` (the model's recorded MusicDefaults) limits the instruments: program_limit().
GenerationSettings piece_settings(int64_t bars, uint64_t seed, double max_music_seconds = 170);

// Most pitched programs in a generated piece: two more than the corpus' most varied piece (0 =
// no limit when unknown). Measured on the demo's model (bench_musicality): no limit gave 30-38
// instruments in 24 bars; limits of 4-10 made the model fill the forbidden instruments' share
// with drums, and the pitched polyphony fell under the corpus band (1.5-1.8 against 2.06);
// 12 (the default corpus' 10 + 2) kept every metric in band.
int program_limit(const MusicDefaults& learned);
GenerationSettings piece_settings(int64_t bars, uint64_t seed, const MusicDefaults& learned,
                                  double max_music_seconds = 170);

// The settings bench_musicality samples with: GenerationSettings' defaults (sampling, grammar)
// with `max_bars` = bars, the given seed, and 256 new tokens per bar (about 60 REMI notes a
// bar) so that the bar count, not the token budget, ends a sample of corpus-like density. It must stay equal to what `harmonia demo`
// generates with, so that the bench measures the demo's output: change both together.
// Throws std::invalid_argument for bars < 1.
GenerationSettings musicality_generation_settings(int64_t bars, uint64_t seed);

}  // namespace harmonia::generate
