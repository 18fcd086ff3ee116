// GPT-2 (and DistilGPT-2, which is GPT-2 with 6 layers): learned positions, pre-LayerNorm
// blocks, Conv1D projections ([in, out] weights), tied lm_head. Checkpoint names:
// transformer.{wte,wpe,ln_f}, transformer.h.N.{ln_1,attn.c_attn,attn.c_proj,ln_2,mlp.c_fc,mlp.c_proj}.
#include <cmath>

#include "core/model/architectures.hpp"
#include "core/model/attention.hpp"
#include "core/model/decode_kernels.hpp"
#include "core/model/layers.hpp"

namespace harmonia::model {
namespace {

class GPT2AttentionImpl : public torch::nn::Module {
 public:
  GPT2AttentionImpl(const ModelConfig& c, int64_t layer)
      : heads_(c.num_attention_heads),
        head_dim_(c.head_dim),
        scale_(attention_scale(c, layer)),
        upcast_(c.reorder_and_upcast_attn),
        attention_dropout_(c.attention_dropout),
        residual_dropout_(c.residual_dropout) {
    c_attn = register_module("c_attn", Conv1D(c.hidden_size, 3 * c.hidden_size));
    c_proj = register_module("c_proj", Conv1D(c.hidden_size, c.hidden_size));
  }

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& allowed, KVCache* cache, int64_t layer) {
    const int64_t batch = x.size(0), length = x.size(1);
    auto qkv = c_attn(x).view({batch, length, 3, heads_, head_dim_}).permute({2, 0, 3, 1, 4});  // [3, B, H, T, D]
    torch::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
    if (cache) std::tie(k, v) = cache->append(layer, k, v);
    const double dropout = is_training() ? attention_dropout_ : 0.0;
    // In fp32 the upcast path is the same arithmetic (transformers' own fixture moves by 1.7e-6),
    // so fp32 keeps attend()'s faster decode kernel.
    const auto mixed = upcast_ && q.scalar_type() != torch::kFloat ? attend_upcast(q, k, v, allowed, scale_, dropout)
                                                                   : attend(q, k, v, allowed, scale_, dropout);
    const auto out = c_proj(mixed);
    return dropout_in_training(out, residual_dropout_, is_training());
  }

  Conv1D c_attn{nullptr}, c_proj{nullptr};

 private:
  // 1/sqrt(head_dim) unless scale_attn_weights is off; scale_attn_by_inverse_layer_idx also
  // divides layer l (0-based) by l + 1, which keeps deep stacks' early scores small.
  static double attention_scale(const ModelConfig& c, int64_t layer) {
    double scale = c.scale_attn_weights ? 1.0 / std::sqrt(static_cast<double>(c.head_dim)) : 1.0;
    if (c.scale_attn_by_inverse_layer_idx) scale /= static_cast<double>(layer + 1);
    return scale;
  }

  int64_t heads_, head_dim_;
  double scale_;
  bool upcast_;
  double attention_dropout_, residual_dropout_;
};
TORCH_MODULE(GPT2Attention);

class GPT2MLPImpl : public torch::nn::Module {
 public:
  explicit GPT2MLPImpl(const ModelConfig& c) : activation_(c.activation), residual_dropout_(c.residual_dropout) {
    c_fc = register_module("c_fc", Conv1D(c.hidden_size, c.intermediate_size));
    c_proj = register_module("c_proj", Conv1D(c.intermediate_size, c.hidden_size));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return dropout_in_training(c_proj(activate(c_fc(x), activation_)), residual_dropout_, is_training());
  }
  Conv1D c_fc{nullptr}, c_proj{nullptr};

