// Step-through generation: the distributions it shows are the ones the draw used, a
// re-evaluation with other settings neither runs the model nor draws, N steps give what
// generate() gives with the same seed, Step bar stops at a bar.
#include <gtest/gtest.h>

#include <numeric>

#include "core/generate/decoding_session.hpp"
#include "core/generate/step_through.hpp"
#include "generate_test_model.hpp"

using namespace harmonia;
using namespace harmonia::generate;

namespace {

// Every processor of the chain on: penalties, min new tokens, key, warpers.
GenerationSettings busy_settings(uint64_t seed) {
  GenerationSettings s;
  s.max_new_tokens = 70;
  s.min_new_tokens = 12;
  s.min_bars = 1;
  s.max_bars = 3;
  s.seed = seed;
  s.sampling.temperature = 1.3f;
  s.sampling.top_k = 40;
  s.sampling.top_p = 0.9f;
  s.sampling.min_p = 0.01f;
  s.sampling.repetition_penalty = 1.2f;
  s.controls.key = parse_scale("D:minor");
  return s;
}

double sum(const std::vector<double>& p) { return std::accumulate(p.begin(), p.end(), 0.0); }

struct Env {
  std::shared_ptr<tokenizer::Tokenizer> tok = test::remi_tokenizer();
  std::shared_ptr<model::CausalLM> lm = test::random_tiny_model(*tok);
};

}  // namespace

// The core promise: stepping is generate(), token for token, stop for stop — even when every
// step is also re-evaluated at other settings (which must not touch the random stream).
TEST(StepThrough, StepsDrawWhatGenerateDraws) {
  Env e;
  for (uint64_t seed : {1u, 7u, 21u}) {
    const GenerationSettings s = busy_settings(seed);
    std::vector<int32_t> generated;
    GenerationCallbacks cb;
    cb.on_token = [&](const TokenEvent& ev) { generated.push_back(ev.id); };
    const GenerationResult r = Generator(e.lm, e.tok).generate({}, s, cb);

    StepThrough st(e.lm, e.tok, {}, s);
    SamplingSettings other = s.sampling;
    other.temperature = 0.4f;
    other.top_k = 0;
    while (st.step()) st.reprocess(other);
    const std::vector<int32_t> stepped(st.sequence().begin() + long(st.prompt_length()), st.sequence().end());
    EXPECT_EQ(stepped, generated) << "seed " << seed;
    EXPECT_EQ(st.stop_reason(), r.stop_reasons[0]) << "seed " << seed;
    EXPECT_GT(stepped.size(), 5u);
  }
}

TEST(StepThrough, ContinuesAPromptAsGenerateDoes) {
  Env e;
  GenerationSettings s = busy_settings(4);
  s.max_new_tokens = 25;
  const std::vector<int32_t> prompt = Generator(e.lm, e.tok).generate({}, busy_settings(9)).sequences[0];
  ASSERT_GT(prompt.size(), 4u);
  const GenerationResult r = Generator(e.lm, e.tok).generate(prompt, s);
  StepThrough st(e.lm, e.tok, prompt, s);
  while (st.step()) {
  }
  // generate() trims at the last note boundary: its sequence is the stepped one, cut there.
  ASSERT_GE(st.sequence().size(), r.sequences[0].size());
  EXPECT_TRUE(std::equal(r.sequences[0].begin(), r.sequences[0].end(), st.sequence().begin()));
  EXPECT_EQ(st.prompt_length(), prompt.size());
}

// What the chart shows is what the sampler drew from: a distribution, with the drawn token in
// it, and re-processing the stored logits with the same settings gives it back exactly.
TEST(StepThrough, ProcessedDistributionIsTheDraws) {
  Env e;
  // Also with EOS held back by bars only: the step that draws a Bar must be re-processed with
  // the bar count its draw saw, not the one after it.
  GenerationSettings by_bars = busy_settings(3);
  by_bars.min_new_tokens = 0;
  by_bars.min_bars = 2;
  by_bars.max_bars = 0;
  by_bars.max_new_tokens = 400;
  by_bars.sampling.top_k = 0;
  by_bars.sampling.top_p = 1.0f;
  by_bars.sampling.min_p = 0.0f;
  for (const GenerationSettings& s : {busy_settings(3), by_bars}) {
    StepThrough st(e.lm, e.tok, {}, s);
    EXPECT_TRUE(st.current().processed.empty());
    int steps = 0;
    while (st.step()) {
      const StepDistribution& d = st.current();
      ASSERT_EQ(d.raw.size(), size_t(e.lm->config().vocab_size));
      ASSERT_EQ(d.processed.size(), d.raw.size());
      EXPECT_NEAR(sum(d.raw), 1.0, 1e-9);
      EXPECT_NEAR(sum(d.processed), 1.0, 1e-9);
      ASSERT_GE(d.drawn, 0);
      EXPECT_GT(d.processed[size_t(d.drawn)], 0.0) << "step " << d.step;
      EXPECT_EQ(st.reprocess(s.sampling), d.processed) << "step " << d.step;
      // The chain narrows (top-k 40, top-p, grammar); the raw softmax keeps every token.
      if (s.sampling.top_k > 0)
        EXPECT_LE(std::count_if(d.processed.begin(), d.processed.end(), [](double p) { return p > 0; }), 40);
      EXPECT_EQ(std::count_if(d.raw.begin(), d.raw.end(), [](double p) { return p > 0; }), long(d.raw.size()));
      ++steps;
    }
    EXPECT_EQ(steps, st.draws());
    if (s.min_bars == 2) {  // the test reached the step it is for
      const auto& seq = st.sequence();
      EXPECT_GE(std::count(seq.begin(), seq.end(), e.tok->vocab().id(tokenizer::TokenType::Bar, -1)), 2);
    }
  }
}

