// The torch side of the "Inside the model" page. No Qt header may be included here (Qt's
// keyword macros break LibTorch's headers).
#include "ui/bridge/inspect_backend.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <tuple>

#include "core/generate/model_bundle.hpp"
#include "core/generate/prompt.hpp"
#include "core/model/attention_maps.hpp"
#include "core/model/embedding_projection.hpp"
#include "ui/bridge/generation_backend.hpp"
#include "ui/bridge/worker_priority.hpp"

namespace harmonia::ui {

namespace gen = harmonia::generate;
namespace fs = std::filesystem;

namespace {

std::string token_text(const tokenizer::Tokenizer& tok, size_t field, int32_t id) {
  if (field == 0 && tok.is_trained()) {
    std::string text;
    for (int32_t base : tok.subword()->base_ids(id)) {
      if (!text.empty()) text += " · ";
      text += tok.vocab().valid(base) ? tok.vocab().text(base) : "?";
    }
    return text.empty() ? "?" : text;
  }
  return tok.vocab(field).valid(id) ? tok.vocab(field).text(id) : "?";
}

}  // namespace

AttentionResult inspect_attention(const AttentionRequest& request) {
  lowerThisThreadPriority();
  AttentionResult out;
  try {
    const auto bundle = load_model_cached(request.model_dir);
    auto& model = *bundle.model;
    const auto& config = model.config();
    out.model_type = config.model_type;
    out.tokenizer = bundle.tokenizer;
    out.unavailable = model::attention_unavailable_reason(config);
    if (!out.unavailable.empty()) return out;
    out.layers = int(config.num_hidden_layers);
    out.heads = int(config.num_attention_heads);
    out.kv_heads = int(config.num_key_value_heads);
    // Rotary models have no hard limit; learned positions (GPT-2, GPT-Neo) stop at theirs.
    const bool learned_positions = config.model_type == "gpt2" || config.model_type == "gpt_neo";
    out.max_positions = learned_positions ? int(config.max_position_embeddings) : 0;

    // What the model would read as a prompt: one stream (tracks merged where the tokenizer
    // keeps one per track), model ids (learned ids for a trained tokenizer).
    const auto& tok = *bundle.tokenizer;
    out.score = gen::one_stream_score(tok, request.score);
    const auto ids = gen::prompt_tokens(tok, out.score);
    const size_t fields = tok.num_fields();
    out.total_tokens = int(ids.size() / fields);
    if (out.total_tokens == 0) {
      out.error = "The music has no notes the model's tokenizer can read.";
      return out;
    }
    int length = std::min(out.total_tokens, std::max(1, request.max_tokens));
    if (out.max_positions > 0) length = std::min(length, out.max_positions);
    out.length = length;
    out.tokens.fields = fields;
    out.tokens.ids.assign(ids.begin(), ids.begin() + std::ptrdiff_t(size_t(length) * fields));

    std::vector<int64_t> wide(out.tokens.ids.begin(), out.tokens.ids.end());
    auto input = torch::tensor(wide, torch::kLong);
    if (fields > 1) input = input.view({length, int64_t(fields)});
    const auto maps = model::attention_maps(model, input);
    out.window = maps.window;
    const auto probs = maps.probs.to(torch::kFloat).contiguous();
    out.probs.assign(probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

EmbeddingMapResult embedding_map(const EmbeddingMapRequest& request) {
  lowerThisThreadPriority();
  EmbeddingMapResult out;
  try {
    const auto bundle = load_model_cached(request.model_dir);
    const auto& config = bundle.model->config();
    const auto& tok = *bundle.tokenizer;
    out.model_type = config.model_type;
    out.hidden = int(config.hidden_size);
    auto tables = model::input_embedding_tables(*bundle.model);
    if (request.untrained) {
      // Every architecture starts its embedding tables at N(0, initializer_range) (create_model's
      // initialisation): drawn here from a generator of our own, so that a training run beside
      // us keeps its random stream.
      auto generator = at::detail::createCPUGenerator(request.seed);
      for (auto& t : tables) t = torch::randn(t.sizes(), generator, torch::kFloat) * config.initializer_range;
    }
    std::vector<torch::Tensor> rows;
    for (size_t f = 0; f < tables.size(); ++f) {
      // A model may carry more rows than its tokenizer names (padding to a multiple): the map
      // shows the tokens the tokenizer can produce.
      const int64_t named = int64_t(f == 0 && tok.is_trained() ? tok.model_vocab_size() : tok.vocab(f).size());
      const int64_t n = std::min<int64_t>(tables[f].size(0), named);
      rows.push_back(tables[f].narrow(0, 0, n));
      for (int64_t id = 0; id < n; ++id) {
        EmbeddingPoint p;
        p.field = int(f);
        p.id = int(id);
        p.token = token_text(tok, f, int32_t(id));
        out.points.push_back(std::move(p));
      }
    }
    const auto all = torch::cat(rows, 0);
    out.vocab = int(all.size(0));
    const auto pca = model::principal_components_2d(all);
    const auto points = pca.points.contiguous();
    const double* xy = points.data_ptr<double>();
    for (size_t i = 0; i < out.points.size(); ++i) {
      out.points[i].x = xy[2 * i];
      out.points[i].y = xy[2 * i + 1];
    }
    out.explained[0] = pca.explained[0];
    out.explained[1] = pca.explained[1];
  } catch (const std::exception& e) {
    out.error = e.what();
    out.points.clear();
  }
  return out;
}

}  // namespace harmonia::ui
