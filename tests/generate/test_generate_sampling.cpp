// The sampling loop: seeds (also across thread counts), the KV cache, stops, cancel, callbacks,
// key constraint, prompt continuation, sliding window, output files.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "core/compute/decode_pool.hpp"
#include "core/compute/threads.hpp"
#include "core/generate/continuation.hpp"
#include "core/generate/generation_output.hpp"
#include "core/generate/prompt.hpp"
#include "core/midi/midi_file.hpp"
#include "generate_test_model.hpp"

using namespace harmonia;
using namespace harmonia::generate;

namespace {
GenerationSettings quick(int64_t tokens, uint64_t seed = 3) {
  GenerationSettings s;
  s.max_new_tokens = tokens;
  s.seed = seed;
  s.sampling.temperature = 1.2f;  // flatter, so different seeds visibly diverge
  return s;
}
struct Env {
  std::shared_ptr<tokenizer::Tokenizer> tok = test::remi_tokenizer();
  Generator gen{test::random_tiny_model(*tok), tok};
};
}  // namespace

TEST(GenerateSampling, SameSeedSameTokensOtherSeedOthers) {
  Env e;
  const auto a = e.gen.generate({}, quick(48, 11));
  const auto b = e.gen.generate({}, quick(48, 11));
  const auto c = e.gen.generate({}, quick(48, 12));
  EXPECT_EQ(a.sequences, b.sequences);
  EXPECT_NE(a.sequences, c.sequences);
  // Candidate 0 of a batch of 3 is candidate 0 alone: each row has its own generator.
  auto batch = quick(48, 11);
  batch.num_candidates = 3;
  const auto d = e.gen.generate({}, batch);
  ASSERT_EQ(d.sequences.size(), 3u);
  EXPECT_EQ(d.sequences[0], a.sequences[0]);
  EXPECT_NE(d.sequences[1], d.sequences[2]);
}

// The decode kernels split over the compute threads without changing a sum, so a seed gives
// the same music on a laptop with 2 cores and a workstation with 16.
TEST(GenerateSampling, SameSeedSameTokensOnAnyThreadCount) {
  auto tok = test::remi_tokenizer();
  // Large enough (≈ 9.5 MB of weights) that the decode kernels do split over the threads.
  torch::manual_seed(2);
  auto config = model::preset_config("tiny", "", int64_t(tok->vocab_size()));
  config.hidden_size = 256;
  config.head_dim = 256 / config.num_attention_heads;
  config.intermediate_size = 4 * 256;
  config.num_hidden_layers = 3;
  auto lm = model::create_model(config);
  lm->eval();
  ASSERT_GE(lm->num_parameters() * 4, compute::DecodeThreadsScope::kMinStreamedBytes);
  struct {
    Generator gen;
  } e{Generator(lm, tok)};
  const int before = compute::compute_threads();
  std::vector<std::vector<int32_t>> runs;
  std::vector<torch::Tensor> logits;
  for (int threads : {1, 2, 3}) {
    compute::set_compute_threads(threads);
    auto s = quick(64, 5);
    s.num_candidates = 2;
    s.min_new_tokens = 64;
    runs.push_back(e.gen.generate({}, s).sequences[1]);
    ASSERT_GE(runs.back().size(), 32u);
    EXPECT_EQ(compute::compute_threads(), threads);  // the generator restores what it changed
    // Tokens hide rounding (a sample rarely flips on the last bit), so the cached decoding
    // steps' logits themselves must be the same bits.
    c10::InferenceMode inference;
    compute::DecodeThreadsScope scope(lm->num_parameters() * 4);
    auto cache = lm->make_cache();
    std::vector<torch::Tensor> steps;
    for (int32_t id : runs.back()) steps.push_back(lm->forward(torch::full({2, 1}, int64_t(id)), {}, &cache));
    logits.push_back(torch::cat(steps, 1));
  }
  compute::set_compute_threads(before);
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_EQ(runs[0], runs[2]);
  EXPECT_TRUE(torch::equal(logits[0], logits[1]));
  EXPECT_TRUE(torch::equal(logits[0], logits[2]));
}