// A slider moved on a step: the distribution changes the way the setting says, and nothing
// else happens (no forward pass, no draw, the same token).
TEST(StepThrough, ReprocessNeitherRunsTheModelNorDraws) {
  Env e;
  GenerationSettings s = busy_settings(5);
  s.sampling.top_k = 0;
  s.sampling.top_p = 1.0f;
  s.sampling.min_p = 0.0f;
  StepThrough st(e.lm, e.tok, {}, s);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(st.step());
  const int64_t forwards = st.forward_passes(), draws = st.draws();
  const auto sequence = st.sequence();
  const int32_t drawn = st.current().drawn;
  auto at = [&](float t) {
    SamplingSettings x = s.sampling;
    x.temperature = t;
    return st.reprocess(x);
  };
  const auto cold = at(0.5f), hot = at(1.5f), greedy = at(0.0f);
  EXPECT_GT(*std::max_element(cold.begin(), cold.end()), *std::max_element(hot.begin(), hot.end()));
  EXPECT_NEAR(sum(cold), 1.0, 1e-9);
  EXPECT_NEAR(sum(hot), 1.0, 1e-9);
  EXPECT_EQ(std::count(greedy.begin(), greedy.end(), 1.0), 1);
  EXPECT_EQ(st.forward_passes(), forwards);
  EXPECT_EQ(st.draws(), draws);
  EXPECT_EQ(st.sequence(), sequence);
  EXPECT_EQ(st.current().drawn, drawn);
  // The grammar still applies: a token it forbade at this step stays at 0 at any temperature.
  for (size_t id = 0; id < hot.size(); ++id)
    if (st.current().processed[id] == 0.0) EXPECT_EQ(hot[id], 0.0) << "id " << id;
}

// New settings apply from the next draw: stepping at temperature 0 draws the argmax.
TEST(StepThrough, NewSettingsApplyToTheNextDraw) {
  Env e;
  StepThrough st(e.lm, e.tok, {}, busy_settings(8));
  ASSERT_TRUE(st.step());
  SamplingSettings greedy = busy_settings(8).sampling;
  greedy.temperature = 0;
  st.set_sampling(greedy);
  for (int i = 0; i < 5 && st.step(); ++i) {
    const auto& p = st.current().processed;
    EXPECT_EQ(p[size_t(st.current().drawn)], 1.0);
  }
}

// A key picked on a step (the studio's Key box while stepping): that step's distribution is
// re-drawn with every out-of-key pitch at 0, nothing is drawn and the model does not run; the
// next draws keep to the key.
TEST(StepThrough, AKeyPickedOnAStepRedrawsIt) {
  Env e;
  GenerationSettings s = busy_settings(6);
  s.controls = {};
  s.sampling.top_k = 0;
  s.sampling.top_p = 1.0f;
  s.sampling.min_p = 0.0f;
  StepThrough st(e.lm, e.tok, {}, s);
  const auto& vocab = e.tok->vocab();
  const Scale d_minor = parse_scale("D:minor");
  auto out_of_key = [&](const std::vector<double>& p) {
    double mass = 0;
    for (size_t id = 0; id < p.size(); ++id)
      if (vocab.valid(int(id)) && vocab.kind(int(id)).type == tokenizer::TokenType::Pitch &&
          !d_minor.contains(vocab.kind(int(id)).value))
        mass += p[id];
    return mass;
  };
  // A step where a pitch may come (the grammar allows none after some tokens).
  for (int i = 0; i < 30 && (st.current().step < 0 || out_of_key(st.current().processed) == 0.0); ++i)
    ASSERT_TRUE(st.step());
  ASSERT_GT(out_of_key(st.current().processed), 0.0);
  const int64_t forwards = st.forward_passes(), draws = st.draws();
  const auto sequence = st.sequence();
  GenerationSettings keyed = s;
  keyed.controls.key = d_minor;
  st.retune(keyed);
  const auto p = st.reprocess(keyed.sampling);
  EXPECT_EQ(out_of_key(p), 0.0);
  EXPECT_NEAR(sum(p), 1.0, 1e-9);
  EXPECT_EQ(st.forward_passes(), forwards);
  EXPECT_EQ(st.draws(), draws);
  EXPECT_EQ(st.sequence(), sequence);
  for (int i = 0; i < 40 && st.step(); ++i) {
    EXPECT_EQ(out_of_key(st.current().processed), 0.0) << "step " << st.current().step;
    const int32_t id = st.current().drawn;
    if (vocab.valid(id) && vocab.kind(id).type == tokenizer::TokenType::Pitch)
      EXPECT_TRUE(d_minor.contains(vocab.kind(id).value)) << vocab.text(id);
  }
}

