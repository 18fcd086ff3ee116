// Torch side of the GUI tests. No Qt header may be included here.
#include "generation_reference.hpp"

#include <torch/torch.h>

#include "core/generate/generation_output.hpp"
#include "core/generate/generator.hpp"
#include "core/generate/model_bundle.hpp"
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
  gen::GenerationSettings s;
  s.sampling.temperature = float(r.temperature);
  s.sampling.top_k = r.top_k;
  s.sampling.top_p = float(r.top_p);
  s.sampling.repetition_penalty = float(r.repetition_penalty);
  s.max_new_tokens = r.max_new_tokens;
  s.num_candidates = r.candidates;
  s.seed = r.seed;
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

}  // namespace harmonia::ui::test
