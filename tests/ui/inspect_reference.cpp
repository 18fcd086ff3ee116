// Torch side of the "Inside the model" tests. No Qt header may be included here.
#include "inspect_reference.hpp"

#include <torch/torch.h>

#include "core/generate/model_bundle.hpp"
#include "core/generate/prompt.hpp"
#include "core/model/attention_maps.hpp"
#include "core/model/presets.hpp"

namespace harmonia::ui::test {

namespace gen = harmonia::generate;

void writeTinyModelOf(const std::string& dir, const std::string& model_type, uint64_t seed) {
  const auto tok = tokenizer::Tokenizer::create("REMI");
  torch::manual_seed(seed);
  auto config = model::preset_config("tiny", model_type, int64_t(tok->vocab_size()));
  if (model_type == "gpt_neo") config.window_size = 8;  // its local layers then cut within a short piece
  const auto model = model::create_model(config);
  gen::save_bundle(*model, *tok, dir);
}

CoreAttention coreAttention(const std::string& model_dir, const midi::Score& score, int tokens) {
  const auto paths = gen::locate_model(model_dir);
  const auto model = model::load_model(paths.model_dir);
  const auto tok = tokenizer::Tokenizer::load(paths.tokenizer_json.string());
  auto ids = gen::prompt_tokens(*tok, score);
  ids.resize(std::min(ids.size(), size_t(tokens)));
  const auto maps = model::attention_maps(*model, torch::tensor(std::vector<int64_t>(ids.begin(), ids.end())));
  CoreAttention out;
  out.layers = int(maps.probs.size(0));
  out.heads = int(maps.probs.size(1));
  out.length = int(maps.probs.size(2));
  const auto probs = maps.probs.contiguous();
  out.probs.assign(probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
  return out;
}

std::vector<std::array<double, 2>> referenceEmbeddingPca(const std::string& model_dir) {
  const auto model = model::load_model(gen::locate_model(model_dir).model_dir);
  torch::Tensor table;
  for (const auto& item : model->named_parameters())
    if (item.key().find("wte.weight") != std::string::npos || item.key().find("embed_tokens.weight") != std::string::npos)
      table = item.value().detach().to(torch::kDouble);
  const auto centred = table - table.mean(0, true);
  const auto vectors = std::get<1>(torch::linalg::eigh(centred.t().mm(centred), "L"));  // ascending
  const int64_t d = vectors.size(1);
  const auto points = centred.mm(torch::stack({vectors.select(1, d - 1), vectors.select(1, d - 2)}, 1)).contiguous();
  std::vector<std::array<double, 2>> out(size_t(points.size(0)));
  for (int64_t i = 0; i < points.size(0); ++i) out[size_t(i)] = {points[i][0].item<double>(), points[i][1].item<double>()};
  return out;
}

}  // namespace harmonia::ui::test