 private:
  std::string activation_;
  double residual_dropout_;
};
TORCH_MODULE(GPT2MLP);

class GPT2BlockImpl : public torch::nn::Module {
 public:
  GPT2BlockImpl(const ModelConfig& c, int64_t layer) {
    const auto ln = torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_epsilon);
    ln_1 = register_module("ln_1", torch::nn::LayerNorm(ln));
    attn = register_module("attn", GPT2Attention(c, layer));
    ln_2 = register_module("ln_2", torch::nn::LayerNorm(ln));
    mlp = register_module("mlp", GPT2MLP(c));
  }
  torch::Tensor forward(torch::Tensor h, const torch::Tensor& allowed, KVCache* cache, int64_t layer) {
    h = h + attn->forward(ln_1(h), allowed, cache, layer);
    return h + mlp(ln_2(h));
  }
  torch::nn::LayerNorm ln_1{nullptr}, ln_2{nullptr};
  GPT2Attention attn{nullptr};
  GPT2MLP mlp{nullptr};
};
TORCH_MODULE(GPT2Block);

// HF's GPT2Model, registered as "transformer".
class GPT2BodyImpl : public torch::nn::Module {
 public:
  explicit GPT2BodyImpl(const ModelConfig& c) {
    wte = register_module("wte", torch::nn::Embedding(c.vocab_size, c.hidden_size));
    wpe = register_module("wpe", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
    h = register_module("h", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      blocks.push_back(GPT2Block(c, i));
      h->push_back(blocks.back());
    }
    ln_f = register_module("ln_f", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_epsilon)));
  }
  torch::nn::Embedding wte{nullptr}, wpe{nullptr};
  torch::nn::ModuleList h{nullptr};
  std::vector<GPT2Block> blocks;
  torch::nn::LayerNorm ln_f{nullptr};
};
TORCH_MODULE(GPT2Body);

class GPT2LM : public CausalLM {
 public:
  explicit GPT2LM(const ModelConfig& c) : CausalLM(c) {
    transformer = register_module("transformer", GPT2Body(c));
    if (!c.tie_word_embeddings)
      lm_head_ = register_module("lm_head", torch::nn::Linear(torch::nn::LinearOptions(c.hidden_size, c.vocab_size).bias(false)));
  }

  torch::Tensor forward_hidden(const torch::Tensor& embeddings, const torch::Tensor& attention_mask,
                               KVCache* cache) override {
    const int64_t batch = embeddings.size(0), length = embeddings.size(1);
    const int64_t past = cache ? cache->length() : 0;
    TORCH_CHECK(past + length <= config_.max_position_embeddings, "gpt2: ", past + length,
                " positions exceed n_positions = ", config_.max_position_embeddings);
    const auto layout = make_attention_layout(attention_mask, batch, past, length, embeddings.device());
    const auto allowed = allowed_keys(layout);
    auto h = dropout_in_training(embeddings + transformer->wpe(layout.position_ids), config_.embedding_dropout,
                                 is_training());
    for (size_t i = 0; i < transformer->blocks.size(); ++i)
      h = transformer->blocks[i]->forward(h, allowed, cache, static_cast<int64_t>(i));
    if (cache) cache->advance(length);
    return transformer->ln_f(h);
  }

 protected:
  torch::Tensor embed_tokens(const torch::Tensor& ids) override { return transformer->wte(ids); }
  torch::Tensor lm_head(const torch::Tensor& hidden) override {
    return linear_out_in(hidden, lm_head_ ? lm_head_->weight : transformer->wte->weight);
  }
  // Hub checkpoints such as gpt2 and distilgpt2 were saved from GPT2Model: no "transformer." prefix.
  std::vector<std::string> alternative_names(const std::string& name) const override {
    const std::string prefix = "transformer.";
    if (name.rfind(prefix, 0) == 0) return {name.substr(prefix.size())};
    return {};
  }

 private:
  GPT2Body transformer{nullptr};
  torch::nn::Linear lm_head_{nullptr};
};

}  // namespace

std::shared_ptr<CausalLM> make_gpt2(const ModelConfig& config) { return std::make_shared<GPT2LM>(config); }

}  // namespace harmonia::model
