// RoPE scaling kinds without transformers fixtures (llama3, yarn) checked against the formulas
// of transformers' modeling_rope_utils written out independently here in double precision;
// dynamic NTK's bases against the values the hf-more fixture generator recorded; the config
// errors a hostile or unsupported rope_scaling gets.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/compute/threads.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"
#include "core/model/rope_scaling.hpp"
#include "fixture_helpers.hpp"

namespace hm = harmonia::model;
namespace ht = harmonia::test;

namespace {

constexpr double kPi = 3.14159265358979323846;

double plain_inv_freq(int64_t i, int64_t dim, double theta) { return std::pow(theta, -2.0 * i / dim); }

void expect_inverse_frequencies(const torch::Tensor& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.numel(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual[static_cast<int64_t>(i)].item<double>(), expected[i], 2e-6 * expected[i] + 1e-12) << "i=" << i;
}

hm::RopeScaling parse(const nlohmann::json& json) { return hm::parse_rope_scaling(&json); }

TEST(RopeScaling, Llama3MatchesTheFormulaForLlama31) {
  // Llama 3.1 8B: head_dim 128, theta 500000, factor 8, low 1, high 4, original context 8192.
  const auto s = parse({{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0},
                        {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 8192}});
  hm::RotaryEmbedding rope(128, 500000.0, 131072, s);
  std::vector<double> expected;
  int kept = 0, divided = 0, blended = 0;
  for (int64_t i = 0; i < 64; ++i) {
    const double inv = plain_inv_freq(i, 128, 500000.0), wavelen = 2 * kPi / inv;
    if (wavelen < 8192.0 / 4.0) {
      expected.push_back(inv), ++kept;
    } else if (wavelen > 8192.0 / 1.0) {
      expected.push_back(inv / 8.0), ++divided;
    } else {
      const double smooth = (8192.0 / wavelen - 1.0) / (4.0 - 1.0);
      expected.push_back((1 - smooth) * inv / 8.0 + smooth * inv), ++blended;
    }
  }
  EXPECT_GT(kept, 0);  // the example covers all three bands
  EXPECT_GT(divided, 0);
  EXPECT_GT(blended, 0);
  expect_inverse_frequencies(rope.inverse_frequencies(10), expected);
  expect_inverse_frequencies(rope.inverse_frequencies(100000), expected);  // no length dependence
  EXPECT_EQ(rope.attention_scaling(), 1.0);
}

std::vector<double> yarn_expected(int64_t dim, double theta, double factor, double original, double beta_fast,
                                  double beta_slow, bool truncate) {
  auto dim_for = [&](double rotations) { return dim * std::log(original / (rotations * 2 * kPi)) / (2 * std::log(theta)); };
  double low = dim_for(beta_fast), high = dim_for(beta_slow);
  if (truncate) low = std::floor(low), high = std::ceil(high);
  low = std::max(low, 0.0), high = std::min(high, dim - 1.0);
  std::vector<double> out;
  for (int64_t i = 0; i < dim / 2; ++i) {
    const double inv = plain_inv_freq(i, dim, theta);
    const double ramp = std::min(1.0, std::max(0.0, (i - low) / (high - low)));  // 0: extrapolate, 1: interpolate
    out.push_back(inv / factor * ramp + inv * (1 - ramp));
  }
  return out;
}

TEST(RopeScaling, YarnMatchesTheFormulaAndScalesCosSin) {
  // Qwen2.5-style: head_dim 128, theta 1e6, factor 4 over a 32768 original context.
  const auto s = parse({{"type", "yarn"}, {"factor", 4.0}, {"original_max_position_embeddings", 32768}});
  hm::RotaryEmbedding rope(128, 1e6, 32768, s);
  const auto expected = yarn_expected(128, 1e6, 4.0, 32768.0, 32.0, 1.0, true);
  expect_inverse_frequencies(rope.inverse_frequencies(7), expected);
  const double attention = 0.1 * std::log(4.0) + 1.0;
  EXPECT_NEAR(rope.attention_scaling(), attention, 1e-12);
  const auto [cos, sin] = rope.cos_sin(torch::tensor({{0L, 5L, 3000L}}), 3001);
  ASSERT_EQ(cos.sizes(), (std::vector<int64_t>{1, 1, 3, 128}));
  for (int64_t i : {0, 20, 63}) {
    const double angle = 3000.0 * expected[i];
    EXPECT_NEAR(cos[0][0][2][i].item<double>(), attention * std::cos(angle), 2e-3 * attention) << i;
    EXPECT_NEAR(sin[0][0][1][i + 64].item<double>(), attention * std::sin(5.0 * expected[i]), 1e-5) << i;
  }
  // Without truncation and with other betas the ramp moves.
  const auto untruncated = parse({{"rope_type", "yarn"}, {"factor", 8.0}, {"beta_fast", 16.0}, {"beta_slow", 2.0},
                                  {"truncate", false}});
  hm::RotaryEmbedding rope2(64, 10000.0, 4096, untruncated);
  expect_inverse_frequencies(rope2.inverse_frequencies(1), yarn_expected(64, 10000.0, 8.0, 4096.0, 16.0, 2.0, false));
  // DeepSeek-style mscale: attention factor is the ratio of the two mscales.
  const auto deepseek = parse({{"rope_type", "yarn"}, {"factor", 40.0}, {"mscale", 0.707}, {"mscale_all_dim", 1.0},
                               {"original_max_position_embeddings", 4096}});
  hm::RotaryEmbedding rope3(64, 10000.0, 163840, deepseek);
  EXPECT_NEAR(rope3.attention_scaling(), (0.1 * 0.707 * std::log(40.0) + 1) / (0.1 * std::log(40.0) + 1), 1e-12);
  // Only the original context given: factor = max_position_embeddings / original.
  hm::RotaryEmbedding derived(64, 10000.0, 16384, parse({{"rope_type", "yarn"}, {"original_max_position_embeddings", 4096}}));
  expect_inverse_frequencies(derived.inverse_frequencies(1), yarn_expected(64, 10000.0, 4.0, 4096.0, 32.0, 1.0, true));
}

TEST(RopeScaling, DynamicNtkBasesAreTheOnesTransformersUsed) {
  // hf-more/llama-rope-dynamic fixtures.json "dynamic_ntk": theta 1e4, head_dim 16, max 16, factor 2.
  hm::RotaryEmbedding rope(16, 10000.0, 16, parse({{"type", "dynamic"}, {"factor", 2.0}}));
  EXPECT_EQ(rope.dynamic_base(16), 10000.0);
  EXPECT_NEAR(rope.dynamic_base(17), 11440.895680093674, 1e-8);
  EXPECT_NEAR(rope.dynamic_base(20), 15894.510340005725, 1e-8);
  EXPECT_NEAR(rope.dynamic_base(24), 22081.790273476247, 1e-8);
  std::vector<double> expected;
  for (int64_t i = 0; i < 8; ++i) expected.push_back(plain_inv_freq(i, 16, 22081.790273476247));
  expect_inverse_frequencies(rope.inverse_frequencies(24), expected);
}

TEST(RopeScaling, LinearDividesThePositions) {
  hm::RotaryEmbedding rope(8, 10000.0, 64, parse({{"type", "linear"}, {"factor", 4.0}}));
  const auto [cos, sin] = rope.cos_sin(torch::tensor({{9L}}), 10);
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(cos[0][0][0][i].item<double>(), std::cos(9.0 / 4.0 * plain_inv_freq(i, 8, 1e4)), 1e-6);
    EXPECT_NEAR(sin[0][0][0][i + 4].item<double>(), std::sin(9.0 / 4.0 * plain_inv_freq(i, 8, 1e4)), 1e-6);
  }
}