// A longer length set on a step lets the piece go on past the old one: the token history the
// session writes in place grows (it was sized for the first length).
TEST(StepThrough, ALongerLengthLetsThePieceGoOn) {
  Env e;
  GenerationSettings s = busy_settings(12);
  s.max_new_tokens = 8;
  s.min_new_tokens = 1000;  // no EOS: only the length ends it
  s.max_bars = 0;
  s.min_bars = 0;
  StepThrough st(e.lm, e.tok, {}, s);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(st.step());
  GenerationSettings longer = s;
  longer.max_new_tokens = 40;
  st.retune(longer);
  while (st.step()) {
  }
  EXPECT_EQ(st.draws(), 40);
  EXPECT_EQ(st.stop_reason(), "max_new_tokens");
}

TEST(StepThrough, StepBarStopsAtABar) {
  Env e;
  GenerationSettings s = busy_settings(11);
  s.max_bars = 0;
  s.min_bars = 8;  // no EOS before the bars this test walks through
  s.max_new_tokens = 400;
  // An untrained model ranks Bar anywhere: without the truncations it gets drawn often enough.
  s.sampling.top_k = 0;
  s.sampling.top_p = 1.0f;
  s.sampling.min_p = 0.0f;
  StepThrough st(e.lm, e.tok, {}, s);
  const auto& vocab = e.tok->vocab();
  auto is_bar = [&](int32_t id) { return vocab.valid(id) && vocab.kind(id).type == tokenizer::TokenType::Bar; };
  int bars_seen = 0;
  for (int call = 0; call < 3 && !st.finished(); ++call) {
    const size_t before = st.sequence().size();
    const int64_t n = st.step_bar();
    ASSERT_GT(n, 0);
    const std::vector<int32_t> drawn(st.sequence().begin() + long(before), st.sequence().end());
    if (st.finished()) break;
    ASSERT_FALSE(drawn.empty());
    EXPECT_TRUE(is_bar(drawn.back())) << "call " << call;
    EXPECT_EQ(std::count_if(drawn.begin(), drawn.end(), is_bar), 1) << "call " << call;
    ++bars_seen;
  }
  EXPECT_GE(bars_seen, 2) << "stopped: " << st.stop_reason() << " after " << st.draws() << " draws";
}

TEST(StepThrough, RefusesCompoundTokenizersSayingWhy) {
  std::shared_ptr<tokenizer::Tokenizer> tok(tokenizer::Tokenizer::create("CPWord"));
  auto lm = test::random_tiny_model(*tok);
  try {
    StepThrough st(lm, tok, {}, GenerationSettings{});
    FAIL() << "a CPWord model was accepted";
  } catch (const std::invalid_argument& err) {
    EXPECT_NE(std::string(err.what()).find("CPWord"), std::string::npos) << err.what();
  }
}

TEST(SamplingDistribution, SoftmaxGreedyAndAllFiltered) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> scores{0.0f, std::log(3.0f), -inf};
  const auto p = sampling_distribution(scores.data(), 3, false);
  EXPECT_NEAR(p[0], 0.25, 1e-7);
  EXPECT_NEAR(p[1], 0.75, 1e-7);
  EXPECT_EQ(p[2], 0.0);
  EXPECT_EQ(sampling_distribution(scores.data(), 3, true), (std::vector<double>{0, 1, 0}));
  const std::vector<float> none{-inf, -inf};
  EXPECT_EQ(sampling_distribution(none.data(), 2, false), (std::vector<double>{0, 0}));
}
