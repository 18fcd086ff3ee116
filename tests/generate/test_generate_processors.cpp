// Each logits processor against transformers' own output on the same inputs
// (../shared/fixtures/hf/processors): finite values within 1e-6, identical -inf positions.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "core/generate/logits_processors.hpp"
#include "core/model/safetensors.hpp"
#include "test_paths.hpp"

using namespace harmonia::generate;

namespace {

struct Fixture {
  torch::Tensor scores, ids;
  std::map<std::string, torch::Tensor> all;
};

Fixture load() {
  harmonia::model::SafetensorsReader r(harmonia::test::shared_dir() / "fixtures/hf/processors/fixtures.safetensors");
  Fixture f;
  f.all = r.all_tensors();
  f.scores = f.all.at("scores_in");
  f.ids = f.all.at("input_ids");
  return f;
}

// Max abs diff over finite entries; fails the test when the -inf patterns differ.
double compare(const torch::Tensor& got, const torch::Tensor& want, const std::string& what) {
  const auto got_inf = torch::isinf(got), want_inf = torch::isinf(want);
  EXPECT_TRUE(torch::equal(got_inf, want_inf)) << what << ": -inf positions differ";
  const auto finite = ~want_inf;
  const double diff = (got.masked_select(finite) - want.masked_select(finite)).abs().max().item<double>();
  EXPECT_LE(diff, 1e-6) << what;
  std::cout << "[parity] " << what << " max abs diff " << diff << "\n";
  return diff;
}

torch::Tensor run(const LogitsProcessor& p, const Fixture& f) {
  auto s = f.scores.clone();
  p.apply(f.ids, s);
  return s;
}

}  // namespace

TEST(GenerateProcessors, MatchTransformersOneByOne) {
  HARMONIA_REQUIRE_SHARED();
  const Fixture f = load();
  compare(run(Temperature(0.7f), f), f.all.at("temperature_0.7"), "temperature 0.7");
  compare(run(TopK(5), f), f.all.at("top_k_5"), "top_k 5");
  compare(run(TopP(0.9f), f), f.all.at("top_p_0.9"), "top_p 0.9");
  compare(run(RepetitionPenalty(1.3f), f), f.all.at("repetition_penalty_1.3"), "repetition_penalty 1.3");
  compare(run(MinP(0.1f), f), f.all.at("min_p_0.1"), "min_p 0.1");
}

TEST(GenerateProcessors, ChainMatchesTransformersOrder) {
  HARMONIA_REQUIRE_SHARED();
  const Fixture f = load();
  SamplingSettings s;
  s.repetition_penalty = 1.3f;
  s.temperature = 0.7f;
  s.top_k = 5;
  s.top_p = 0.9f;
  const auto chain = build_chain(s);
  ASSERT_EQ(chain.size(), 4u);
  auto scores = f.scores.clone();
  chain.apply(f.ids, scores);
  compare(scores, f.all.at("chain_rep1.3_temp0.7_topk5_topp0.9"), "chain");
}

TEST(GenerateProcessors, KeptCountsAndKeepAtLeastOne) {
  HARMONIA_REQUIRE_SHARED();
  const Fixture f = load();
  auto kept = [](const torch::Tensor& t, int64_t row) { return (~torch::isinf(t[row])).sum().item<int64_t>(); };
  const auto topp = run(TopP(0.9f), f);
  EXPECT_EQ(kept(topp, 0), 13);
  EXPECT_EQ(kept(topp, 1), 20);
  // A tiny nucleus still keeps the single most likely token.
  const auto tiny = run(TopP(1e-6f), f);
  for (int64_t r = 0; r < 2; ++r) {
    EXPECT_EQ(kept(tiny, r), 1);
    EXPECT_EQ(tiny[r].argmax().item<int64_t>(), f.scores[r].argmax().item<int64_t>());
  }
  const auto minp = run(MinP(1.0f), f);
  EXPECT_EQ(kept(minp, 0), 1);
}

TEST(GenerateProcessors, RepetitionPenaltyTouchesOnlySeenTokens) {
  auto scores = torch::tensor({{2.0f, -2.0f, 1.0f, -1.0f}});
  const auto ids = torch::tensor({{0, 1, 1}}, torch::kLong);
  RepetitionPenalty(2.0f).apply(ids, scores);
  EXPECT_FLOAT_EQ(scores[0][0].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(scores[0][1].item<float>(), -4.0f);
  EXPECT_FLOAT_EQ(scores[0][2].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(scores[0][3].item<float>(), -1.0f);
}

TEST(GenerateProcessors, NoRepeatNGramBansTheCompletingToken) {
  auto scores = torch::zeros({1, 6});
  // History 1 2 3 1 2: the bigram (2,3) exists, so after "2" the id 3 is banned (n=2);
  // with n=3 the trigram (1,2,3) bans 3 after "1 2".
  const auto ids = torch::tensor({{1, 2, 3, 1, 2}}, torch::kLong);
  NoRepeatNGram(2).apply(ids, scores);
  EXPECT_TRUE(std::isinf(scores[0][3].item<float>()));
  EXPECT_EQ((~torch::isinf(scores)).sum().item<int64_t>(), 5);
  auto s3 = torch::zeros({1, 6});
  NoRepeatNGram(3).apply(ids, s3);
  EXPECT_TRUE(std::isinf(s3[0][3].item<float>()));
  auto s4 = torch::zeros({1, 6});
  NoRepeatNGram(4).apply(ids, s4);  // "3 1 2" never occurred before
  EXPECT_EQ((~torch::isinf(s4)).sum().item<int64_t>(), 6);
}
