// Torch side of the GUI tests. No Qt header may be included here.
#include "generation_reference.hpp"

#include <torch/torch.h>

#include <sstream>

#include "core/generate/generation_output.hpp"
#include "core/generate/generator.hpp"
#include "core/generate/model_bundle.hpp"
#include "core/generate/music_defaults.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/generate/step_through.hpp"
#include "core/model/presets.hpp"

namespace harmonia::ui::test {

namespace gen = harmonia::generate;

void writeTinyModel(const std::string& dir, uint64_t init_seed, const std::string& scheme) {
  const std::shared_ptr<const tokenizer::Tokenizer> tok = tokenizer::Tokenizer::create(scheme);
  torch::manual_seed(init_seed);
  auto config = model::preset_config("tiny", "", int64_t(tok->vocab_size()));
  if (tok->is_compound())
    for (const auto& v : tok->vocabs()) config.compound.field_vocab_sizes.push_back(int64_t(v.size()));
  const auto model = model::create_model(config);
  gen::save_bundle(*model, *tok, dir);
}

midi::Score referenceGeneration(const std::string& model_dir, const ReferenceSettings& r, int candidate) {
  const auto bundle = gen::load_bundle(model_dir);
  bundle.model->eval();
  gen::GenerationSettings s = gen::piece_settings(r.bars, r.seed);
  s.sampling.temperature = float(r.temperature);
  s.sampling.top_k = r.top_k;
  s.sampling.top_p = float(r.top_p);
  s.sampling.repetition_penalty = float(r.repetition_penalty);
  if (r.max_new_tokens > 0) s.max_new_tokens = std::min<int64_t>(s.max_new_tokens, r.max_new_tokens);
  s.num_candidates = r.candidates;
  const gen::Generator generator(bundle.model, bundle.tokenizer);
  const auto result = generator.generate({}, s);
  const midi::Score decoded = gen::to_score(*bundle.tokenizer, result.sequences.at(size_t(candidate)));
  midi::Score out = decoded;
  const int factor = 480 / decoded.ticks_per_quarter;  // the default resolutions divide 480
  out.ticks_per_quarter = 480;
  for (auto& t : out.tracks)
    for (auto& n : t.notes) {
      n.time *= factor;
      n.duration *= factor;
    }
  return out;
}

std::string pieceSettingsMismatch(const SamplingSettings& page, int programs_per_piece) {
  gen::MusicDefaults learned;
  learned.programs_per_piece = programs_per_piece;
  const gen::GenerationSettings got = generation_settings(page, learned);
  const gen::GenerationSettings want = gen::piece_settings(page.bars, page.seed, learned);
  std::ostringstream diff;
  const auto check = [&](const char* field, auto a, auto b) {
    if (a != b) diff << field << ": " << a << " from the page, " << b << " in piece_settings; ";
  };
  check("max_bars", got.max_bars, want.max_bars);
  check("min_bars", got.min_bars, want.min_bars);
  check("max_music_seconds", got.max_music_seconds, want.max_music_seconds);
  check("max_empty_bars", got.max_empty_bars, want.max_empty_bars);
  check("max_empty_beats", got.max_empty_beats, want.max_empty_beats);
  check("max_onset_notes", got.max_onset_notes, want.max_onset_notes);
  check("max_programs", got.max_programs, want.max_programs);
  check("max_new_tokens", got.max_new_tokens, want.max_new_tokens);
  check("seed", got.seed, want.seed);
  check("temperature", got.sampling.temperature, want.sampling.temperature);
  check("top_k", got.sampling.top_k, want.sampling.top_k);
  check("top_p", got.sampling.top_p, want.sampling.top_p);
  check("repetition_penalty", got.sampling.repetition_penalty, want.sampling.repetition_penalty);
  return diff.str();
}

ReferenceSteps referenceSteps(const std::string& model_dir, const SamplingSettings& page, int steps,
                              const SamplingSettings& other) {
  const auto bundle = gen::load_bundle(model_dir);
  gen::StepThrough st(bundle.model, bundle.tokenizer, {}, generation_settings(page, bundle.music));
  ReferenceSteps out;
  for (int i = 0; i < steps && st.step(); ++i) out.tokens.push_back(st.current().drawn >= 0 ? bundle.tokenizer->vocab().text(st.current().drawn) : "");
  out.processed = st.current().processed;
  const gen::GenerationSettings retuned = generation_settings(other, bundle.music);
  st.retune(retuned);
  out.reprocessed = st.reprocess(retuned.sampling);
  const auto& vocab = bundle.tokenizer->vocab();
  for (size_t id = 0; id < size_t(bundle.tokenizer->model_vocab_size()); ++id)
    out.vocab.push_back(vocab.valid(int(id)) ? vocab.text(int(id)) : "");
  return out;
}

std::vector<std::string> referenceGeneratedTokens(const std::string& model_dir, const SamplingSettings& page) {
  const auto bundle = gen::load_bundle(model_dir);
  bundle.model->eval();
  std::vector<std::string> out;
  gen::GenerationCallbacks cb;
  cb.on_token = [&](const gen::TokenEvent& e) { out.push_back(bundle.tokenizer->vocab().text(e.id)); };
  gen::Generator(bundle.model, bundle.tokenizer).generate({}, generation_settings(page, bundle.music), cb);
  return out;
}

}  // namespace harmonia::ui::test
