// Config options that the transformers fixtures do not exercise, checked against their
// definitions: every named activation against its formula, and GPT-2's attention scaling
// switches against an equivalent model with rescaled query weights.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>

#include "core/compute/threads.hpp"
#include "core/model/activations.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"
#include "fixture_helpers.hpp"

namespace hm = harmonia::model;
namespace ht = harmonia::test;

namespace {

// Each formula written out in double precision, per transformers' activations.py.
double reference_activation(const std::string& name, double x) {
  const double pi = 3.14159265358979323846;
  auto erf_gelu = [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); };
  auto tanh_gelu = [&](double v) { return 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / pi) * (v + 0.044715 * v * v * v))); };
  auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast" || name == "gelu_accurate")
    return tanh_gelu(x);
  if (name == "gelu" || name == "gelu_python") return erf_gelu(x);
  if (name == "gelu_10") return std::min(10.0, std::max(-10.0, erf_gelu(x)));
  if (name == "quick_gelu") return x * sigmoid(1.702 * x);
  if (name == "relu") return std::max(0.0, x);
  if (name == "relu2") return std::max(0.0, x) * std::max(0.0, x);
  if (name == "relu6") return std::min(6.0, std::max(0.0, x));
  if (name == "leaky_relu") return x >= 0 ? x : 0.01 * x;
  if (name == "silu" || name == "swish") return x * sigmoid(x);
  if (name == "mish") return x * std::tanh(std::log1p(std::exp(x)));
  if (name == "tanh") return std::tanh(x);
  if (name == "sigmoid") return sigmoid(x);
  if (name == "linear") return x;
  if (name == "laplace") return 0.5 * (1.0 + std::erf((x - 0.707107) / (0.282095 * std::sqrt(2.0))));
  ADD_FAILURE() << "no reference formula for " << name;
  return 0;
}

TEST(ModelOptions, EveryActivationMatchesItsFormula) {
  const std::vector<double> xs = {-12.0, -3.0, -1.0, -0.3, 0.0, 0.2, 0.7, 1.5, 4.0, 8.0, 11.0};
  const auto input = torch::tensor(xs, torch::kFloat);
  for (const auto& name : hm::supported_activations()) {
    const auto out = hm::activate(input, name);
    for (size_t i = 0; i < xs.size(); ++i)
      EXPECT_NEAR(out[static_cast<int64_t>(i)].item<double>(), reference_activation(name, xs[i]), 2e-5)
          << name << " at " << xs[i];
  }
  EXPECT_THROW(hm::activate(input, "prelu"), std::invalid_argument);
}

TEST(ModelOptions, Gpt2ActivationVariantsAreAcceptedAndUsed) {
  auto c = hm::preset_config("tiny", "gpt2", 40);
  c.hidden_size = 32;
  c.num_hidden_layers = 1;
  c.num_attention_heads = 2;
  c.num_key_value_heads = 2;
  c.head_dim = 16;
  c.intermediate_size = 48;  // n_inner other than 4 * hidden
  const auto ids = torch::randint(0, 40, {1, 6}, torch::kLong);
  torch::NoGradGuard no_grad;
  torch::manual_seed(3);
  auto tanh_model = hm::create_model(c);
  c.activation = "quick_gelu";
  auto gelu_model = hm::create_model(c);
  gelu_model->load_hf_state_dict(tanh_model->hf_state_dict(), "copy");
  EXPECT_GT(ht::max_abs_diff(tanh_model->forward(ids), gelu_model->forward(ids)), 1e-6);
  EXPECT_EQ(hm::config_from_json(hm::config_to_json(c)).intermediate_size, 48);
}

