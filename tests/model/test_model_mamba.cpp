// Mamba beyond the parity fixture (test_model_parity.cpp): the fused selective scan and its
// hand-written backward against the per-step autograd reference, on shapes the fixture does
// not have (channels not a multiple of the 64-channel block, several threads, a start state);
// what left padding means; the recurrent state's constant size and its limits; config parsing
// and hostile configs; presets.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/compute/threads.hpp"
#include "core/model/architecture_info.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"
#include "core/model/selective_scan.hpp"
#include "fixture_helpers.hpp"

namespace hm = harmonia::model;
namespace ht = harmonia::test;

namespace {

struct ScanInputs {
  torch::Tensor u, delta, A, B, C, D, state0;
};

// Random inputs in the ranges a Mamba produces (delta > 0 from softplus, A < 0).
ScanInputs random_inputs(int64_t batch, int64_t length, int64_t channels, int64_t states, bool with_state) {
  torch::manual_seed(7);
  ScanInputs in;
  in.u = torch::randn({batch, length, channels});
  in.delta = torch::nn::functional::softplus(torch::randn({batch, length, channels}));
  in.A = -torch::exp(torch::randn({channels, states}) * 0.5);
  in.B = torch::randn({batch, length, states});
  in.C = torch::randn({batch, length, states});
  in.D = torch::randn({channels});
  if (with_state) in.state0 = torch::randn({batch, channels, states});
  return in;
}

std::vector<torch::Tensor> leaves(ScanInputs& in) {
  std::vector<torch::Tensor> out;
  for (auto* t : {&in.u, &in.delta, &in.A, &in.B, &in.C, &in.D, &in.state0})
    if (t->defined()) {
      *t = t->detach().clone().set_requires_grad(true);  // fresh leaves: no gradient shared between runs
      out.push_back(*t);
    }
  return out;
}

// Gradients of sum(y * w) for a fixed random w (the fused scan's final state output is not
// differentiable, so only y carries the loss).
std::vector<torch::Tensor> gradients(bool fused, ScanInputs in, const torch::Tensor& w) {
  auto params = leaves(in);
  const auto r = fused ? hm::selective_scan(in.u, in.delta, in.A, in.B, in.C, in.D, in.state0)
                       : hm::selective_scan_reference(in.u, in.delta, in.A, in.B, in.C, in.D, in.state0);
  (r.y * w).sum().backward();
  std::vector<torch::Tensor> grads;
  for (auto& p : params) grads.push_back(p.grad().clone());
  return grads;
}

class ScanShapes : public ::testing::TestWithParam<std::tuple<int64_t, int64_t, int64_t, bool>> {};

TEST_P(ScanShapes, FusedMatchesTheAutogradReferenceForwardAndBackward) {
  harmonia::compute::set_compute_threads(2);
  const auto [batch, length, channels, with_state] = GetParam();
  const int64_t states = 16;
  auto in = random_inputs(batch, length, channels, states, with_state);
  {
    torch::NoGradGuard no_grad;
    const auto fused = hm::selective_scan(in.u, in.delta, in.A, in.B, in.C, in.D, in.state0);
    const auto ref = hm::selective_scan_reference(in.u, in.delta, in.A, in.B, in.C, in.D, in.state0);
    const double y_diff = ht::max_abs_diff(fused.y, ref.y), s_diff = ht::max_abs_diff(fused.state, ref.state);
    EXPECT_LE(y_diff, 1e-4 * std::max(1.0, ref.y.abs().max().item<double>())) << y_diff;
    EXPECT_LE(s_diff, 1e-4 * std::max(1.0, ref.state.abs().max().item<double>())) << s_diff;
  }
  const auto w = torch::randn({batch, length, channels});
  const auto fused = gradients(true, in, w), ref = gradients(false, in, w);
  ASSERT_EQ(fused.size(), ref.size());
  const char* names[] = {"u", "delta", "A", "B", "C", "D", "state0"};
  for (size_t i = 0; i < fused.size(); ++i) {
    const double scale = std::max(1.0, ref[i].abs().max().item<double>());
    EXPECT_LE(ht::max_abs_diff(fused[i], ref[i]), 1e-4 * scale)
        << "gradient of " << names[i] << " differs by " << ht::max_abs_diff(fused[i], ref[i]) << " (scale " << scale
        << ")";
  }
}

// 1 x 1 x 3: a decoding step and a block narrower than 64; 3 x 40 x 150: three blocks, the last
// partial, run on two threads; 2 x 300 x 64 with a start state (prefill after a cached prefix).
INSTANTIATE_TEST_SUITE_P(Mamba, ScanShapes,
                         ::testing::Values(std::make_tuple(int64_t{1}, int64_t{1}, int64_t{3}, false),
                                           std::make_tuple(int64_t{3}, int64_t{40}, int64_t{150}, false),
                                           std::make_tuple(int64_t{2}, int64_t{300}, int64_t{64}, true)));

TEST(MambaScan, StateAfterAPrefixContinuesExactlyLikeOneLongScan) {
  torch::NoGradGuard no_grad;
  auto in = random_inputs(2, 50, 70, 8, false);
  const auto whole = hm::selective_scan(in.u, in.delta, in.A, in.B, in.C, in.D);
  auto part = [&](const torch::Tensor& t, int64_t from, int64_t n) { return t.narrow(1, from, n); };
  const auto head = hm::selective_scan(part(in.u, 0, 30), part(in.delta, 0, 30), in.A, part(in.B, 0, 30),
                                       part(in.C, 0, 30), in.D);
  const auto tail = hm::selective_scan(part(in.u, 30, 20), part(in.delta, 30, 20), in.A, part(in.B, 30, 20),
                                       part(in.C, 30, 20), in.D, head.state);
  EXPECT_LE(ht::max_abs_diff(torch::cat({head.y, tail.y}, 1), whole.y), 1e-5);
  EXPECT_LE(ht::max_abs_diff(tail.state, whole.state), 1e-5);
}

TEST(MambaScan, BadShapesAreRefusedWithTheirNames) {
  auto in = random_inputs(1, 4, 8, 4, false);
  EXPECT_THROW(hm::selective_scan(in.u, in.delta, in.A.t(), in.B, in.C, in.D), c10::Error);
  EXPECT_THROW(hm::selective_scan(in.u, in.delta.narrow(1, 0, 2), in.A, in.B, in.C, in.D), c10::Error);
  EXPECT_THROW(hm::selective_scan(in.u, in.delta, in.A, in.B, in.C, in.D, torch::zeros({1, 8, 5})), c10::Error);
}

hm::ModelConfig tiny_mamba(int64_t vocab = 50) {
  auto c = hm::preset_config("tiny", "mamba", vocab);
  c.hidden_size = 32;
  c.intermediate_size = 64;
  c.num_hidden_layers = 2;
  c.time_step_rank = 2;
  c.state_size = 8;
  return c;
}

TEST(MambaModel, APaddedRowEqualsTheUnpaddedRowAndPaddingReallyIsMasked) {
  torch::manual_seed(3);
  auto model = hm::create_model(tiny_mamba());
  model->eval();
  torch::NoGradGuard no_grad;
  const auto real = torch::randint(3, 50, {1, 10}, torch::kLong);
  const auto padded = torch::cat({torch::full({1, 4}, 7, torch::kLong), real}, 1);
  const auto mask = torch::cat({torch::zeros({1, 4}, torch::kLong), torch::ones({1, 10}, torch::kLong)}, 1);
  const auto alone = model->forward(real);
  const auto with_mask = model->forward(padded, mask).narrow(1, 4, 10);
  const auto without_mask = model->forward(padded).narrow(1, 4, 10);
  EXPECT_LE(ht::max_abs_diff(with_mask, alone), 1e-5);
  EXPECT_GT(ht::max_abs_diff(without_mask, alone), 1e-3) << "the pad tokens must matter when not masked";
}

TEST(MambaModel, TheRecurrentStateDoesNotGrowAndCannotBeRewound) {
  torch::manual_seed(4);
  auto model = hm::create_model(tiny_mamba());
  model->eval();
  torch::NoGradGuard no_grad;
  auto cache = model->make_cache();
  model->forward(torch::randint(0, 50, {2, 5}, torch::kLong), {}, &cache);
  const auto conv_sizes = cache.recurrent(0).conv.sizes().vec(), ssm_sizes = cache.recurrent(0).ssm.sizes().vec();
  EXPECT_EQ(conv_sizes, (std::vector<int64_t>{2, 3, 64}));
  EXPECT_EQ(ssm_sizes, (std::vector<int64_t>{2, 64, 8}));
  for (int i = 0; i < 40; ++i) model->forward(torch::randint(0, 50, {2, 1}, torch::kLong), {}, &cache);
  EXPECT_EQ(cache.length(), 45);
  EXPECT_EQ(cache.recurrent(1).conv.sizes().vec(), conv_sizes);
  EXPECT_EQ(cache.recurrent(1).ssm.sizes().vec(), ssm_sizes);
  EXPECT_EQ(cache.batch_size(), 2);
  EXPECT_THROW(cache.truncate(10), std::logic_error);
  cache.select_batch(torch::tensor({1}, torch::kLong));
  EXPECT_EQ(cache.batch_size(), 1);
  EXPECT_EQ(cache.recurrent(0).ssm.size(0), 1);
  cache.clear();
  EXPECT_EQ(cache.length(), 0);
  EXPECT_FALSE(cache.recurrent(0).ssm.defined());
}

// Decoding keeps -exp(A_log) between steps; changing A_log in place (an optimizer step, a
// weight load) must reach the next step.
TEST(MambaModel, DecodingSeesAnInPlaceChangeOfALog) {
  // The fixture's weights (a fresh model's mixers barely reach the logits at init).
  HARMONIA_REQUIRE_SHARED();
  auto model = hm::load_model(ht::hf_more_fixture_dir("mamba"));
  torch::NoGradGuard no_grad;
  const auto ids = torch::randint(3, 300, {1, 12}, torch::kLong);
  auto step_logits = [&] {
    auto cache = model->make_cache();
    model->forward(ids.narrow(1, 0, 11), {}, &cache);
    return model->forward(ids.narrow(1, 11, 1), {}, &cache);
  };
  const auto before = step_logits();
  for (auto& item : model->named_parameters())
    if (item.key().find("A_log") != std::string::npos) item.value().fill_(-6.0);  // almost no decay
  const auto after = step_logits();
  torch::Tensor full;
  {
    torch::AutoGradMode grad(true);  // computes -exp(A_log) afresh
    full = model->forward(ids).narrow(1, 11, 1).detach();
  }
  EXPECT_GT(ht::max_abs_diff(before, after), 1e-2);
  EXPECT_LE(ht::max_abs_diff(after, full), 1e-4);
}

TEST(MambaModel, FreshModelHasTransformersSsmInitAndTrainsDown) {
  torch::manual_seed(5);
  auto c = tiny_mamba();
  auto model = hm::create_model(c);
  const auto params = model->hf_state_dict();
  const auto A_log = params.at("backbone.layers.0.mixer.A_log");
  EXPECT_TRUE(torch::allclose(A_log[0], torch::log(torch::arange(1, 9, torch::kFloat))));
  EXPECT_TRUE(torch::equal(params.at("backbone.layers.1.mixer.D"), torch::ones({64})));
  // dt = softplus(bias) lies in [1e-3, 1e-1] after the inverse-softplus init.
  const auto dt = torch::nn::functional::softplus(params.at("backbone.layers.0.mixer.dt_proj.bias"));
  EXPECT_GE(dt.min().item<double>(), 1e-3 * 0.999);
  EXPECT_LE(dt.max().item<double>(), 0.1 * 1.001);
  EXPECT_EQ(params.count("lm_head.weight"), 0u);  // tied

  model->train();
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(3e-3));
  const auto ids = torch::randint(0, 50, {4, 24}, torch::kLong);
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    opt.zero_grad();
    const auto logits = model->forward(ids);
    const auto loss = torch::nn::functional::cross_entropy(logits.narrow(1, 0, 23).reshape({-1, 50}),
                                                           ids.narrow(1, 1, 23).reshape({-1}));
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, first * 0.5) << first << " -> " << last;
}