TEST(GenerateSampling, GreedyWithCacheMatchesFullForwardArgmax) {
  Env e;
  GenerationSettings s;
  s.sampling = SamplingSettings{0.0f, 0, 1.0f, 0.0f, 1.0f, 0};  // greedy, no processors
  s.grammar = false;
  s.max_new_tokens = 20;
  const std::vector<int32_t> prompt = {e.tok->vocab().id("Bar_None"), e.tok->vocab().id("Position_0")};
  const auto r = e.gen.generate(prompt, s);
  torch::NoGradGuard ng;
  std::vector<int64_t> ids(prompt.begin(), prompt.end());
  size_t produced = 0;
  for (int i = 0; i < 20; ++i) {
    const auto logits = e.gen.model().forward(torch::tensor(ids, torch::kLong).unsqueeze(0));
    const int64_t next = logits[0][-1].argmax().item<int64_t>();
    if (next == e.tok->vocab().id("EOS_None")) break;
    ids.push_back(next);
    ++produced;
  }
  ASSERT_EQ(r.sequences[0].size(), prompt.size() + produced);
  for (size_t i = 0; i < r.sequences[0].size(); ++i) EXPECT_EQ(r.sequences[0][i], ids[i]) << "token " << i;
}

TEST(GenerateSampling, CancelStopsWithinOneTokenAndCallbacksStream) {
  Env e;
  std::atomic<bool> cancel{false};
  int64_t tokens_seen = 0;
  double last_progress = 0;
  GenerationCallbacks cb;
  cb.cancel = &cancel;
  cb.on_token = [&](const TokenEvent& ev) {
    EXPECT_EQ(ev.step, tokens_seen);
    if (++tokens_seen == 5) cancel = true;
  };
  cb.on_progress = [&](double f) { last_progress = f; };
  auto s = quick(200);
  s.grammar = false;
  const auto r = e.gen.generate({}, s, cb);
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(r.stop_reasons[0], "cancelled");
  EXPECT_EQ(tokens_seen, 5);
  EXPECT_EQ(r.steps, 5);
  EXPECT_NEAR(last_progress, 5.0 / 200.0, 1e-9);
}

TEST(GenerateSampling, KeyConstraintKeepsEveryPitchInTheScale) {
  Env e;
  auto s = quick(120);
  s.num_candidates = 4;
  s.controls.key = parse_scale("D:minor");
  s.controls.pitch_range = std::make_pair(48, 84);
  const auto r = e.gen.generate({}, s);
  size_t notes = 0;
  for (const auto& seq : r.sequences) {
    tokenizer::DecodeReport report;
    const auto score = to_score(*e.tok, seq, 0, &report);
    EXPECT_EQ(report.tokens_dropped, 0u);
    for (const auto& t : score.tracks)
      for (const auto& n : t.notes) {
        ++notes;
        EXPECT_TRUE(s.controls.key->contains(n.pitch)) << n.pitch;
        EXPECT_GE(n.pitch, 48);
        EXPECT_LE(n.pitch, 84);
      }
  }
  EXPECT_GT(notes, 20u);
  EXPECT_TRUE(parse_scale("C:major").contains(64));
  EXPECT_FALSE(parse_scale("C:major").contains(61));
  EXPECT_TRUE(parse_scale("F#:minor").contains(57));  // A
  EXPECT_THROW(parse_scale("H:major"), std::invalid_argument);
}

TEST(GenerateSampling, MaxBarsAndSlidingWindow) {
  auto tok = test::remi_tokenizer();
  Generator gen(test::random_tiny_model(*tok, /*context=*/48), tok);
  auto s = quick(160);
  s.max_bars = 0;
  const auto r = gen.generate({}, s);
  EXPECT_GT(r.sequences[0].size(), 48u) << "generation continues past the context window";
  tokenizer::DecodeReport report;
  to_score(*tok, r.sequences[0], 0, &report);
  EXPECT_EQ(report.tokens_dropped, 0u);
  s.max_bars = 2;
  s.sampling.temperature = 1.0f;
  const auto bars = gen.generate({}, s);
  const int bar = tok->vocab().id("Bar_None");
  EXPECT_LE(std::count(bars.sequences[0].begin(), bars.sequences[0].end(), bar), 2);
}