// Builds a 3-layer GPT-2 with the given switches and copies `weights` in, scaling each layer's
// query columns of c_attn (weight [in, 3*hidden], bias [3*hidden]) by q_scale(layer).
template <typename QScale>
std::shared_ptr<hm::CausalLM> gpt2_with(const hm::ModelConfig& base, bool scale_weights, bool inverse_layer,
                                        const std::map<std::string, torch::Tensor>& weights, QScale q_scale) {
  auto c = base;
  c.scale_attn_weights = scale_weights;
  c.scale_attn_by_inverse_layer_idx = inverse_layer;
  auto model = hm::create_model(c);
  auto copy = weights;
  for (int64_t layer = 0; layer < c.num_hidden_layers; ++layer) {
    const std::string prefix = "transformer.h." + std::to_string(layer) + ".attn.c_attn.";
    auto w = copy.at(prefix + "weight").clone(), b = copy.at(prefix + "bias").clone();
    w.narrow(1, 0, c.hidden_size).mul_(q_scale(layer));
    b.narrow(0, 0, c.hidden_size).mul_(q_scale(layer));
    copy[prefix + "weight"] = w;
    copy[prefix + "bias"] = b;
  }
  model->load_hf_state_dict(copy, "copy");
  model->eval();
  return model;
}

TEST(ModelOptions, Gpt2AttentionScalingSwitchesEqualRescaledQueries) {
  harmonia::compute::set_compute_threads(2);
  auto c = hm::preset_config("tiny", "gpt2", 40);
  c.hidden_size = 32;
  c.num_hidden_layers = 3;
  c.num_attention_heads = 2;
  c.num_key_value_heads = 2;
  c.head_dim = 16;
  c.intermediate_size = 64;
  c.max_position_embeddings = 16;
  torch::manual_seed(11);
  auto reference = hm::create_model(c);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : reference->parameters()) p.add_(torch::randn_like(p) * 0.3);
  }
  reference->eval();
  const auto weights = reference->hf_state_dict();
  const auto ids = torch::randint(0, 40, {2, 9}, torch::kLong);
  torch::NoGradGuard no_grad;
  const auto expected = reference->forward(ids);
  const double inv_sqrt = 1.0 / std::sqrt(16.0);

  // scale_attn_weights=false leaves q·k unscaled: queries pre-scaled by 1/sqrt(d) give the default.
  auto unscaled = gpt2_with(c, false, false, weights, [&](int64_t) { return inv_sqrt; });
  EXPECT_LE(ht::max_abs_diff(unscaled->forward(ids), expected), 1e-5);
  // Without the pre-scaling the switch must change the logits.
  auto unscaled_raw = gpt2_with(c, false, false, weights, [](int64_t) { return 1.0; });
  EXPECT_GT(ht::max_abs_diff(unscaled_raw->forward(ids), expected), 1e-3);

  // scale_attn_by_inverse_layer_idx divides layer l by l+1: queries pre-scaled by l+1 undo it.
  auto inverse = gpt2_with(c, true, true, weights, [](int64_t layer) { return static_cast<double>(layer + 1); });
  EXPECT_LE(ht::max_abs_diff(inverse->forward(ids), expected), 1e-5);
  auto inverse_cached = inverse->make_cache();
  inverse->forward(ids.narrow(1, 0, 5), {}, &inverse_cached);
  const auto step = inverse->forward(ids.narrow(1, 5, 1), {}, &inverse_cached);
  EXPECT_LE(ht::max_abs_diff(step, expected.narrow(1, 5, 1)), 1e-5);  // the decode kernel sees the scale too
}

TEST(ModelOptions, RefusedGpt2OptionsNameTheOption) {
  nlohmann::json json = {{"model_type", "gpt2"}, {"vocab_size", 10}, {"n_embd", 32}, {"n_head", 2}, {"n_layer", 1},
                         {"add_cross_attention", true}};
  try {
    hm::config_from_json(json, "x.json");
    ADD_FAILURE() << "add_cross_attention=true must be refused";
  } catch (const hm::ModelConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("add_cross_attention"), std::string::npos) << e.what();
  }
  json["add_cross_attention"] = false;
  json["activation_function"] = "prelu";
  try {
    hm::config_from_json(json, "x.json");
    ADD_FAILURE() << "prelu must be refused";
  } catch (const hm::ModelConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("prelu"), std::string::npos) << e.what();
  }
}

