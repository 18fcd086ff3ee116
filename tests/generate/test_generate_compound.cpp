// Compound generation (CPWord, Octuple): each field sampled from its own head under the
// compound grammar. Random models' sequences decode with zero dropped tokens; seeds
// reproduce; bars and positions stay ordered; prompts are continued and kept.
#include <gtest/gtest.h>

#include "core/generate/compound_grammar.hpp"
#include "core/generate/continuation.hpp"
#include "core/generate/generation_output.hpp"
#include "core/generate/music_recipe.hpp"
#include "generate_test_model.hpp"

using namespace harmonia;
using namespace harmonia::generate;

namespace {

std::shared_ptr<tokenizer::Tokenizer> make_tok(const std::string& scheme, bool extras) {
  tokenizer::TokenizerConfig c;
  if (extras) {  // every optional field: tempos, time signatures, programs (and chords for CPWord)
    c.use_tempos = true;
    c.use_time_signatures = true;
    c.use_programs = true;
    c.one_token_stream_for_programs = false;  // what MidiTok allows for compound schemes
    c.use_chords = scheme == "CPWord";
  }
  return std::shared_ptr<tokenizer::Tokenizer>(tokenizer::Tokenizer::create(scheme, c));
}

GenerationSettings raw(int64_t steps, int candidates, uint64_t seed, bool grammar = true) {
  GenerationSettings s;
  s.max_new_tokens = steps;
  s.min_new_tokens = steps;  // CPWord's Family head has 3 choices, EOS one of them: keep sequences long
  s.num_candidates = candidates;
  s.seed = seed;
  s.grammar = grammar;
  s.sampling.temperature = 1.0f;  // the raw model distribution: the hardest case
  s.sampling.top_k = 0;
  s.sampling.top_p = 1.0f;
  s.sampling.repetition_penalty = 1.0f;
  return s;
}

using Tally = test::DecodeTally;

Tally sample(const Generator& gen, bool grammar, int batches, int per_batch, int64_t steps) {
  Tally t;
  for (int i = 0; i < batches; ++i) {
    const auto r = gen.generate({}, raw(steps, per_batch, uint64_t(100 + i), grammar));
    EXPECT_EQ(r.fields, gen.tokenizer().num_fields());
    for (const auto& seq : r.sequences) EXPECT_EQ(seq.size() % r.fields, 0u);
    t.add(gen.tokenizer(), r);
  }
  return t;
}

}  // namespace

class CompoundSchemes : public ::testing::TestWithParam<std::pair<std::string, bool>> {};

TEST_P(CompoundSchemes, RandomModelSequencesDecodeWithoutDrops) {
  const auto [scheme, extras] = GetParam();
  auto tok = make_tok(scheme, extras);
  Generator gen(test::random_tiny_model(*tok), tok);
  const Tally on = sample(gen, true, 4, 50, 24);
  ASSERT_EQ(on.sequences, 200u);
  EXPECT_EQ(on.invalid, 0u);
  EXPECT_EQ(on.dropped, 0u);
  EXPECT_GT(on.notes, 200u) << "the constrained sequences should hold notes";
  const Tally off = sample(gen, false, 1, 50, 24);
  std::cout << "[compound " << scheme << (extras ? "+tempo/timesig/program" : "") << "] with grammar: " << on.invalid
            << "/" << on.sequences << " invalid, " << on.notes << " notes; without: " << off.invalid << "/"
            << off.sequences << " invalid (" << 100.0 * double(off.invalid) / double(off.sequences) << "%)\n";
  EXPECT_GT(off.invalid, 0u) << "an untrained model should produce undecodable steps without the grammar";
}

INSTANTIATE_TEST_SUITE_P(Generate, CompoundSchemes,
                         ::testing::Values(std::make_pair(std::string("CPWord"), false),
                                           std::make_pair(std::string("CPWord"), true),
                                           std::make_pair(std::string("Octuple"), false),
                                           std::make_pair(std::string("Octuple"), true)));

TEST(GenerateCompound, SameSeedSameStepsOtherSeedOthers) {
  auto tok = make_tok("CPWord", false);
  Generator gen(test::random_tiny_model(*tok), tok);
  GenerationSettings s;  // default chain: repetition penalty, temperature, top-k, top-p per field
  s.max_new_tokens = s.min_new_tokens = 40;
  s.seed = 5;
  s.sampling.temperature = 1.2f;
  const auto a = gen.generate({}, s);
  const auto b = gen.generate({}, s);
  s.seed = 6;
  const auto c = gen.generate({}, s);
  EXPECT_EQ(a.sequences, b.sequences);
  EXPECT_NE(a.sequences, c.sequences);
  s.seed = 5;
  s.num_candidates = 3;
  const auto d = gen.generate({}, s);
  EXPECT_EQ(d.sequences[0], a.sequences[0]) << "candidate 0 does not depend on the batch";
  EXPECT_NE(d.sequences[1], d.sequences[2]);
}