TEST(GenerateSampling, PromptContinuationUndoAndSidecar) {
  HARMONIA_REQUIRE_SHARED();
  Env e;
  const auto full = midi::read_midi_file((test::shared_dir() / "data/midi/pop909/077.mid").string());
  PromptSelection sel;
  sel.events = 24;
  const auto cut = select_prompt(full, sel);
  ASSERT_GT(cut.note_count(), 0u);
  EXPECT_LE(cut.note_count(), 24u);
  const auto prompt = prompt_tokens(*e.tok, cut);
  ASSERT_FALSE(prompt.empty());
  // First K bars of a made-up score: 4 quarter notes per bar, 4 bars.
  midi::Score bars;
  bars.tracks.emplace_back();
  for (int i = 0; i < 16; ++i) bars.tracks[0].notes.push_back({i * 480, 480, 60 + i, 90});
  PromptSelection two;
  two.bars = 2;
  const auto first_two = select_prompt(bars, two);
  EXPECT_EQ(first_two.note_count(), 8u);
  const auto two_ids = prompt_tokens(*e.tok, first_two);
  EXPECT_EQ(std::count(two_ids.begin(), two_ids.end(), e.tok->vocab().id("Bar_None")), 2);
  PromptSelection range;
  range.from_seconds = 1.0;  // 120 qpm: beat 2 on
  range.to_seconds = 2.0;
  const auto mid = select_prompt(bars, range);
  ASSERT_EQ(mid.note_count(), 2u);
  EXPECT_EQ(mid.tracks[0].notes[0].time, 0);
  EXPECT_EQ(mid.tracks[0].notes[0].pitch, 62);
  ContinuationHistory history(prompt);
  const auto r = e.gen.generate(history.current(), quick(30));
  history.push(r.sequences[0]);
  const auto again = e.gen.generate(history.current(), quick(30, 4));
  history.push(again.sequences[0]);
  EXPECT_EQ(history.depth(), 2u);
  EXPECT_TRUE(std::equal(prompt.begin(), prompt.end(), again.sequences[0].begin()));
  EXPECT_TRUE(history.undo());
  EXPECT_EQ(history.current(), r.sequences[0]);
  EXPECT_THROW(history.push({1, 2}), std::invalid_argument);

  const auto dir = test::scratch_dir("generate_sidecar");
  auto s = quick(30);
  s.controls.key = parse_scale("C:major");
  write_generation(to_score(*e.tok, r.sequences[0], 100), dir / "out.mid", s, {{"model", "x"}});
  const auto back = midi::read_midi_file((dir / "out.mid").string());
  EXPECT_GT(back.note_count(), cut.note_count() - 1);
  ASSERT_FALSE(back.tempos.empty());
  EXPECT_NEAR(back.tempos[0].qpm(), 100.0, 0.01);
  nlohmann::json side;
  std::ifstream(dir / "out.json") >> side;
  const auto restored = settings_from_json(side["settings"]);
  EXPECT_EQ(restored.seed, s.seed);
  EXPECT_FLOAT_EQ(restored.sampling.temperature, s.sampling.temperature);
  EXPECT_EQ(restored.controls.key->name, "C:major");
  EXPECT_EQ(side["model"], "x");
}

TEST(GenerateSampling, ModelDirectoryConvention) {
  auto tok = test::remi_tokenizer();
  const auto dir = test::scratch_dir("generate_bundle");
  save_bundle(*test::random_tiny_model(*tok), *tok, dir / "model");
  // Run dir with the tokenizer in the parent: move it up one level.
  std::filesystem::rename(dir / "model/tokenizer.json", dir / "tokenizer.json");
  const auto paths = locate_model(dir);
  EXPECT_EQ(paths.model_dir, dir / "model");
  EXPECT_EQ(paths.tokenizer_json, dir / "tokenizer.json");
  const auto b = load_bundle(dir / "model");
  EXPECT_EQ(b.tokenizer->vocab_size(), tok->vocab_size());
  EXPECT_THROW(locate_model(dir / "missing"), ModelBundleError);
}

// The studio's model picker offers a run's checkpoints: RUN/checkpoints/step-N/model holds
// the weights only, the tokenizer is the run's (RUN/tokenizer.json).
TEST(GenerateSampling, CheckpointModelUsesItsRunsTokenizer) {
  auto tok = test::remi_tokenizer();
  const auto run = test::scratch_dir("generate_checkpoint_bundle");
  const auto model_dir = run / "checkpoints" / "step-00000068" / "model";
  test::random_tiny_model(*tok)->save(model_dir);
  tok->save((run / "tokenizer.json").string());
  const auto paths = locate_model(model_dir);
  EXPECT_EQ(paths.tokenizer_json, run / "tokenizer.json");
  EXPECT_EQ(load_bundle(model_dir).tokenizer->vocab_size(), tok->vocab_size());
  // Anywhere else a tokenizer three levels up is not this model's.
  const auto other = test::scratch_dir("generate_not_a_checkpoint");
  test::random_tiny_model(*tok)->save(other / "a" / "b" / "model");
  tok->save((other / "tokenizer.json").string());
  EXPECT_THROW(locate_model(other / "a" / "b" / "model"), ModelBundleError);
}