nlohmann::json mamba_json() {
  return {{"model_type", "mamba"}, {"vocab_size", 40},  {"hidden_size", 32},   {"num_hidden_layers", 2},
          {"state_size", 8},       {"expand", 2},       {"conv_kernel", 4},    {"time_step_rank", "auto"},
          {"use_bias", false},     {"use_conv_bias", true}, {"layer_norm_epsilon", 1e-5}};
}

TEST(MambaConfig, FieldsRoundTripAndAutoRankIsCeilHiddenOver16) {
  auto json = mamba_json();
  json["hidden_size"] = 40;
  const auto c = hm::config_from_json(json);
  EXPECT_EQ(c.time_step_rank, 3);  // ceil(40 / 16)
  EXPECT_EQ(c.intermediate_size, 80);
  EXPECT_EQ(c.state_size, 8);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_TRUE(c.residual_in_fp32);
  const auto written = hm::config_to_json(c);
  EXPECT_EQ(written["architectures"][0], "MambaForCausalLM");
  EXPECT_EQ(written["time_step_rank"], 3);
  EXPECT_EQ(written["expand"], 2);
  EXPECT_EQ(written["intermediate_size"], 80);
  EXPECT_FALSE(written.contains("num_attention_heads"));
  const auto again = hm::config_from_json(written);
  EXPECT_EQ(again.intermediate_size, c.intermediate_size);
  EXPECT_EQ(again.conv_kernel, c.conv_kernel);
}

