// Top-p within groups of ids (typed_top_p.hpp), the recipe's nucleus on the pitch choice:
// one group is transformers' TopP; a group keeps its whole probability, so the odds between
// kinds of token stay the model's; ids outside the groups are not touched; the recipe, the
// chain and the settings JSON carry the choice.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>

#include "core/generate/generation_output.hpp"
#include "core/generate/generator.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/generate/typed_top_p.hpp"
#include "core/tokenizer/vocabulary.hpp"

using namespace harmonia::generate;
using harmonia::tokenizer::TokenType;

namespace {

torch::Tensor logits_of(const std::vector<double>& probs) {
  std::vector<float> l;
  for (double p : probs) l.push_back(float(std::log(p)));
  return torch::tensor(l).reshape({1, int64_t(probs.size())});
}

double mass(const torch::Tensor& scores, std::initializer_list<int64_t> ids) {
  const auto p = scores.softmax(-1);
  double m = 0;
  for (int64_t id : ids) m += p[0][id].item<double>();
  return m;
}

}  // namespace

TEST(TypedTopP, OneGroupIsTransformersTopP) {
  torch::manual_seed(3);
  const auto scores = torch::randn({4, 50}) * 2;
  for (float p : {0.5f, 0.9f, 0.95f}) {
    auto plain = scores.clone(), grouped = scores.clone();
    TopP(p).apply({}, plain);
    TopPWithinGroups(p, std::vector<int>(50, 7)).apply({}, grouped);
    EXPECT_TRUE(torch::equal(torch::isinf(plain), torch::isinf(grouped))) << "p " << p;
    EXPECT_LT((plain.softmax(-1) - grouped.softmax(-1)).abs().max().item<float>(), 1e-6f) << "p " << p;
  }
}

TEST(TypedTopP, EachGroupKeepsItsProbabilityAndLosesItsTail) {
  // After a note: "another note" is one token (id 0, 0.6); "move on" is spread over 8 position
  // tokens (ids 1-8, 0.4 in all). Plain top-p 0.9 cuts the positions' tail and gives its mass to
  // the lone token; within groups, the positions lose the same tail but keep their 0.4.
  const auto scores = logits_of({0.6, 0.1, 0.08, 0.06, 0.05, 0.04, 0.03, 0.02, 0.02});
  const std::vector<int> groups = {0, 1, 1, 1, 1, 1, 1, 1, 1};
  auto plain = scores.clone(), grouped = scores.clone();
  TopP(0.9f).apply({}, plain);
  TopPWithinGroups(0.9f, groups).apply({}, grouped);
  EXPECT_GT(mass(plain, {0}), 0.62) << "plain top-p favours the lone token (the bias this avoids)";
  EXPECT_NEAR(mass(grouped, {0}), 0.6, 1e-6);
  EXPECT_NEAR(mass(grouped, {1, 2, 3, 4, 5, 6, 7, 8}), 0.4, 1e-6);
  // Within the positions (0.25, 0.2, 0.15, 0.125, 0.1, 0.075, 0.05, 0.05) the two of 0.05 make up
  // 0.1 <= 1 - 0.9 and go; the 0.075 does not.
  EXPECT_TRUE(std::isinf(grouped[0][7].item<float>()));
  EXPECT_TRUE(std::isinf(grouped[0][8].item<float>()));
  EXPECT_FALSE(std::isinf(grouped[0][6].item<float>()));
  EXPECT_NEAR(mass(grouped, {1}) / 0.4, 0.25 / 0.9, 1e-6) << "kept ids keep their ratios";
}

TEST(TypedTopP, IdsOutsideTheGroupsAndMaskedIdsStayAsTheyAre) {
  const auto scores = logits_of({0.5, 0.3, 0.001, 0.1, 0.05, 0.049});
  auto s = scores.clone();
  s[0][5] = -std::numeric_limits<float>::infinity();  // masked by the grammar: stays masked
  const auto before = s.clone();
  TopPWithinGroups(0.8f, {-1, -1, -1, 2, 2, 2}).apply({}, s);
  for (int id : {0, 1, 2}) EXPECT_EQ(s[0][id].item<float>(), before[0][id].item<float>()) << id;
  EXPECT_TRUE(std::isinf(s[0][5].item<float>()));
  // The group {3, 4} (5 is masked) holds 0.1 and 0.05: 0.05 / 0.15 = 1/3 > 0.2 survives.
  EXPECT_FALSE(std::isinf(s[0][4].item<float>()));
  EXPECT_NEAR(mass(s, {3, 4}), mass(before, {3, 4}), 1e-6);
}

TEST(TypedTopP, PitchGroupsPickTheTokensThatChooseAPitch) {
  const std::vector<int> types = {int(TokenType::Special), int(TokenType::Bar), int(TokenType::Position),
                                  int(TokenType::Pitch),   int(TokenType::Velocity), int(TokenType::Duration),
                                  int(TokenType::PitchDrum), int(TokenType::NoteOn), int(TokenType::TimeShift),
                                  int(TokenType::Program)};
  const auto g = pitch_groups(types);
  const std::vector<int> want = {-1, -1, -1, int(TokenType::Pitch), -1, -1, int(TokenType::PitchDrum),
                                 int(TokenType::NoteOn), -1, -1};
  EXPECT_EQ(g, want);
}

TEST(TypedTopP, TheRecipeAndTheChainUseItAndSettingsRecordIt) {
  const auto recipe = piece_settings(24, 1);
  EXPECT_EQ(recipe.sampling.top_p_on, TopPScope::Pitch);
  const std::vector<int> types = {int(TokenType::Pitch), int(TokenType::Duration)};
  const auto names = build_chain(recipe.sampling, {}, types).names();
  EXPECT_EQ(names.back().rfind("top_p_within_groups", 0), 0u) << names.back();
  EXPECT_EQ(build_chain(recipe.sampling).names().back().rfind("top_p(", 0), 0u) << "no types: plain top-p";
  SamplingSettings all = recipe.sampling;
  all.top_p_on = TopPScope::All;
  EXPECT_EQ(build_chain(all, {}, types).names().back().rfind("top_p(", 0), 0u);

  EXPECT_EQ(settings_to_json(recipe)["top_p_on"], "pitch");
  EXPECT_EQ(settings_from_json(settings_to_json(recipe)).sampling.top_p_on, TopPScope::Pitch);
  GenerationSettings plain;
  EXPECT_EQ(settings_from_json(settings_to_json(plain)).sampling.top_p_on, TopPScope::All);
}