std::string rope_error(const nlohmann::json& rope_scaling) {
  nlohmann::json json = {{"model_type", "llama"}, {"vocab_size", 10}, {"hidden_size", 32}, {"num_attention_heads", 4},
                         {"num_hidden_layers", 1}, {"rope_scaling", rope_scaling}};
  try {
    hm::config_from_json(json, "cfg.json");
  } catch (const hm::ModelConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(RopeScaling, BadOrUnsupportedSettingsAreRefusedByName) {
  EXPECT_NE(rope_error({{"type", "longrope"}, {"factor", 2.0}}).find("longrope"), std::string::npos);
  EXPECT_NE(rope_error({{"type", "su"}}).find("\"su\" is not supported"), std::string::npos);
  EXPECT_NE(rope_error({{"type", "linear"}}).find("factor"), std::string::npos);
  EXPECT_NE(rope_error({{"type", "linear"}, {"factor", -2.0}}).find("positive"), std::string::npos);
  EXPECT_NE(rope_error({{"type", "dynamic"}, {"factor", 2.0}, {"original_max_position_embeddings", 8}})
                .find("original_max_position_embeddings"),
            std::string::npos);
  EXPECT_NE(rope_error({{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0}})
                .find("original_max_position_embeddings"),
            std::string::npos);
  EXPECT_NE(rope_error({{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 4.0}, {"high_freq_factor", 4.0},
                        {"original_max_position_embeddings", 8192}})
                .find("low_freq_factor"),
            std::string::npos);
  EXPECT_NE(rope_error({{"type", "linear"}, {"factor", 2.0}, {"mystery", 1}}).find("mystery"), std::string::npos);
  EXPECT_NE(rope_error({{"factor", 2.0}}).find("rope_type"), std::string::npos);
  EXPECT_NE(rope_error("linear").find("object"), std::string::npos);
  EXPECT_EQ(rope_error(nullptr), "");
  EXPECT_EQ(rope_error({{"type", "default"}}), "");
}

TEST(RopeScaling, ConfigRoundTripKeepsTheSettings) {
  for (const nlohmann::json& rs :
       {nlohmann::json{{"type", "linear"}, {"factor", 2.0}}, nlohmann::json{{"type", "dynamic"}, {"factor", 3.0}},
        nlohmann::json{{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0},
                       {"original_max_position_embeddings", 64}},
        nlohmann::json{{"rope_type", "yarn"}, {"factor", 4.0}, {"beta_fast", 16.0}, {"attention_factor", 1.3}}}) {
    nlohmann::json json = {{"model_type", "qwen3"}, {"vocab_size", 10}, {"hidden_size", 32}, {"head_dim", 8},
                           {"num_attention_heads", 4}, {"num_hidden_layers", 1}, {"rope_scaling", rs}};
    const auto first = hm::config_from_json(json);
    const auto again = hm::config_from_json(hm::config_to_json(first));
    EXPECT_EQ(again.rope_scaling.type, first.rope_scaling.type);
    EXPECT_EQ(again.rope_scaling.factor, first.rope_scaling.factor);
    EXPECT_EQ(again.rope_scaling.original_max_position_embeddings, first.rope_scaling.original_max_position_embeddings);
    EXPECT_EQ(again.rope_scaling.beta_fast, first.rope_scaling.beta_fast);
    EXPECT_EQ(again.rope_scaling.attention_factor, first.rope_scaling.attention_factor);
  }
}

// Each kind in a whole model: the KV cache still reproduces the full pass (every kind but dynamic
// is position-wise), and the scaling really changes the logits.
TEST(RopeScaling, ScaledLlamaModelsDecodeConsistently) {
  harmonia::compute::set_compute_threads(2);
  for (const nlohmann::json& rs :
       {nlohmann::json{{"type", "linear"}, {"factor", 3.0}},
        nlohmann::json{{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0},
                       {"original_max_position_embeddings", 8}},
        nlohmann::json{{"rope_type", "yarn"}, {"factor", 4.0}, {"original_max_position_embeddings", 8}}}) {
    auto c = hm::preset_config("tiny", "llama", 40);
    c.hidden_size = 32, c.num_hidden_layers = 2, c.num_attention_heads = 4, c.num_key_value_heads = 2, c.head_dim = 8;
    c.intermediate_size = 48, c.max_position_embeddings = 32;
    torch::manual_seed(5);
    auto plain = hm::create_model(c);
    c.rope_scaling = hm::parse_rope_scaling(&rs);
    auto scaled = hm::create_model(c);
    scaled->load_hf_state_dict(plain->hf_state_dict(), "copy");
    plain->eval(), scaled->eval();
    torch::NoGradGuard no_grad;
    const auto ids = torch::randint(0, 40, {2, 12}, torch::kLong);
    const auto full = scaled->forward(ids);
    EXPECT_GT(ht::max_abs_diff(full, plain->forward(ids)), 1e-4) << rs.dump();
    auto cache = scaled->make_cache();
    scaled->forward(ids.narrow(1, 0, 7), {}, &cache);
    for (int64_t pos = 7; pos < 12; ++pos)
      EXPECT_LE(ht::max_abs_diff(scaled->forward(ids.narrow(1, pos, 1), {}, &cache), full.narrow(1, pos, 1)), 1e-5)
          << rs.dump() << " at " << pos;
  }
}

}  // namespace