// A hostile or broken config.json is refused with a message naming the field, before any
// tensor is allocated.
TEST(MambaConfig, HostileValuesNameTheField) {
  const std::vector<std::pair<std::pair<std::string, nlohmann::json>, std::string>> cases = {
      {{"state_size", 0}, "state_size"},
      {{"state_size", -3}, "state_size"},
      {{"state_size", int64_t{1} << 40}, "state_size"},
      {{"hidden_size", -64}, "hidden_size"},
      {{"hidden_size", int64_t{1} << 50}, "hidden_size"},
      {{"num_hidden_layers", 0}, "num_hidden_layers"},
      {{"conv_kernel", 0}, "conv_kernel"},
      {{"expand", 0}, "expand"},
      {{"expand", 1000}, "expand"},
      {{"time_step_rank", "big"}, "time_step_rank"},
      {{"time_step_rank", -1}, "time_step_rank"},
      {{"time_step_rank", 2.5}, "time_step_rank"},
      {{"intermediate_size", 100}, "intermediate_size"},
      {{"use_conv_bias", "yes"}, "use_conv_bias"},
      {{"residual_in_fp32", 1}, "residual_in_fp32"},
      {{"layer_norm_epsilon", "small"}, "layer_norm_epsilon"},
      {{"layer_norm_epsilon", -1.0}, "layer_norm_epsilon"},
      {{"hidden_act", "swish2"}, "activation"},
      {{"vocab_size", 0}, "vocab_size"},
  };
  for (const auto& [change, name] : cases) {
    auto json = mamba_json();
    json[change.first] = change.second;
    try {
      hm::config_from_json(json, "hostile/config.json");
      ADD_FAILURE() << change.first << " = " << change.second.dump() << " was accepted";
    } catch (const hm::ModelConfigError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("hostile/config.json"), std::string::npos) << what;
      EXPECT_NE(what.find(name), std::string::npos) << change.first << ": " << what;
    }
  }
}

