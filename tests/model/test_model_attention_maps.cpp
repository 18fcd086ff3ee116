// The attention view's numbers (core/model/attention_maps.hpp) against an attention computed
// independently: each architecture's forward pass written again here in plain fp64 torch ops
// straight from the checkpoint's tensors (never through the model's modules), with the
// attention itself a scalar loop: softmax over allowed keys j of scale * q_i . k_j. That
// reference must reproduce transformers' logits (the hf/ and hf-more/ fixtures; Qwen3, which has
// none, against our model's logits), so its probabilities are the right ones; the captured
// probabilities must then equal them. Each test also shows that a reference with the scaling or
// the grouped-query head mapping done wrong is far from the capture: the comparison can fail.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <map>

#include "core/compute/threads.hpp"
#include "core/model/attention.hpp"
#include "core/model/attention_maps.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"
#include "core/model/safetensors.hpp"
#include "fixture_helpers.hpp"

namespace hm = harmonia::model;
namespace ht = harmonia::test;

namespace {

using Weights = std::map<std::string, torch::Tensor>;

// Deliberate mistakes, to show the comparison notices them.
struct Mistake {
  bool scale_by_sqrt_head_dim = false;  // GPT-Neo: as if it scaled like GPT-2
  bool interleaved_kv_heads = false;    // GQA: query head h reading kv head h % Hkv instead of h / group
  bool ignore_window = false;           // GPT-Neo local layers as if global
};

struct Reference {
  torch::Tensor logits;  // [T, V] fp64
  torch::Tensor probs;   // [L, H, T, T] fp64
};

torch::Tensor w(const Weights& weights, const std::string& name) {
  const auto it = weights.find(name);
  if (it == weights.end()) throw std::runtime_error("reference: no tensor " + name);
  return it->second.to(torch::kDouble);
}
bool has(const Weights& weights, const std::string& name) { return weights.count(name) != 0; }

torch::Tensor layer_norm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias, double eps) {
  const auto mean = x.mean(-1, true);
  const auto var = (x - mean).pow(2).mean(-1, true);
  return (x - mean) / (var + eps).sqrt() * weight + bias;
}
torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  return x / (x.pow(2).mean(-1, true) + eps).sqrt() * weight;
}
torch::Tensor activation(const torch::Tensor& x, const std::string& name) {
  if (name == "gelu_new")
    return 0.5 * x * (1 + torch::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x.pow(3))));
  if (name == "gelu") return 0.5 * x * (1 + torch::erf(x / std::sqrt(2.0)));
  if (name == "silu") return x * torch::sigmoid(x);
  throw std::runtime_error("reference: activation " + name);
}
// x [T, in] times a Linear weight [out, in] (+ bias when the checkpoint has one).
torch::Tensor linear(const Weights& weights, const std::string& prefix, const torch::Tensor& x) {
  auto y = x.mm(w(weights, prefix + ".weight").t());
  return has(weights, prefix + ".bias") ? y + w(weights, prefix + ".bias") : y;
}
// Rotary embedding on the first `dims` channels of x [H, T, D] (rotate_half pairs), base theta.
torch::Tensor rotate(const torch::Tensor& x, int64_t dims, double theta) {
  if (dims == 0) return x;
  const int64_t length = x.size(1);
  auto out = x.clone();
  for (int64_t t = 0; t < length; ++t)
    for (int64_t i = 0; i < dims / 2; ++i) {
      const double angle = double(t) / std::pow(theta, double(2 * i) / double(dims));
      const auto a = x.select(1, t).select(1, i), b = x.select(1, t).select(1, i + dims / 2);
      out.select(1, t).select(1, i).copy_(a * std::cos(angle) - b * std::sin(angle));
      out.select(1, t).select(1, i + dims / 2).copy_(b * std::cos(angle) + a * std::sin(angle));
    }
  return out;
}

