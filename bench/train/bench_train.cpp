// Training throughput of the real trainer (train(): AdamW, clipping, schedule, logging) on
// the GPT-2 shape of ../shared/perf/BASELINES.md: 6 layers, 256 wide, 8 heads, context 256,
// vocab 512, batch 8, fp32, 2 threads. Prints tokens/s, the ratio to transformers'
// 1,090-1,170 tokens/s, and MFU = 6 * params * tokens/s / (fp32 matmul peak measured now).
// Then the same steps with bf16 autocast: speed, and the loss curve next to fp32's on the
// same batches (real REMI windows of the default corpus when it is installed, else random).
// Usage: bench_train [--threads N] [--steps N] [--quick]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "bench/baseline_shape.hpp"
#include "core/compute/threads.hpp"
#include "core/data/default_corpus.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "core/train/dataset_batch_source.hpp"
#include "core/train/trainer.hpp"

namespace hm = harmonia::model;
namespace ht = harmonia::train;

namespace {

constexpr double kBaselineTokensPerSec = 1130.0;  // transformers: 1,090-1,170 tokens/s
constexpr double kBaselineMfu = 0.175;            // 0.17-0.18

struct Run {
  double tokens_per_s = 0;
  std::vector<double> losses;  // per step
};

// Trains a fresh seeded model for warmup + steps optimizer steps; times the last `steps`.
Run run(const hm::ModelConfig& shape, const std::vector<std::vector<int64_t>>& windows, int64_t warmup, int64_t steps,
        const std::string& precision) {
  torch::manual_seed(42);
  auto model = hm::create_model(shape);
  ht::InMemoryOptions o;
  o.batch_size = 8;
  o.context = 256;
  o.seed = 7;
  ht::InMemoryBatchSource data(windows, o);
  ht::TrainConfig c;
  c.max_steps = warmup + steps;
  c.warmup_steps = 10;
  c.lr = 1e-3;
  c.precision = precision;
  c.tensorboard = false;
  ht::EventQueue events(100000);
  ht::train(c, *model, data, nullptr, {&events, nullptr});
  Run r;
  double t0 = 0, t1 = 0;
  while (auto e = events.try_pop()) {
    if (e->kind != ht::TrainEvent::Kind::Step) continue;
    r.losses.push_back(e->train_loss);
    if (e->step == warmup) t0 = e->elapsed_s;
    if (e->step == warmup + steps) t1 = e->elapsed_s;
  }
  r.tokens_per_s = static_cast<double>(steps) * 8 * 256 / (t1 - t0);
  return r;
}

// Full 256-token REMI windows of the default corpus (vocab < 512 fits the baseline shape).
std::vector<std::vector<int64_t>> corpus_windows() {
  const auto files = harmonia::data::default_corpus_files();
  if (files.empty()) return {};
  auto tok = harmonia::tokenizer::Tokenizer::create("REMI");
  harmonia::data::ChunkOptions chunk;
  chunk.max_seq_len = 256;
  chunk.min_len = 256;
  chunk.cut_at_bars = false;
  return ht::tokenize_files(files, *tok, chunk, 0.0).train;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  int64_t steps = 20;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--steps") && i + 1 < argc) steps = std::atoll(argv[++i]);
    else if (!std::strcmp(argv[i], "--quick")) steps = 5;
  }
  harmonia::compute::set_compute_threads(threads);
  const double gflops = harmonia::bench::matmul_gflops();
  std::printf("threads %d, fp32 matmul 1024^3 now: %.0f GFLOP/s (baseline runs: 195)\n", threads, gflops);

  auto windows = corpus_windows();
  const bool real = windows.size() >= 16;
  if (!real) {
    std::mt19937_64 rng(3);
    windows.assign(256, std::vector<int64_t>(256));
    for (auto& w : windows)
      for (auto& t : w) t = static_cast<int64_t>(rng() % 512);
  }
  std::printf("data: %zu windows of 256 tokens (%s)\n", windows.size(),
              real ? "REMI, default corpus" : "random ids; default corpus not installed");
  const auto shape = harmonia::bench::baseline_gpt2_config(512);
  const int64_t warmup = 3;
  const Run fp32 = run(shape, windows, warmup, steps, "fp32");
  torch::manual_seed(0);
  const double params = static_cast<double>(hm::create_model(shape)->num_parameters());
  const double mfu = 6.0 * params * fp32.tokens_per_s / (gflops * 1e9);
  std::printf("GPT-2 6L/256d/8h, ctx 256, vocab 512 (%.2fM params), batch 8, AdamW, %lld timed steps after %lld:\n",
              params / 1e6, static_cast<long long>(steps), static_cast<long long>(warmup));
  std::printf("  fp32 train:  %8.0f tokens/s   %.2fx transformers (1,130)   MFU %.3f (transformers %.3f)\n",
              fp32.tokens_per_s, fp32.tokens_per_s / kBaselineTokensPerSec, mfu, kBaselineMfu);
  const Run bf16 = run(shape, windows, warmup, steps, "bf16");
  std::printf("  bf16 train:  %8.0f tokens/s   %.2fx transformers   %.2fx our fp32\n", bf16.tokens_per_s,
              bf16.tokens_per_s / kBaselineTokensPerSec, bf16.tokens_per_s / fp32.tokens_per_s);
  std::printf("  loss over the same batches (step: fp32 / bf16):");
  double max_gap = 0;
  for (size_t i = 0; i < fp32.losses.size() && i < bf16.losses.size(); ++i) {
    max_gap = std::max(max_gap, std::abs(fp32.losses[i] - bf16.losses[i]));
    if (i % 4 == 0 || i + 1 == fp32.losses.size())
      std::printf("%s%zu: %.3f / %.3f", i ? ", " : " ", i + 1, fp32.losses[i], bf16.losses[i]);
  }
  std::printf("\n  largest per-step loss gap bf16 vs fp32: %.4f\n", max_gap);
  return 0;
}
