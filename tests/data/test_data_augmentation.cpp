// Token-level augmentation: transposition moves pitched tokens only, never drums, never out
// of the pitch range; velocity and tempo move to neighbouring bins; all seeded.
#include <gtest/gtest.h>

#include <set>

#include "core/data/augmentation.hpp"
#include "data_fixtures.hpp"

using namespace harmonia;
using namespace harmonia::data;
using tokenizer::TokenType;

namespace {

std::vector<int> values_of(const tokenizer::Tokenizer& tok, const std::vector<int32_t>& ids, TokenType type) {
  std::vector<int> out;
  for (int32_t id : ids)
    if (tok.vocab().kind(id).type == type) out.push_back(tok.vocab().kind(id).value);
  return out;
}

struct Encoded {
  std::vector<int32_t> piano, drums;
};

Encoded encode_song(const tokenizer::Tokenizer& tok, const midi::Score& s) {
  const auto enc = tok.encode(s);
  Encoded e;
  for (size_t i = 0; i < enc.sequences.size(); ++i)
    (enc.programs[i].second ? e.drums : e.piano) = enc.sequences[i].ids;
  return e;
}

}  // namespace

TEST(DataAugmentation, TranspositionShiftsPitchesAndSparesDrums) {
  auto tok = tokenizer::Tokenizer::create("REMI");
  const auto e = encode_song(*tok, test::synthetic_song(3, 4));
  ASSERT_FALSE(e.piano.empty());
  ASSERT_FALSE(e.drums.empty());
  TokenAugmenter aug(*tok, AugmentOptions{5, 0, 0});

  auto piano = e.piano;
  EXPECT_EQ(aug.apply_choice(piano, false, {3, 0, 1.0}), 3);
  const auto before = values_of(*tok, e.piano, TokenType::Pitch), after = values_of(*tok, piano, TokenType::Pitch);
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i], before[i] + 3);
  EXPECT_EQ(values_of(*tok, piano, TokenType::Velocity), values_of(*tok, e.piano, TokenType::Velocity));

  auto drums = e.drums;
  EXPECT_EQ(aug.apply_choice(drums, true, {3, 0, 1.0}), 0);
  EXPECT_EQ(drums, e.drums);
}

TEST(DataAugmentation, TranspositionStaysInsidePitchRange) {
  auto tok = tokenizer::Tokenizer::create("REMI");  // pitch_range (21, 109), both ends in the vocabulary
  midi::Score s = test::synthetic_song(0, 1, false);
  s.tracks[0].notes = {{0, 240, 105, 80}, {480, 240, 30, 80}};
  auto ids = encode_song(*tok, s).piano;
  TokenAugmenter aug(*tok, AugmentOptions{12, 0, 0});
  auto up = ids;
  EXPECT_EQ(aug.apply_choice(up, false, {12, 0, 1.0}), 4);  // 105 + 4 = 109, the top
  EXPECT_EQ(values_of(*tok, up, TokenType::Pitch), (std::vector<int>{109, 34}));
  auto down = ids;
  EXPECT_EQ(aug.apply_choice(down, false, {-12, 0, 1.0}), -9);  // 30 - 9 = 21, the bottom
}

TEST(DataAugmentation, VelocityAndTempoMoveToNearbyBins) {
  tokenizer::TokenizerConfig cfg;
  cfg.use_tempos = true;
  auto tok = tokenizer::Tokenizer::create("REMI", cfg);
  const auto ids = encode_song(*tok, test::synthetic_song(1, 2, false)).piano;
  TokenAugmenter aug(*tok, AugmentOptions{0, 20, 0.2});
  auto louder = ids;
  aug.apply_choice(louder, false, {0, 20, 1.0});
  const auto v0 = values_of(*tok, ids, TokenType::Velocity), v1 = values_of(*tok, louder, TokenType::Velocity);
  ASSERT_EQ(v0.size(), v1.size());
  for (size_t i = 0; i < v0.size(); ++i) {
    EXPECT_GT(v1[i], v0[i]);
    EXPECT_LE(v1[i], 127);
    EXPECT_NEAR(v1[i], std::min(127, v0[i] + 20), 4);  // to the nearest of 32 bins
  }
  auto faster = ids;
  aug.apply_choice(faster, false, {0, 0, 1.2});
  const auto t0 = values_of(*tok, ids, TokenType::Tempo), t1 = values_of(*tok, faster, TokenType::Tempo);
  ASSERT_FALSE(t0.empty());
  const auto& tempos = tok->tables().tempos;
  EXPECT_NEAR(tempos[size_t(t1[0])], tempos[size_t(t0[0])] * 1.2, 8.0);
  EXPECT_GT(tempos[size_t(t1[0])], tempos[size_t(t0[0])]);
}

TEST(DataAugmentation, SeededDrawsRepeat) {
  auto tok = tokenizer::Tokenizer::create("REMI");
  const auto ids = encode_song(*tok, test::synthetic_song(2, 4)).piano;
  TokenAugmenter aug(*tok, AugmentOptions{6, 10, 0});
  std::set<int> shifts;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::mt19937_64 r1(seed), r2(seed);
    auto a = ids, b = ids;
    const auto ca = aug.apply(a, false, r1);
    aug.apply(b, false, r2);
    EXPECT_EQ(a, b);
    EXPECT_LE(std::abs(ca.semitones), 6);
    shifts.insert(ca.semitones);
  }
  EXPECT_GT(shifts.size(), 3u);
}

TEST(DataAugmentation, CompoundOctupleTransposes) {
  auto tok = tokenizer::Tokenizer::create("Octuple");
  const auto enc = tok->encode(test::synthetic_song(4, 2, false));
  ASSERT_EQ(enc.sequences.size(), 1u);
  auto ids = enc.sequences[0].ids;
  TokenAugmenter aug(*tok, AugmentOptions{4, 0, 0});
  EXPECT_EQ(aug.apply_choice(ids, false, {-2, 0, 1.0}), -2);
  const size_t F = tok->num_fields();
  size_t moved = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto& v = tok->vocab(i % F);
    if (v.kind(ids[i]).type == TokenType::Pitch) {
      EXPECT_EQ(v.kind(ids[i]).value, v.kind(enc.sequences[0].ids[i]).value - 2);
      ++moved;
    } else {
      EXPECT_EQ(ids[i], enc.sequences[0].ids[i]);
    }
  }
  EXPECT_EQ(moved, 8u);
}