// The loop: q [H, T, D], k [Hkv, T, D]; query head h reads kv head kv_of(h). Query i sees keys
// j <= i, and in a window of W only i - j < W. Returns probs [H, T, T] and writes the heads'
// outputs (probs @ v) into *mixed [T, H*D].
torch::Tensor loop_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale,
                             int64_t window, const std::function<int64_t(int64_t)>& kv_of, torch::Tensor* mixed) {
  const int64_t heads = q.size(0), length = q.size(1), dim = q.size(2);
  auto probs = torch::zeros({heads, length, length}, torch::kDouble);
  auto qa = q.contiguous(), ka = k.contiguous();
  const auto qp = qa.accessor<double, 3>(), kp = ka.accessor<double, 3>();
  auto pp = probs.accessor<double, 3>();
  for (int64_t h = 0; h < heads; ++h) {
    const int64_t g = kv_of(h);
    for (int64_t i = 0; i < length; ++i) {
      std::vector<double> score(size_t(i + 1), -INFINITY);
      double top = -INFINITY;
      for (int64_t j = 0; j <= i; ++j) {
        if (window > 0 && i - j >= window) continue;
        double dot = 0;
        for (int64_t d = 0; d < dim; ++d) dot += qp[h][i][d] * kp[g][j][d];
        score[size_t(j)] = dot * scale;
        top = std::max(top, score[size_t(j)]);
      }
      double sum = 0;
      for (int64_t j = 0; j <= i; ++j) sum += std::isinf(score[size_t(j)]) ? 0.0 : std::exp(score[size_t(j)] - top);
      for (int64_t j = 0; j <= i; ++j)
        pp[h][i][j] = std::isinf(score[size_t(j)]) ? 0.0 : std::exp(score[size_t(j)] - top) / sum;
    }
  }
  std::vector<torch::Tensor> outs;
  for (int64_t h = 0; h < heads; ++h) outs.push_back(probs[h].mm(v[kv_of(h)]));  // [T, Dv]
  *mixed = torch::cat(outs, 1);
  return probs;
}

// Splits [T, H*D] into [H, T, D].
torch::Tensor heads_of(const torch::Tensor& x, int64_t heads) {
  return x.view({x.size(0), heads, x.size(1) / heads}).permute({1, 0, 2}).contiguous();
}

Reference gpt2_reference(const Weights& W, const hm::ModelConfig& c, const torch::Tensor& ids, const Mistake&) {
  const std::string p = "transformer.";
  const int64_t length = ids.size(0), hidden = c.hidden_size, heads = c.num_attention_heads;
  auto x = w(W, p + "wte.weight").index_select(0, ids) + w(W, p + "wpe.weight").narrow(0, 0, length);
  std::vector<torch::Tensor> probs;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string b = p + "h." + std::to_string(l) + ".";
    const auto a = layer_norm(x, w(W, b + "ln_1.weight"), w(W, b + "ln_1.bias"), c.layer_norm_epsilon);
    const auto qkv = a.mm(w(W, b + "attn.c_attn.weight")) + w(W, b + "attn.c_attn.bias");  // Conv1D: [in, out]
    double scale = c.scale_attn_weights ? 1.0 / std::sqrt(double(c.head_dim)) : 1.0;
    if (c.scale_attn_by_inverse_layer_idx) scale /= double(l + 1);
    torch::Tensor mixed;
    probs.push_back(loop_attention(heads_of(qkv.narrow(1, 0, hidden), heads), heads_of(qkv.narrow(1, hidden, hidden), heads),
                                   heads_of(qkv.narrow(1, 2 * hidden, hidden), heads), scale, 0,
                                   [](int64_t h) { return h; }, &mixed));
    x = x + mixed.mm(w(W, b + "attn.c_proj.weight")) + w(W, b + "attn.c_proj.bias");
    const auto m = layer_norm(x, w(W, b + "ln_2.weight"), w(W, b + "ln_2.bias"), c.layer_norm_epsilon);
    const auto inner = activation(m.mm(w(W, b + "mlp.c_fc.weight")) + w(W, b + "mlp.c_fc.bias"), c.activation);
    x = x + inner.mm(w(W, b + "mlp.c_proj.weight")) + w(W, b + "mlp.c_proj.bias");
  }
  x = layer_norm(x, w(W, p + "ln_f.weight"), w(W, p + "ln_f.bias"), c.layer_norm_epsilon);
  return {x.mm(w(W, p + "wte.weight").t()), torch::stack(probs)};
}