// A config.json larger than any model's (a sparse 2 GiB file) is refused by its size before
// nlohmann reads it.
TEST(ModelOptions, HugeConfigFileIsRefusedBeforeItIsRead) {
  const auto dir = ht::scratch_dir("model_huge_config");
  std::filesystem::create_directories(dir);
  { std::ofstream(dir / "config.json") << "{\"model_type\": \"gpt2\"}"; }
  std::filesystem::resize_file(dir / "config.json", uint64_t(2) << 30);
  try {
    hm::read_config(dir / "config.json");
    ADD_FAILURE() << "a 2 GiB config.json was read";
  } catch (const hm::ModelConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("config.json: 2147483648 bytes, larger than any model config"),
              std::string::npos)
        << e.what();
  }
}

TEST(ModelOptions, HostileSizesAreRefusedByName) {
  for (const char* key : {"hidden_size", "vocab_size", "num_hidden_layers", "intermediate_size", "max_position_embeddings"}) {
    nlohmann::json json = {{"model_type", "gpt_neox"}, {"vocab_size", 30},        {"hidden_size", 16},
                           {"intermediate_size", 24},   {"num_attention_heads", 2}, {"num_hidden_layers", 1},
                           {"max_position_embeddings", 32}};
    json[key] = int64_t{1} << 40;
    try {
      hm::config_from_json(json, "x.json");
      ADD_FAILURE() << key << " = 2^40 accepted";
    } catch (const hm::ModelConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("implausibly large"), std::string::npos) << e.what();
    }
    json[key] = -3;
    EXPECT_THROW(hm::config_from_json(json, "x.json"), hm::ModelConfigError) << key;
  }
  nlohmann::json neox = {{"model_type", "gpt_neox"}, {"vocab_size", 30}, {"hidden_size", 16}, {"num_attention_heads", 2},
                         {"num_hidden_layers", 1},   {"rotary_pct", 1.5}};
  EXPECT_THROW(hm::config_from_json(neox), hm::ModelConfigError);
  neox["rotary_pct"] = 0.125;  // 1 of 8 channels: rotation needs pairs
  EXPECT_THROW(hm::config_from_json(neox), hm::ModelConfigError);
}

