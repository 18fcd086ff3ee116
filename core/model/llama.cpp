// Llama: RMSNorm pre-norm blocks, rotary positions, SwiGLU MLP, grouped-query attention.
// Checkpoint names: model.{embed_tokens,norm}, lm_head (unless tied),
// model.layers.N.{input_layernorm,self_attn.{q,k,v,o}_proj,post_attention_layernorm,
// mlp.{gate,up,down}_proj} (+ self_attn.{q,k}_norm for Qwen3).
#include "core/model/llama.hpp"

#include <cmath>

#include "core/model/architectures.hpp"
#include "core/model/attention.hpp"
#include "core/model/decode_kernels.hpp"
#include "core/model/layers.hpp"
#include "core/model/rope_scaling.hpp"

namespace harmonia::model {
namespace {

class LlamaAttentionImpl : public torch::nn::Module {
 public:
  LlamaAttentionImpl(const ModelConfig& c, bool qk_norm)
      : heads_(c.num_attention_heads),
        kv_heads_(c.num_key_value_heads),
        head_dim_(c.head_dim),
        attention_dropout_(c.attention_dropout) {
    qkv_proj = register_module("qkv_proj", FusedQKV(c.hidden_size, heads_ * head_dim_, c.kv_dim(), c.attention_bias));
    o_proj = register_module("o_proj", torch::nn::Linear(torch::nn::LinearOptions(heads_ * head_dim_, c.hidden_size)
                                                             .bias(c.attention_bias)));
    if (qk_norm) {
      q_norm = register_module("q_norm", RMSNorm(head_dim_, c.rms_norm_eps));
      k_norm = register_module("k_norm", RMSNorm(head_dim_, c.rms_norm_eps));
    }
  }

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& allowed, KVCache* cache, int64_t layer) {
    const int64_t batch = x.size(0), length = x.size(1);
    auto [q, k, v] = qkv_proj(x);
    q = q.view({batch, length, heads_, head_dim_});
    k = k.view({batch, length, kv_heads_, head_dim_});
    if (q_norm) {
      q = q_norm(q);
      k = k_norm(k);
    }
    q = apply_rotary(q.transpose(1, 2), cos, sin);
    k = apply_rotary(k.transpose(1, 2), cos, sin);
    v = v.view({batch, length, kv_heads_, head_dim_}).transpose(1, 2);
    if (cache) std::tie(k, v) = cache->append(layer, k, v);
    const auto mixed =
        attend(q, k, v, allowed, 1.0 / std::sqrt(static_cast<double>(head_dim_)), is_training() ? attention_dropout_ : 0.0);
    return linear_out_in(mixed, o_proj->weight, o_proj->bias);
  }

  FusedQKV qkv_proj{nullptr};
  torch::nn::Linear o_proj{nullptr};
  RMSNorm q_norm{nullptr}, k_norm{nullptr};

 private:
  int64_t heads_, kv_heads_, head_dim_;
  double attention_dropout_;
};
TORCH_MODULE(LlamaAttention);

// SwiGLU: down(act(gate(x)) * up(x)).
class LlamaMLPImpl : public torch::nn::Module {
 public:
  explicit LlamaMLPImpl(const ModelConfig& c) : activation_(c.activation) {
    auto linear = [&](int64_t in, int64_t out) {
      return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(c.mlp_bias));
    };
    gate_proj = register_module("gate_proj", linear(c.hidden_size, c.intermediate_size));
    up_proj = register_module("up_proj", linear(c.hidden_size, c.intermediate_size));
    down_proj = register_module("down_proj", linear(c.intermediate_size, c.hidden_size));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    const auto gate = activate(linear_out_in(x, gate_proj->weight, gate_proj->bias), activation_);
    return linear_out_in(gate * linear_out_in(x, up_proj->weight, up_proj->bias), down_proj->weight, down_proj->bias);
  }
  torch::nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};

 private:
  std::string activation_;
};
TORCH_MODULE(LlamaMLP);