Reference gpt_neo_reference(const Weights& W, const hm::ModelConfig& c, const torch::Tensor& ids, const Mistake& mistake) {
  const std::string p = "transformer.";
  const int64_t length = ids.size(0), heads = c.num_attention_heads;
  auto x = w(W, p + "wte.weight").index_select(0, ids) + w(W, p + "wpe.weight").narrow(0, 0, length);
  std::vector<torch::Tensor> probs;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string b = p + "h." + std::to_string(l) + ".";
    const auto a = layer_norm(x, w(W, b + "ln_1.weight"), w(W, b + "ln_1.bias"), c.layer_norm_epsilon);
    const std::string at = b + "attn.attention.";
    // GPT-Neo does not scale its scores; local layers see the last window_size keys.
    const double scale = mistake.scale_by_sqrt_head_dim ? 1.0 / std::sqrt(double(c.head_dim)) : 1.0;
    const int64_t window = c.attention_layers[size_t(l)] == "local" && !mistake.ignore_window ? c.window_size : 0;
    torch::Tensor mixed;
    probs.push_back(loop_attention(heads_of(linear(W, at + "q_proj", a), heads), heads_of(linear(W, at + "k_proj", a), heads),
                                   heads_of(linear(W, at + "v_proj", a), heads), scale, window,
                                   [](int64_t h) { return h; }, &mixed));
    x = x + linear(W, at + "out_proj", mixed);
    const auto m = layer_norm(x, w(W, b + "ln_2.weight"), w(W, b + "ln_2.bias"), c.layer_norm_epsilon);
    x = x + linear(W, b + "mlp.c_proj", activation(linear(W, b + "mlp.c_fc", m), c.activation));
  }
  x = layer_norm(x, w(W, p + "ln_f.weight"), w(W, p + "ln_f.bias"), c.layer_norm_epsilon);
  return {x.mm(w(W, p + "wte.weight").t()), torch::stack(probs)};
}

Reference gpt_neox_reference(const Weights& W, const hm::ModelConfig& c, const torch::Tensor& ids, const Mistake&) {
  const std::string p = "gpt_neox.";
  const int64_t heads = c.num_attention_heads, dim = c.head_dim;
  const int64_t rotary = int64_t(double(dim) * c.rotary_pct);
  auto x = w(W, p + "embed_in.weight").index_select(0, ids);
  std::vector<torch::Tensor> probs;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string b = p + "layers." + std::to_string(l) + ".";
    const auto a = layer_norm(x, w(W, b + "input_layernorm.weight"), w(W, b + "input_layernorm.bias"), c.layer_norm_epsilon);
    // The fused projection holds [q_h | k_h | v_h] for each head in turn.
    const auto qkv = linear(W, b + "attention.query_key_value", a).view({-1, heads, 3 * dim}).permute({1, 0, 2});
    const auto q = rotate(qkv.narrow(2, 0, dim), rotary, c.rope_theta);
    const auto k = rotate(qkv.narrow(2, dim, dim), rotary, c.rope_theta);
    torch::Tensor mixed;
    probs.push_back(loop_attention(q, k, qkv.narrow(2, 2 * dim, dim).contiguous(), 1.0 / std::sqrt(double(dim)), 0,
                                   [](int64_t h) { return h; }, &mixed));
    const auto attn = linear(W, b + "attention.dense", mixed);
    auto mlp = [&](const torch::Tensor& in) {
      const auto m = layer_norm(in, w(W, b + "post_attention_layernorm.weight"), w(W, b + "post_attention_layernorm.bias"),
                                c.layer_norm_epsilon);
      return linear(W, b + "mlp.dense_4h_to_h", activation(linear(W, b + "mlp.dense_h_to_4h", m), c.activation));
    };
    if (c.use_parallel_residual) {
      x = x + attn + mlp(x);
    } else {
      x = x + attn;
      x = x + mlp(x);
    }
  }
  x = layer_norm(x, w(W, p + "final_layer_norm.weight"), w(W, p + "final_layer_norm.bias"), c.layer_norm_epsilon);
  return {x.mm(w(W, "embed_out.weight").t()), torch::stack(probs)};
}