// Qwen3's sliding window: a one-layer model whose layer slides over W keys must give, at each
// position p, what the same weights give on the W tokens ending at p alone (RoPE only sees
// relative positions, so the shift does not matter); the KV cache must keep to the window too.
TEST(ModelOptions, Qwen3SlidingWindowSeesExactlyTheLastWindowKeys) {
  harmonia::compute::set_compute_threads(2);
  nlohmann::json json = {{"model_type", "qwen3"},       {"vocab_size", 30},        {"hidden_size", 16},
                         {"intermediate_size", 24},      {"num_attention_heads", 2}, {"num_key_value_heads", 1},
                         {"head_dim", 8},                {"num_hidden_layers", 1},   {"use_sliding_window", true},
                         {"sliding_window", 4},          {"max_window_layers", 0},   {"max_position_embeddings", 64}};
  const auto sliding_config = hm::config_from_json(json);
  ASSERT_EQ(sliding_config.attention_layers, std::vector<std::string>{"local"});
  EXPECT_EQ(hm::config_to_json(sliding_config)["layer_types"][0], "sliding_attention");
  json["max_window_layers"] = 1;  // the only layer is below max_window_layers: full attention
  EXPECT_EQ(hm::config_from_json(json).attention_layers, std::vector<std::string>{"global"});
  json["use_sliding_window"] = false;
  const auto full_config = hm::config_from_json(json);
  EXPECT_TRUE(full_config.attention_layers.empty());

  torch::manual_seed(4);
  auto sliding = hm::create_model(sliding_config), full = hm::create_model(full_config);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : sliding->parameters()) p.add_(torch::randn_like(p) * 0.3);
  }
  full->load_hf_state_dict(sliding->hf_state_dict(), "copy");
  sliding->eval(), full->eval();
  torch::NoGradGuard no_grad;
  const auto ids = torch::randint(0, 30, {1, 10}, torch::kLong);
  const auto logits = sliding->forward(ids);
  EXPECT_LE(ht::max_abs_diff(logits.narrow(1, 0, 4), full->forward(ids.narrow(1, 0, 4))), 1e-5);
  for (int64_t p = 4; p < 10; ++p) {
    const auto alone = full->forward(ids.narrow(1, p - 3, 4)).select(1, 3);
    EXPECT_LE(ht::max_abs_diff(logits.select(1, p), alone), 1e-5) << "position " << p;
  }
  EXPECT_GT(ht::max_abs_diff(logits, full->forward(ids)), 1e-4);
  auto cache = sliding->make_cache();
  sliding->forward(ids.narrow(1, 0, 3), {}, &cache);
  for (int64_t p = 3; p < 10; ++p)
    EXPECT_LE(ht::max_abs_diff(sliding->forward(ids.narrow(1, p, 1), {}, &cache), logits.narrow(1, p, 1)), 1e-5) << p;
}

TEST(ModelOptions, InitializerRangeSetsTheInitialWeightSpread) {
  nlohmann::json json = {{"model_type", "llama"},     {"vocab_size", 500},        {"hidden_size", 64},
                         {"intermediate_size", 128}, {"num_attention_heads", 2}, {"num_hidden_layers", 1},
                         {"initializer_range", 0.1}};
  const auto c = hm::config_from_json(json);
  EXPECT_DOUBLE_EQ(hm::config_to_json(c)["initializer_range"].get<double>(), 0.1);
  const auto std_of = [](const hm::ModelConfig& config) {
    return hm::create_model(config)->hf_state_dict().at("model.embed_tokens.weight").std().item<double>();
  };
  EXPECT_NEAR(std_of(c), 0.1, 0.005);
  json.erase("initializer_range");
  EXPECT_NEAR(std_of(hm::config_from_json(json)), 0.02, 0.001);
}

TEST(ModelOptions, LlamaMlpBiasIsLoadedAndUsed) {
  nlohmann::json json = {{"model_type", "llama"},  {"vocab_size", 30},       {"hidden_size", 16},
                         {"intermediate_size", 24}, {"num_attention_heads", 2}, {"num_hidden_layers", 1},
                         {"mlp_bias", true},        {"pretraining_tp", 2}};  // tp slices: same math, accepted
  const auto c = hm::config_from_json(json);
  EXPECT_TRUE(c.mlp_bias);
  EXPECT_TRUE(hm::config_to_json(c)["mlp_bias"].get<bool>());
  torch::manual_seed(2);
  auto model = hm::create_model(c);
  model->eval();
  auto weights = model->hf_state_dict();
  for (const char* name : {"gate_proj", "up_proj", "down_proj"})
    ASSERT_TRUE(weights.count(std::string("model.layers.0.mlp.") + name + ".bias")) << name;
  torch::NoGradGuard no_grad;
  const auto ids = torch::randint(0, 30, {1, 5}, torch::kLong);
  const auto before = model->forward(ids);
  auto changed = weights;
  changed["model.layers.0.mlp.down_proj.bias"] = torch::full({16}, 0.5);
  model->load_hf_state_dict(changed, "copy");
  EXPECT_GT(ht::max_abs_diff(model->forward(ids), before), 1e-3);
  json["pretraining_tp"] = 0;
  EXPECT_THROW(hm::config_from_json(json), hm::ModelConfigError);
}

}  // namespace
