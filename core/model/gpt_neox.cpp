// GPT-NeoX (Pythia): LayerNorm blocks whose attention and MLP read the same input and are added
// together (use_parallel_residual) or run one after the other; rotary embedding on only the
// first rotary_pct of each head's channels; an untied output head, embed_out.
// Checkpoint names: gpt_neox.{embed_in,final_layer_norm}, embed_out,
// gpt_neox.layers.N.{input_layernorm,post_attention_layernorm,attention.query_key_value,
// attention.dense,mlp.dense_h_to_4h,mlp.dense_4h_to_h}.
#include <cmath>

#include "core/model/architectures.hpp"
#include "core/model/attention.hpp"
#include "core/model/decode_kernels.hpp"
#include "core/model/layers.hpp"
#include "core/model/rope_scaling.hpp"

namespace harmonia::model {
namespace {

torch::nn::Linear linear(int64_t in, int64_t out, bool bias) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

int64_t rotary_dims(const ModelConfig& c) { return static_cast<int64_t>(static_cast<double>(c.head_dim) * c.rotary_pct); }

class GPTNeoXAttentionImpl : public torch::nn::Module {
 public:
  explicit GPTNeoXAttentionImpl(const ModelConfig& c)
      : heads_(c.num_attention_heads),
        head_dim_(c.head_dim),
        rotary_dims_(rotary_dims(c)),
        attention_dropout_(c.attention_dropout) {
    query_key_value = register_module("query_key_value", linear(c.hidden_size, 3 * c.hidden_size, c.attention_bias));
    dense = register_module("dense", linear(c.hidden_size, c.hidden_size, c.attention_bias));
  }

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& allowed, KVCache* cache, int64_t layer) {
    const int64_t batch = x.size(0), length = x.size(1);
    // The fused projection is laid out per head: [q_h | k_h | v_h] for each head h in turn.
    auto qkv = linear_out_in(x, query_key_value->weight, query_key_value->bias)
                   .view({batch, length, heads_, 3 * head_dim_})
                   .transpose(1, 2);  // [B, H, T, 3D]
    auto q = rotate_prefix(qkv.narrow(-1, 0, head_dim_), cos, sin);
    auto k = rotate_prefix(qkv.narrow(-1, head_dim_, head_dim_), cos, sin);
    torch::Tensor v = qkv.narrow(-1, 2 * head_dim_, head_dim_);
    if (cache) std::tie(k, v) = cache->append(layer, k, v);
    const auto mixed = attend(q, k, v, allowed, 1.0 / std::sqrt(static_cast<double>(head_dim_)),
                              is_training() ? attention_dropout_ : 0.0);
    return linear_out_in(mixed, dense->weight, dense->bias);
  }

  torch::nn::Linear query_key_value{nullptr}, dense{nullptr};

 private:
  // Only the first rotary_dims_ channels rotate (rotate-half over that slice); the rest pass.
  torch::Tensor rotate_prefix(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) const {
    if (rotary_dims_ == 0) return x.contiguous();
    if (rotary_dims_ == head_dim_) return apply_rotary(x, cos, sin);
    return torch::cat({apply_rotary(x.narrow(-1, 0, rotary_dims_), cos, sin),
                       x.narrow(-1, rotary_dims_, head_dim_ - rotary_dims_)},
                      -1);
  }

  int64_t heads_, head_dim_, rotary_dims_;
  double attention_dropout_;
};
TORCH_MODULE(GPTNeoXAttention);

class GPTNeoXMLPImpl : public torch::nn::Module {
 public:
  explicit GPTNeoXMLPImpl(const ModelConfig& c) : activation_(c.activation) {
    dense_h_to_4h = register_module("dense_h_to_4h", linear(c.hidden_size, c.intermediate_size, true));
    dense_4h_to_h = register_module("dense_4h_to_h", linear(c.intermediate_size, c.hidden_size, true));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    const auto hidden = activate(linear_out_in(x, dense_h_to_4h->weight, dense_h_to_4h->bias), activation_);
    return linear_out_in(hidden, dense_4h_to_h->weight, dense_4h_to_h->bias);
  }
  torch::nn::Linear dense_h_to_4h{nullptr}, dense_4h_to_h{nullptr};

