// Grammar-constrained decoding: 1,000 sequences sampled from an untrained model all decode
// with zero dropped tokens; without the grammar most do not (the rate is printed).
#include <gtest/gtest.h>

#include "core/generate/generation_output.hpp"
#include "core/generate/grammar_constraint.hpp"
#include "generate_test_model.hpp"

using namespace harmonia;
using namespace harmonia::generate;

namespace {

using Tally = test::DecodeTally;

Tally sample(const Generator& gen, bool grammar, int batches, int per_batch, int64_t tokens) {
  Tally t;
  for (int i = 0; i < batches; ++i) {
    GenerationSettings s;
    s.grammar = grammar;
    s.num_candidates = per_batch;
    s.max_new_tokens = tokens;
    s.seed = uint64_t(i);
    s.sampling.temperature = 1.0f;  // the raw model distribution: the hardest case
    s.sampling.top_k = 0;
    s.sampling.top_p = 1.0f;
    s.sampling.repetition_penalty = 1.0f;
    t.add(gen.tokenizer(), gen.generate({}, s));
  }
  return t;
}

}  // namespace

TEST(GenerateGrammar, ThousandRandomSequencesDecodeWithoutDrops) {
  auto tok = test::remi_tokenizer();
  Generator gen(test::random_tiny_model(*tok), tok);
  const Tally on = sample(gen, true, 20, 50, 40);
  ASSERT_EQ(on.sequences, 1000u);
  EXPECT_EQ(on.invalid, 0u);
  EXPECT_EQ(on.dropped, 0u);
  EXPECT_GT(on.notes, 1000u) << "the constrained sequences should hold notes";
  const Tally off = sample(gen, false, 4, 50, 40);
  std::cout << "[grammar] with grammar: " << on.invalid << "/" << on.sequences << " invalid, " << on.notes
            << " notes; without: " << off.invalid << "/" << off.sequences << " invalid ("
            << 100.0 * double(off.invalid) / double(off.sequences) << "%), " << off.dropped << " tokens dropped\n";
  EXPECT_GT(off.invalid, 0u) << "an untrained model should produce undecodable tokens without the grammar";
}

TEST(GenerateGrammar, PositionsIncreaseWithinABarAndNotesStayWhole) {
  auto tok = test::remi_tokenizer();
  const auto& v = tok->vocab();
  GrammarConstraint g(*tok);
  std::vector<uint8_t> allowed;
  g.allowed(allowed);
  for (size_t id = 0; id < v.size(); ++id)  // a piece opens with a Bar (or ends at once)
    EXPECT_EQ(bool(allowed[id]), v.text(int(id)) == "Bar_None" || v.text(int(id)) == "EOS_None") << v.text(int(id));
  g.accept(v.id("Bar_None"));
  g.accept(v.id("Position_8"));
  g.accept(v.id("Pitch_60"));
  g.allowed(allowed);
  EXPECT_FALSE(allowed[size_t(v.id("EOS_None"))]) << "no end inside a note";
  EXPECT_TRUE(allowed[size_t(v.id("Velocity_63"))]);
  EXPECT_FALSE(allowed[size_t(v.id("Position_12"))]);
  EXPECT_EQ(g.complete_length(), 2u);
  g.accept(v.id("Velocity_63"));
  g.accept(v.id("Duration_1.0.8"));
  EXPECT_EQ(g.complete_length(), 5u);
  g.allowed(allowed);
  EXPECT_FALSE(allowed[size_t(v.id("Position_8"))]) << "positions only move forward";
  EXPECT_FALSE(allowed[size_t(v.id("Position_3"))]);
  EXPECT_TRUE(allowed[size_t(v.id("Position_9"))]);
  EXPECT_TRUE(allowed[size_t(v.id("Bar_None"))]);
  EXPECT_TRUE(allowed[size_t(v.id("EOS_None"))]);
  EXPECT_FALSE(allowed[size_t(v.id("PAD_None"))]);
}