TEST(GenerateCompound, BarsAndPositionsStayOrdered) {
  // Octuple: bar numbers never decrease, positions never go back within a bar.
  auto oct = make_tok("Octuple", true);
  Generator gen(test::random_tiny_model(*oct), oct);
  const auto r = gen.generate({}, raw(60, 8, 3));
  const size_t F = oct->num_fields();
  size_t notes = 0;
  for (const auto& seq : r.sequences) {
    int last_bar = -1, last_pos = -1;
    for (size_t s = 0; s < seq.size() / F; ++s) {
      const auto bar = oct->vocab(2).kind(seq[s * F + 2]), pos = oct->vocab(1).kind(seq[s * F + 1]);
      ASSERT_EQ(bar.type, tokenizer::TokenType::Bar);
      ASSERT_EQ(pos.type, tokenizer::TokenType::Position);
      ASSERT_GE(bar.value, last_bar);
      if (bar.value == last_bar) EXPECT_GE(pos.value, last_pos);
      last_bar = bar.value;
      last_pos = pos.value;
      ++notes;
    }
  }
  EXPECT_GT(notes, 100u);
  // CPWord: the family decides the other fields; positions increase within a bar.
  auto cp = make_tok("CPWord", true);
  Generator gen_cp(test::random_tiny_model(*cp), cp);
  const auto rc = gen_cp.generate({}, raw(60, 8, 3));
  const size_t G = cp->num_fields();
  for (const auto& seq : rc.sequences) {
    int last_pos = -1;
    for (size_t s = 0; s < seq.size() / G; ++s) {
      const auto family = cp->vocab(0).kind(seq[s * G]);
      const auto bp = cp->vocab(1).kind(seq[s * G + 1]);
      const auto pitch = cp->vocab(2).kind(seq[s * G + 2]);
      ASSERT_EQ(family.type, tokenizer::TokenType::Family);
      if (family.value == 1) {
        EXPECT_EQ(bp.type, tokenizer::TokenType::Ignore);
        EXPECT_TRUE(pitch.type == tokenizer::TokenType::Pitch || pitch.type == tokenizer::TokenType::PitchDrum);
      } else {
        EXPECT_EQ(pitch.type, tokenizer::TokenType::Ignore);
        ASSERT_TRUE(bp.type == tokenizer::TokenType::Bar || bp.type == tokenizer::TokenType::Position);
        if (bp.type == tokenizer::TokenType::Bar) {
          last_pos = -1;
        } else {
          EXPECT_GT(bp.value, last_pos);
          last_pos = bp.value;
        }
      }
    }
  }
}

TEST(GenerateCompound, ContinuesAPromptPastTheContextAndStopsAtMaxBars) {
  auto tok = make_tok("CPWord", false);
  Generator gen(test::random_tiny_model(*tok, /*context=*/32), tok);
  midi::Score score;
  score.tracks.emplace_back();
  for (int i = 0; i < 8; ++i) score.tracks[0].notes.push_back({i * 480, 480, 60 + i, 90});
  const auto enc = tok->encode(score);
  ASSERT_FALSE(enc.sequences.empty());
  const std::vector<int32_t> prompt = enc.sequences[0].ids;
  ASSERT_EQ(prompt.size() % tok->num_fields(), 0u);
  const auto r = gen.generate(prompt, raw(80, 2, 9));
  for (const auto& seq : r.sequences) {
    ASSERT_GE(seq.size(), prompt.size());
    EXPECT_TRUE(std::equal(prompt.begin(), prompt.end(), seq.begin()));
    EXPECT_GT(seq.size() / tok->num_fields(), 32u) << "generation continues past the context window";
    tokenizer::DecodeReport report;
    const auto out = to_score(*tok, seq, 0, &report);
    EXPECT_EQ(report.tokens_dropped, 0u);
    EXPECT_GE(out.note_count(), 8u);
  }
  auto s = raw(200, 1, 4);
  s.max_bars = 2;
  const auto bars = gen.generate({}, s);
  const int bar = tok->vocab(1).id(tokenizer::TokenType::Bar, -1);
  int count = 0;
  for (size_t i = 1; i < bars.sequences[0].size(); i += tok->num_fields()) count += bars.sequences[0][i] == bar;
  EXPECT_LE(count, 2);
  EXPECT_THROW(gen.generate({1, 2}, s), std::invalid_argument) << "a compound prompt holds whole steps";
}

