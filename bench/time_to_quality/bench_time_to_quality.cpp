// "How good does the model get in five minutes?" — the protocol of ../shared/perf/BASELINES.md
// ("Time to quality"): the 41 default-corpus files sorted as strings, validation = index % 8
// == 0, REMI (default config), every track separately with BOS + EOS, non-overlapping
// 256-token windows (a last window under 32 tokens dropped), the tiny preset (GPT-2 4 x 128,
// 4 heads, 256 positions, ~862k parameters), AdamW lr 1e-3 betas (0.9, 0.95) wd 0.1,
// batch 16, 50 warm-up steps then cosine to 1e-4 over the time budget, clip 1.0. Prints the
// validation loss every 30 s of training time (evaluation excluded) and when the Python
// stack's 2.28 is first reached.
// Usage: bench_time_to_quality [--seconds 300] [--every 30] [--precision fp32|bf16]
//                              [--threads 2] [--seed 1234]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/compute/threads.hpp"
#include "core/data/default_corpus.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "core/train/dataset_batch_source.hpp"
#include "core/train/trainer.hpp"

namespace ht = harmonia::train;

namespace {

// Python / transformers, mean of 2 seeds, at 30, 60, 90, 120, 180, 240, 300 s.
const std::pair<int, double> kPython[] = {{30, 4.31}, {60, 2.97}, {90, 2.52}, {120, 2.42},
                                          {180, 2.32}, {240, 2.29}, {300, 2.28}};

double python_at(double s) {
  for (const auto& [t, loss] : kPython)
    if (std::abs(s - t) < 1) return loss;
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 300, every = 30;
  std::string precision = "fp32";
  int threads = 2;
  uint64_t seed = 1234;
  for (int i = 1; i + 1 < argc; ++i) {
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--every")) every = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--precision")) precision = argv[++i];
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--seed")) seed = std::strtoull(argv[++i], nullptr, 10);
  }
  harmonia::compute::set_compute_threads(threads);

  auto files = harmonia::data::default_corpus_files();
  if (files.empty()) {
    std::printf("default corpus not installed (openttd-openmsx, planetblupi-music-midi): nothing to measure\n");
    return 0;
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> train_files, val_files;
  for (size_t i = 0; i < files.size(); ++i) (i % 8 == 0 ? val_files : train_files).push_back(files[i]);

  const auto t0 = std::chrono::steady_clock::now();
  auto tok = harmonia::tokenizer::Tokenizer::create("REMI");
  harmonia::data::ChunkOptions chunk;
  chunk.max_seq_len = 256;
  chunk.min_len = 32;
  chunk.cut_at_bars = false;  // the protocol's plain 256-token windows
  auto train_windows = ht::tokenize_files(train_files, *tok, chunk, 0.0);
  auto val_windows = ht::tokenize_files(val_files, *tok, chunk, 0.0);
  const double tokenize_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto count = [](const std::vector<std::vector<int64_t>>& ws) {
    size_t n = 0;
    for (const auto& w : ws) n += w.size();
    return n;
  };
  std::printf("corpus: %zu train files, %zu validation files; tokenized in %.1f s (Python 2.4-2.6 s)\n",
              train_files.size(), val_files.size(), tokenize_s);
  std::printf("windows: train %zu (%zu tokens), validation %zu (%zu tokens); protocol: 3,421 (855,850) / 857 "
              "(216,467)\n",
              train_windows.train.size(), count(train_windows.train), val_windows.train.size(),
              count(val_windows.train));

  ht::InMemoryOptions o;
  o.batch_size = 16;
  o.context = 256;
  o.pad_id = train_windows.pad_id;
  o.seed = seed;
  ht::InMemoryBatchSource train(train_windows.train, o);
  o.shuffle = false;
  ht::InMemoryBatchSource validation(val_windows.train, o);

  torch::manual_seed(seed);
  auto model = harmonia::model::create_model(
      harmonia::model::preset_config("tiny", "gpt2", static_cast<int64_t>(tok->vocab_size())));
  std::printf("model: tiny preset, %lld parameters, %s, %d threads, batch 16, budget %.0f s\n",
              static_cast<long long>(model->num_parameters()), precision.c_str(), threads, seconds);

  ht::TrainConfig c;
  c.max_steps = 1000000;  // the time budget ends the run
  c.time_budget_s = seconds;
  c.schedule_over_time_budget = true;
  c.warmup_steps = 50;
  c.lr = 1e-3;
  c.min_lr = 1e-4;
  c.beta1 = 0.9;
  c.beta2 = 0.95;
  c.weight_decay = 0.1;
  c.clip_norm = 1.0;
  c.seed = seed;
  c.precision = precision;
  c.eval_every_s = every;
  c.log_every = 50;

  ht::EventQueue events(1000000);
  double reached = -1;
  std::printf("%8s %8s %10s %10s\n", "train s", "step", "val loss", "Python");
  const auto print = [&](const ht::TrainEvent& e) {
    if (e.kind != ht::TrainEvent::Kind::Validation) return;
    const double py = python_at(std::round(e.elapsed_s / every) * every);
    if (py > 0) std::printf("%8.1f %8lld %10.3f %10.2f\n", e.elapsed_s, static_cast<long long>(e.step), e.val_loss, py);
    else std::printf("%8.1f %8lld %10.3f %10s\n", e.elapsed_s, static_cast<long long>(e.step), e.val_loss, "");
    std::fflush(stdout);
    if (reached < 0 && e.val_loss <= 2.28) reached = e.elapsed_s;
  };
  ht::TrainResult result;
  {
    ht::EventDispatcher printer(events, print);
    result = ht::train(c, *model, train, &validation, {&events, nullptr});
  }
  std::printf("%lld steps, %.0f tokens/s (Python 4,180-4,360); final validation loss %.3f (Python 2.28)\n",
              static_cast<long long>(result.steps), result.tokens_per_s, result.last_val_loss);
  if (reached >= 0) std::printf("2.28 reached after %.0f s of training (goal: <= 150 s)\n", reached);
  else std::printf("2.28 not reached within %.0f s\n", seconds);
  return 0;
}
