// GPT-Neo: GPT-2's layout with nn.Linear projections, unbiased q/k/v, no attention scaling,
// and layers alternating global attention with local attention over the last window_size
// positions. Checkpoint names: transformer.{wte,wpe,ln_f},
// transformer.h.N.{ln_1,attn.attention.{q,k,v}_proj,attn.attention.out_proj,ln_2,mlp.c_fc,mlp.c_proj}.
#include "core/model/architectures.hpp"
#include "core/model/attention.hpp"
#include "core/model/decode_kernels.hpp"
#include "core/model/layers.hpp"

namespace harmonia::model {
namespace {

// HF's GPTNeoSelfAttention ("attn.attention").
class GPTNeoSelfAttentionImpl : public torch::nn::Module {
 public:
  explicit GPTNeoSelfAttentionImpl(const ModelConfig& c)
      : heads_(c.num_attention_heads),
        head_dim_(c.head_dim),
        attention_dropout_(c.attention_dropout),
        residual_dropout_(c.residual_dropout) {
    qkv_proj = register_module("qkv_proj", FusedQKV(c.hidden_size, c.hidden_size, c.hidden_size, /*bias=*/false));
    out_proj = register_module("out_proj", torch::nn::Linear(c.hidden_size, c.hidden_size));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& allowed, KVCache* cache, int64_t layer) {
    const int64_t batch = x.size(0), length = x.size(1);
    auto [q, k, v] = qkv_proj(x);
    auto split = [&](const torch::Tensor& t) { return t.view({batch, length, heads_, head_dim_}).transpose(1, 2); };
    torch::Tensor keys = split(k), values = split(v);
    if (cache) std::tie(keys, values) = cache->append(layer, keys, values);
    // GPT-Neo does not scale scores by 1/sqrt(head_dim).
    const auto out = linear_out_in(attend(split(q), keys, values, allowed, 1.0, is_training() ? attention_dropout_ : 0.0),
                                   out_proj->weight, out_proj->bias);
    return dropout_in_training(out, residual_dropout_, is_training());
  }
  FusedQKV qkv_proj{nullptr};
  torch::nn::Linear out_proj{nullptr};

 private:
  int64_t heads_, head_dim_;
  double attention_dropout_, residual_dropout_;
};
TORCH_MODULE(GPTNeoSelfAttention);

// HF's GPTNeoAttention wrapper, which only adds the "attention." level to the names.
class GPTNeoAttentionImpl : public torch::nn::Module {
 public:
  explicit GPTNeoAttentionImpl(const ModelConfig& c) {
    attention = register_module("attention", GPTNeoSelfAttention(c));
  }
  GPTNeoSelfAttention attention{nullptr};
};
TORCH_MODULE(GPTNeoAttention);

class GPTNeoMLPImpl : public torch::nn::Module {
 public:
  explicit GPTNeoMLPImpl(const ModelConfig& c) : activation_(c.activation), residual_dropout_(c.residual_dropout) {
    c_fc = register_module("c_fc", torch::nn::Linear(c.hidden_size, c.intermediate_size));
    c_proj = register_module("c_proj", torch::nn::Linear(c.intermediate_size, c.hidden_size));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    const auto inner = activate(linear_out_in(x, c_fc->weight, c_fc->bias), activation_);
    return dropout_in_training(linear_out_in(inner, c_proj->weight, c_proj->bias), residual_dropout_, is_training());
  }
  torch::nn::Linear c_fc{nullptr}, c_proj{nullptr};

 private:
  std::string activation_;
  double residual_dropout_;
};
TORCH_MODULE(GPTNeoMLP);

class GPTNeoBlockImpl : public torch::nn::Module {
 public:
  GPTNeoBlockImpl(const ModelConfig& c, bool local) : local(local) {
    const auto ln = torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_epsilon);
    ln_1 = register_module("ln_1", torch::nn::LayerNorm(ln));
    attn = register_module("attn", GPTNeoAttention(c));
    ln_2 = register_module("ln_2", torch::nn::LayerNorm(ln));
    mlp = register_module("mlp", GPTNeoMLP(c));
  }
  torch::Tensor forward(torch::Tensor h, const torch::Tensor& allowed, KVCache* cache, int64_t layer) {
    h = h + attn->attention->forward(ln_1(h), allowed, cache, layer);
    return h + mlp(ln_2(h));
  }
  bool local;
  torch::nn::LayerNorm ln_1{nullptr}, ln_2{nullptr};
  GPTNeoAttention attn{nullptr};
  GPTNeoMLP mlp{nullptr};
};
TORCH_MODULE(GPTNeoBlock);

class GPTNeoBodyImpl : public torch::nn::Module {
 public:
  explicit GPTNeoBodyImpl(const ModelConfig& c) {
    wte = register_module("wte", torch::nn::Embedding(c.vocab_size, c.hidden_size));
    wpe = register_module("wpe", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
    h = register_module("h", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      blocks.push_back(GPTNeoBlock(c, c.attention_layers[i] == "local"));
      h->push_back(blocks.back());
    }
    ln_f = register_module("ln_f", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_epsilon)));
  }
  torch::nn::Embedding wte{nullptr}, wpe{nullptr};
  torch::nn::ModuleList h{nullptr};
  std::vector<GPTNeoBlock> blocks;
  torch::nn::LayerNorm ln_f{nullptr};
};
TORCH_MODULE(GPTNeoBody);

class GPTNeoLM : public CausalLM {
 public:
  explicit GPTNeoLM(const ModelConfig& c) : CausalLM(c) {
    transformer = register_module("transformer", GPTNeoBody(c));
    if (!c.tie_word_embeddings)
      lm_head_ = register_module("lm_head", torch::nn::Linear(torch::nn::LinearOptions(c.hidden_size, c.vocab_size).bias(false)));
  }

  torch::Tensor forward_hidden(const torch::Tensor& embeddings, const torch::Tensor& attention_mask,
                               KVCache* cache) override {
    const int64_t batch = embeddings.size(0), length = embeddings.size(1);
    const int64_t past = cache ? cache->length() : 0;
    TORCH_CHECK(past + length <= config_.max_position_embeddings, "gpt_neo: ", past + length,
                " positions exceed max_position_embeddings = ", config_.max_position_embeddings);
    const auto layout = make_attention_layout(attention_mask, batch, past, length, embeddings.device());
    const auto global_allowed = allowed_keys(layout);
    const auto local_allowed = allowed_keys(layout, config_.window_size);
    auto h = dropout_in_training(embeddings + transformer->wpe(layout.position_ids), config_.embedding_dropout,
                                 is_training());
    for (size_t i = 0; i < transformer->blocks.size(); ++i) {
      auto& block = transformer->blocks[i];
      h = block->forward(h, block->local ? local_allowed : global_allowed, cache, static_cast<int64_t>(i));
    }
    if (cache) cache->advance(length);
    return transformer->ln_f(h);
  }

 protected:
  torch::Tensor embed_tokens(const torch::Tensor& ids) override { return transformer->wte(ids); }
  torch::Tensor lm_head(const torch::Tensor& hidden) override {
    return linear_out_in(hidden, lm_head_ ? lm_head_->weight : transformer->wte->weight);
  }

 private:
  GPTNeoBody transformer{nullptr};
  torch::nn::Linear lm_head_{nullptr};
};

}  // namespace

std::shared_ptr<CausalLM> make_gpt_neo(const ModelConfig& config) { return std::make_shared<GPTNeoLM>(config); }

}  // namespace harmonia::model