// The recipe's length in bars and its empty-bar limit hold for compound schemes too. Octuple
// numbers bars absolutely: an untrained model picks any of its 60 bar numbers, so without the
// limit a first note lands tens of bars in (that many empty bars), past max_bars at once, and
// the piece ends with no note.
TEST(GenerateCompound, OctupleRecipePiecesStartAtTheFirstBarsAndSkipFewBars) {
  auto tok = make_tok("Octuple", true);
  Generator gen(test::random_tiny_model(*tok), tok);
  auto s = piece_settings(6, 11);
  s.num_candidates = 8;
  s.max_new_tokens = 40;
  ASSERT_EQ(s.max_empty_bars, 1);
  const auto r = gen.generate({}, s);
  const size_t F = tok->num_fields();
  for (size_t c = 0; c < r.sequences.size(); ++c) {
    const auto& seq = r.sequences[c];
    ASSERT_GT(seq.size() / F, 0u) << "candidate " << c << " stopped at once (" << r.stop_reasons[c] << ")";
    int last_bar = -1;
    for (size_t st = 0; st < seq.size() / F; ++st) {
      const int bar = tok->vocab(2).kind(seq[st * F + 2]).value;
      EXPECT_LE(bar, last_bar + 2) << "candidate " << c << " step " << st << ": more than one empty bar";
      last_bar = std::max(last_bar, bar);
    }
    EXPECT_LE(last_bar + 1, 6) << "candidate " << c << " spans more than max_bars";
  }
}

// CPWord: at most max_empty_bars Bar steps without a note step between them.
TEST(GenerateCompound, CpwordKeepsEmptyBarRunsToTheLimit) {
  auto tok = make_tok("CPWord", false);
  Generator gen(test::random_tiny_model(*tok), tok);
  for (int limit : {0, 1}) {
    auto s = raw(60, 8, 5);
    s.max_empty_bars = limit;
    const auto r = gen.generate({}, s);
    const size_t F = tok->num_fields();
    size_t bars = 0;
    for (const auto& seq : r.sequences) {
      bool seen_bar = false, has_note = false;
      int run = 0, longest = 0;
      for (size_t st = 0; st < seq.size() / F; ++st) {
        const auto family = tok->vocab(0).kind(seq[st * F]);
        if (family.value == 1) {
          has_note = true;
        } else if (tok->vocab(1).kind(seq[st * F + 1]).type == tokenizer::TokenType::Bar) {
          if (seen_bar) run = has_note ? 0 : run + 1;
          longest = std::max(longest, run);
          seen_bar = true;
          has_note = false;
          ++bars;
        }
      }
      EXPECT_LE(longest, limit);
    }
    EXPECT_GT(bars, 8u * 2) << "bars still come";
  }
}

TEST(GenerateCompound, ModelAndTokenizerMustAgree) {
  auto remi = test::remi_tokenizer();
  auto cp = make_tok("CPWord", false);
  EXPECT_THROW(Generator(test::random_tiny_model(*cp), remi), std::invalid_argument);
  EXPECT_THROW(Generator(test::random_tiny_model(*remi), cp), std::invalid_argument);
  EXPECT_THROW(CompoundGrammar{*remi}, std::invalid_argument);
}

TEST(GenerateCompound, ContinueAgainAndUndo) {
  // The GUI's "continue this candidate again" / "undo the last continuation", without ../shared.
  auto tok = make_tok("Octuple", false);
  Generator gen(test::random_tiny_model(*tok), tok);
  ContinuationHistory history;
  const auto first = gen.generate(history.current(), raw(10, 1, 1));
  history.push(first.sequences[0]);
  const auto again = gen.generate(history.current(), raw(10, 1, 2));
  ASSERT_GT(again.sequences[0].size(), first.sequences[0].size());
  EXPECT_TRUE(std::equal(first.sequences[0].begin(), first.sequences[0].end(), again.sequences[0].begin()));
  history.push(again.sequences[0]);
  EXPECT_EQ(history.depth(), 2u);
  tokenizer::DecodeReport report;
  to_score(*tok, history.current(), 0, &report);
  EXPECT_EQ(report.tokens_dropped, 0u);
  EXPECT_TRUE(history.undo());
  EXPECT_EQ(history.current(), first.sequences[0]);
  EXPECT_TRUE(history.undo());
  EXPECT_TRUE(history.current().empty());
  EXPECT_FALSE(history.undo());
}