class LlamaBlockImpl : public torch::nn::Module {
 public:
  LlamaBlockImpl(const ModelConfig& c, bool qk_norm) {
    input_layernorm = register_module("input_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
    self_attn = register_module("self_attn", LlamaAttention(c, qk_norm));
    post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
    mlp = register_module("mlp", LlamaMLP(c));
  }
  torch::Tensor forward(torch::Tensor h, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& allowed, KVCache* cache, int64_t layer) {
    h = h + self_attn->forward(input_layernorm(h), cos, sin, allowed, cache, layer);
    return h + mlp(post_attention_layernorm(h));
  }
  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
  LlamaAttention self_attn{nullptr};
  LlamaMLP mlp{nullptr};
};
TORCH_MODULE(LlamaBlock);

// HF's LlamaModel, registered as "model".
class LlamaBodyImpl : public torch::nn::Module {
 public:
  LlamaBodyImpl(const ModelConfig& c, bool qk_norm) {
    embed_tokens = register_module("embed_tokens", torch::nn::Embedding(c.vocab_size, c.hidden_size));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      blocks.push_back(LlamaBlock(c, qk_norm));
      layers->push_back(blocks.back());
    }
    norm = register_module("norm", RMSNorm(c.hidden_size, c.rms_norm_eps));
  }
  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  std::vector<LlamaBlock> blocks;
  RMSNorm norm{nullptr};
};
TORCH_MODULE(LlamaBody);

class LlamaLM : public CausalLM {
 public:
  LlamaLM(const ModelConfig& c, bool qk_norm)
      : CausalLM(c), rotary_(c.head_dim, c.rope_theta, c.max_position_embeddings, c.rope_scaling) {
    model = register_module("model", LlamaBody(c, qk_norm));
    if (!c.tie_word_embeddings)
      lm_head_ = register_module("lm_head", torch::nn::Linear(torch::nn::LinearOptions(c.hidden_size, c.vocab_size).bias(false)));
  }

  torch::Tensor forward_hidden(const torch::Tensor& embeddings, const torch::Tensor& attention_mask,
                               KVCache* cache) override {
    const int64_t batch = embeddings.size(0), length = embeddings.size(1);
    const int64_t past = cache ? cache->length() : 0;
    const auto layout = make_attention_layout(attention_mask, batch, past, length, embeddings.device());
    const auto allowed = allowed_keys(layout);
    // Qwen3 sliding-window layers (attention_layers "local") see only the last window_size keys.
    torch::Tensor allowed_local;
    if (!config_.attention_layers.empty()) allowed_local = allowed_keys(layout, config_.window_size);
    // The keys span past + length positions: what dynamic NTK scaling sizes its base by (as
    // transformers 4.33 does per call; cached keys keep the rotation they were stored with).
    const auto [rope_cos, rope_sin] = rotary_.cos_sin(layout.position_ids, past + length);
    auto h = embeddings;
    for (size_t i = 0; i < model->blocks.size(); ++i) {
      const bool local = !config_.attention_layers.empty() && config_.attention_layers[i] == "local";
      h = model->blocks[i]->forward(h, rope_cos, rope_sin, local ? allowed_local : allowed, cache,
                                    static_cast<int64_t>(i));
    }
    if (cache) cache->advance(length);
    return model->norm(h);
  }

 protected:
  torch::Tensor embed_tokens(const torch::Tensor& ids) override { return model->embed_tokens(ids); }
  torch::Tensor lm_head(const torch::Tensor& hidden) override {
    return linear_out_in(hidden, lm_head_ ? lm_head_->weight : model->embed_tokens->weight);
  }

 private:
  LlamaBody model{nullptr};
  torch::nn::Linear lm_head_{nullptr};
  RotaryEmbedding rotary_;
};

}  // namespace

std::shared_ptr<CausalLM> make_llama_family(const ModelConfig& config, bool qk_norm) {
  return std::make_shared<LlamaLM>(config, qk_norm);
}

std::shared_ptr<CausalLM> make_llama(const ModelConfig& config) { return make_llama_family(config, false); }

}  // namespace harmonia::model