// Llama, and Qwen3 when the checkpoint has q_norm / k_norm.
Reference llama_reference(const Weights& W, const hm::ModelConfig& c, const torch::Tensor& ids, const Mistake& mistake) {
  const std::string p = "model.";
  const int64_t heads = c.num_attention_heads, kv_heads = c.num_key_value_heads, dim = c.head_dim;
  const int64_t group = heads / kv_heads;
  auto x = w(W, p + "embed_tokens.weight").index_select(0, ids);
  std::vector<torch::Tensor> probs;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string b = p + "layers." + std::to_string(l) + ".";
    const auto a = rms_norm(x, w(W, b + "input_layernorm.weight"), c.rms_norm_eps);
    auto q = heads_of(linear(W, b + "self_attn.q_proj", a), heads);
    auto k = heads_of(linear(W, b + "self_attn.k_proj", a), kv_heads);
    const auto v = heads_of(linear(W, b + "self_attn.v_proj", a), kv_heads);
    if (has(W, b + "self_attn.q_norm.weight")) {
      q = rms_norm(q, w(W, b + "self_attn.q_norm.weight"), c.rms_norm_eps);
      k = rms_norm(k, w(W, b + "self_attn.k_norm.weight"), c.rms_norm_eps);
    }
    q = rotate(q, dim, c.rope_theta);
    k = rotate(k, dim, c.rope_theta);
    std::function<int64_t(int64_t)> kv_of = [group](int64_t h) { return h / group; };
    if (mistake.interleaved_kv_heads) kv_of = [kv_heads](int64_t h) { return h % kv_heads; };
    torch::Tensor mixed;
    probs.push_back(loop_attention(q, k, v, 1.0 / std::sqrt(double(dim)), 0, kv_of, &mixed));
    x = x + linear(W, b + "self_attn.o_proj", mixed);
    const auto m = rms_norm(x, w(W, b + "post_attention_layernorm.weight"), c.rms_norm_eps);
    x = x + linear(W, b + "mlp.down_proj",
                   activation(linear(W, b + "mlp.gate_proj", m), c.activation) * linear(W, b + "mlp.up_proj", m));
  }
  x = rms_norm(x, w(W, p + "norm.weight"), c.rms_norm_eps);
  const auto head = has(W, "lm_head.weight") ? w(W, "lm_head.weight") : w(W, p + "embed_tokens.weight");
  return {x.mm(head.t()), torch::stack(probs)};
}

Reference reference_for(const Weights& W, const hm::ModelConfig& c, const torch::Tensor& ids, const Mistake& mistake = {}) {
  torch::NoGradGuard no_grad;
  if (c.model_type == "gpt2") return gpt2_reference(W, c, ids, mistake);
  if (c.model_type == "gpt_neo") return gpt_neo_reference(W, c, ids, mistake);
  if (c.model_type == "gpt_neox") return gpt_neox_reference(W, c, ids, mistake);
  return llama_reference(W, c, ids, mistake);
}

// Every row sums to 1; nothing above the diagonal, nor (local layers) outside the window.
void expect_rows_are_causal_distributions(const hm::AttentionMaps& maps) {
  const auto& p = maps.probs;
  const int64_t length = p.size(2);
  EXPECT_LE((p.sum(-1) - 1).abs().max().item<double>(), 1e-5);
  const auto distance = torch::arange(length).unsqueeze(1) - torch::arange(length).unsqueeze(0);  // i - j
  for (int64_t l = 0; l < p.size(0); ++l) {
    auto outside = distance.lt(0);
    if (maps.window[size_t(l)] > 0) outside = outside.logical_or(distance.ge(maps.window[size_t(l)]));
    EXPECT_EQ(p[l].masked_select(outside.unsqueeze(0).expand_as(p[l])).abs().max().item<double>(), 0.0) << "layer " << l;
    // Inside, attention is spread (softmax never gives an exact zero to an allowed key here).
    EXPECT_GT(p[l].masked_select(outside.logical_not().unsqueeze(0).expand_as(p[l])).min().item<double>(), 0.0);
  }
}