TEST(MambaPresets, MambaMiniIsAboutMiniSizedAndEveryPresetHasAMamba) {
  const auto mamba = hm::preset_config("mamba-mini", "", 512);
  EXPECT_EQ(mamba.model_type, "mamba");
  EXPECT_EQ(mamba.num_hidden_layers, 12);
  torch::manual_seed(0);
  const int64_t mamba_params = hm::create_model(mamba)->num_parameters();
  const int64_t gpt2_params = hm::create_model(hm::preset_config("mini", "", 512))->num_parameters();
  std::cout << "mamba-mini " << mamba_params << " parameters, mini (gpt2) " << gpt2_params << "\n";
  EXPECT_NEAR(static_cast<double>(mamba_params) / static_cast<double>(gpt2_params), 1.0, 0.15);
  for (const auto& name : hm::preset_names()) EXPECT_NO_THROW(hm::preset_config(name, "mamba", 100)) << name;
}

TEST(MambaPresets, EveryArchitectureHasAOneLineSummary) {
  for (const auto& type : hm::supported_model_types()) {
    const auto summary = hm::architecture_summary(type);
    EXPECT_FALSE(summary.empty()) << type;
    EXPECT_EQ(summary.find('\n'), std::string::npos) << type;
  }
  EXPECT_NE(hm::architecture_summary("mamba").find("no attention"), std::string::npos);
}

}  // namespace