 private:
  std::string activation_;
};
TORCH_MODULE(GPTNeoXMLP);

class GPTNeoXLayerImpl : public torch::nn::Module {
 public:
  explicit GPTNeoXLayerImpl(const ModelConfig& c)
      : parallel_(c.use_parallel_residual), hidden_dropout_(c.residual_dropout) {
    const auto ln = torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_epsilon);
    input_layernorm = register_module("input_layernorm", torch::nn::LayerNorm(ln));
    post_attention_layernorm = register_module("post_attention_layernorm", torch::nn::LayerNorm(ln));
    attention = register_module("attention", GPTNeoXAttention(c));
    mlp = register_module("mlp", GPTNeoXMLP(c));
  }
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& allowed, KVCache* cache, int64_t layer) {
    const bool training = is_training();
    const auto attn = dropout_in_training(attention->forward(input_layernorm(h), cos, sin, allowed, cache, layer),
                                          hidden_dropout_, training);
    if (parallel_) {
      // x + attn(ln1(x)) + mlp(ln2(x)), summed in transformers' order.
      const auto ff = dropout_in_training(mlp(post_attention_layernorm(h)), hidden_dropout_, training);
      return ff + attn + h;
    }
    const auto after_attention = attn + h;
    return dropout_in_training(mlp(post_attention_layernorm(after_attention)), hidden_dropout_, training) +
           after_attention;
  }
  torch::nn::LayerNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
  GPTNeoXAttention attention{nullptr};
  GPTNeoXMLP mlp{nullptr};

 private:
  bool parallel_;
  double hidden_dropout_;
};
TORCH_MODULE(GPTNeoXLayer);

// HF's GPTNeoXModel, registered as "gpt_neox".
class GPTNeoXBodyImpl : public torch::nn::Module {
 public:
  explicit GPTNeoXBodyImpl(const ModelConfig& c) {
    embed_in = register_module("embed_in", torch::nn::Embedding(c.vocab_size, c.hidden_size));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      blocks.push_back(GPTNeoXLayer(c));
      layers->push_back(blocks.back());
    }
    final_layer_norm = register_module(
        "final_layer_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_epsilon)));
  }
  torch::nn::Embedding embed_in{nullptr};
  torch::nn::ModuleList layers{nullptr};
  std::vector<GPTNeoXLayer> blocks;
  torch::nn::LayerNorm final_layer_norm{nullptr};
};
TORCH_MODULE(GPTNeoXBody);

class GPTNeoXLM : public CausalLM {
 public:
  explicit GPTNeoXLM(const ModelConfig& c)
      : CausalLM(c), rotary_(rotary_dims(c), c.rope_theta, c.max_position_embeddings, c.rope_scaling) {
    gpt_neox = register_module("gpt_neox", GPTNeoXBody(c));
    if (!c.tie_word_embeddings) embed_out_ = register_module("embed_out", linear(c.hidden_size, c.vocab_size, false));
  }

  torch::Tensor forward_hidden(const torch::Tensor& embeddings, const torch::Tensor& attention_mask,
                               KVCache* cache) override {
    const int64_t batch = embeddings.size(0), length = embeddings.size(1);
    const int64_t past = cache ? cache->length() : 0;
    const auto layout = make_attention_layout(attention_mask, batch, past, length, embeddings.device());
    const auto allowed = allowed_keys(layout);
    const auto [rope_cos, rope_sin] = rotary_.cos_sin(layout.position_ids, past + length);
    auto h = dropout_in_training(embeddings, config_.embedding_dropout, is_training());
    for (size_t i = 0; i < gpt_neox->blocks.size(); ++i)
      h = gpt_neox->blocks[i]->forward(h, rope_cos, rope_sin, allowed, cache, static_cast<int64_t>(i));
    if (cache) cache->advance(length);
    return gpt_neox->final_layer_norm(h);
  }

 protected:
  torch::Tensor embed_tokens(const torch::Tensor& ids) override { return gpt_neox->embed_in(ids); }
  torch::Tensor lm_head(const torch::Tensor& hidden) override {
    return linear_out_in(hidden, embed_out_ ? embed_out_->weight : gpt_neox->embed_in->weight);
  }

 private:
  GPTNeoXBody gpt_neox{nullptr};
  torch::nn::Linear embed_out_{nullptr};
  RotaryEmbedding rotary_;
};

}  // namespace

std::shared_ptr<CausalLM> make_gpt_neox(const ModelConfig& config) { return std::make_shared<GPTNeoXLM>(config); }

}  // namespace harmonia::model