class AttentionMapsFixture : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    HARMONIA_REQUIRE_SHARED();
    harmonia::compute::set_compute_threads(2);
    dir_ = ht::shared_dir() / "fixtures" / GetParam();
    model_ = hm::load_model(dir_);
    // The checkpoint's own tensors, read apart from the model's loader.
    weights_ = hm::SafetensorsReader(dir_ / "model.safetensors").all_tensors();
    ids_ = ht::ids_tensor(ht::read_json(dir_ / "fixtures.json")["input_ids"])[0];
    expected_logits_ = hm::SafetensorsReader(dir_ / "fixtures.safetensors").tensor("logits")[0];
  }
  std::filesystem::path dir_;
  std::shared_ptr<hm::CausalLM> model_;
  Weights weights_;
  torch::Tensor ids_, expected_logits_;
};

TEST_P(AttentionMapsFixture, EqualAnIndependentLoopThatReproducesTransformersLogits) {
  const auto& c = model_->config();
  const auto reference = reference_for(weights_, c, ids_);
  // The reference is right: it gives transformers' logits for this sequence.
  const double logit_diff = ht::max_abs_diff(reference.logits, expected_logits_);
  std::cout << GetParam() << " reference vs transformers logits " << logit_diff << "\n";
  ASSERT_LE(logit_diff, 1e-4);

  const auto maps = hm::attention_maps(*model_, ids_);
  ASSERT_TRUE(maps.unavailable.empty());
  ASSERT_EQ(maps.probs.sizes(),
            (std::vector<int64_t>{c.num_hidden_layers, c.num_attention_heads, ids_.size(0), ids_.size(0)}));
  expect_rows_are_causal_distributions(maps);
  const double diff = ht::max_abs_diff(maps.probs, reference.probs);
  std::cout << GetParam() << " captured vs loop attention " << diff << "\n";
  EXPECT_LE(diff, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(HfFixtures, AttentionMapsFixture,
                         ::testing::Values("hf/gpt2", "hf/gpt_neo", "hf/llama", "hf-more/gpt2-upcast", "hf-more/gpt_neox",
                                           "hf-more/gpt_neox-serial"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (auto& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

class AttentionMapsChecks : public ::testing::Test {
 protected:
  void SetUp() override {
    HARMONIA_REQUIRE_SHARED();
    harmonia::compute::set_compute_threads(2);
  }
  static std::shared_ptr<hm::CausalLM> load(const std::string& fixture) {
    return hm::load_model(ht::shared_dir() / "fixtures" / fixture);
  }
  static Weights weights(const std::string& fixture) {
    return hm::SafetensorsReader(ht::shared_dir() / "fixtures" / fixture / "model.safetensors").all_tensors();
  }
  static torch::Tensor ids(const std::string& fixture) {
    return ht::ids_tensor(ht::read_json(ht::shared_dir() / "fixtures" / fixture / "fixtures.json")["input_ids"])[0];
  }
};

// The comparison above would catch GPT-Neo scaled like GPT-2, or its local window ignored.
TEST_F(AttentionMapsChecks, GptNeoUnscaledScoresAndLocalWindowAreWhatIsCaptured) {
  auto model = load("hf/gpt_neo");
  const auto& c = model->config();
  ASSERT_EQ(c.attention_layers, (std::vector<std::string>{"global", "local"}));
  ASSERT_LT(c.window_size, ids("hf/gpt_neo").size(0));  // the window really cuts
  const auto maps = hm::attention_maps(*model, ids("hf/gpt_neo"));
  EXPECT_EQ(maps.window, (std::vector<int64_t>{0, c.window_size}));
  Mistake scaled;
  scaled.scale_by_sqrt_head_dim = true;
  EXPECT_GT(ht::max_abs_diff(maps.probs, reference_for(weights("hf/gpt_neo"), c, ids("hf/gpt_neo"), scaled).probs), 1e-2);
  Mistake global;
  global.ignore_window = true;
  EXPECT_GT(ht::max_abs_diff(maps.probs, reference_for(weights("hf/gpt_neo"), c, ids("hf/gpt_neo"), global).probs), 1e-2);
}

// ... and a GQA head mapped to the wrong kv head.
TEST_F(AttentionMapsChecks, LlamaGroupedQueryHeadsReadTheirOwnKvHead) {
  auto model = load("hf/llama");
  ASSERT_EQ(model->config().num_key_value_heads * 2, model->config().num_attention_heads);
  const auto maps = hm::attention_maps(*model, ids("hf/llama"));
  Mistake interleaved;
  interleaved.interleaved_kv_heads = true;
  const auto wrong = reference_for(weights("hf/llama"), model->config(), ids("hf/llama"), interleaved);
  EXPECT_GT(ht::max_abs_diff(maps.probs, wrong.probs), 1e-2);
  // The wrong mapping changes the logits too: transformers' fixture rules it out.
  const auto expected = hm::SafetensorsReader(ht::shared_dir() / "fixtures/hf/llama/fixtures.safetensors").tensor("logits")[0];
  EXPECT_GT(ht::max_abs_diff(wrong.logits, expected), 1e-3);
}

// Qwen3 has no transformers fixture: its reference (Llama + per-head q/k RMSNorm) is checked
// against our model's logits, then the captured attention against the reference's.
TEST_F(AttentionMapsChecks, Qwen3PerHeadNormAndGqaMatchTheLoop) {
  auto c = hm::preset_config("tiny", "qwen3", 50);
  c.hidden_size = 32;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.head_dim = 12;
  c.intermediate_size = 64;
  c.max_position_embeddings = 32;
  torch::manual_seed(11);
  auto model = hm::create_model(c);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameters()) p.add_(torch::randn_like(p) * 0.1);
  }
  model->eval();
  const auto weights = model->hf_state_dict();
  ASSERT_TRUE(weights.count("model.layers.0.self_attn.q_norm.weight"));
  const auto sequence = torch::randint(0, 50, {20}, torch::kLong);
  const auto reference = reference_for(weights, c, sequence);
  torch::NoGradGuard no_grad;
  EXPECT_LE(ht::max_abs_diff(reference.logits, model->forward(sequence.unsqueeze(0))[0]), 1e-4);
  const auto maps = hm::attention_maps(*model, sequence);
  expect_rows_are_causal_distributions(maps);
  EXPECT_LE(ht::max_abs_diff(maps.probs, reference.probs), 1e-5);
  Mistake interleaved;
  interleaved.interleaved_kv_heads = true;
  EXPECT_GT(ht::max_abs_diff(maps.probs, reference_for(weights, c, sequence, interleaved).probs), 1e-2);
}

TEST_F(AttentionMapsChecks, RecordingLeavesTheLogitsAsTheyAre) {
  auto model = load("hf/llama");
  const auto batch = ht::ids_tensor(ht::read_json(ht::shared_dir() / "fixtures/hf/llama/fixtures.json")["input_ids"]);
  torch::NoGradGuard no_grad;
  const auto plain = model->forward(batch);
  torch::Tensor recorded;
  {
    hm::AttentionRecorder recorder;
    recorded = model->forward(batch);
    EXPECT_EQ(recorder.calls().size(), 2u);
  }
  EXPECT_EQ(hm::AttentionRecorder::active(), nullptr);
  EXPECT_LE(ht::max_abs_diff(plain, recorded), 1e-5);
}

TEST_F(AttentionMapsChecks, MambaSaysItHasNoAttention) {
  auto model = load("hf-more/mamba");
  const auto maps = hm::attention_maps(*model, ids("hf-more/mamba"));
  EXPECT_FALSE(maps.probs.defined());
  EXPECT_NE(maps.unavailable.find("no attention (state-space model)"), std::string::npos) << maps.unavailable;
}

TEST_F(AttentionMapsChecks, ASequenceTooLongForTheModelIsAClearError) {
  auto model = load("hf/gpt2");  // 64 positions
  try {
    hm::attention_maps(*model, torch::zeros({65}, torch::kLong));
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("65 positions exceed"), std::string::npos) << e.what();
  }
  EXPECT_THROW(hm::attention_maps(*model, torch::zeros({2, 3}, torch::kLong)), std::invalid_argument);
}

}  // namespace
