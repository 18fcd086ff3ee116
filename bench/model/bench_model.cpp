// Model throughput: forward tokens/s, forward+backward tokens/s and incremental-decoding
// tokens/s, on CPU (2 threads by default) and on CUDA when LibTorch has a device. Ratios are
// against the transformers numbers in ../shared/perf/BASELINES.md:
//   training GPT-2 6L/256d/8h, vocab 512, B8 x T256, AdamW: 1,090-1,170 tokens/s (we time
//     forward+backward without the optimizer step, so the ratio is an upper bound for training);
//   generate, top_k 50, KV cache, batch 1, 256 new tokens: 206-221 new tokens/s.
// Usage: bench_model [--threads N] [--quick]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "bench/baseline_shape.hpp"
#include "core/compute/threads.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"

namespace hm = harmonia::model;

namespace {

constexpr double kBaselineTrainTokensPerSec = 1130.0;  // midpoint of 1,090-1,170
constexpr double kBaselineDecodeTokensPerSec = 213.5;  // midpoint of 206-221

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void sync(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

double forward_tokens_per_sec(hm::CausalLM& model, int64_t batch, int64_t length, int reps, bool backward,
                              const torch::Device& device) {
  const auto ids = torch::randint(0, model.config().vocab_size, {batch, length}, torch::kLong).to(device);
  auto run = [&] {
    if (backward) {
      model.zero_grad();
      const auto logits = model.forward(ids);
      const auto loss = torch::nn::functional::cross_entropy(
          logits.narrow(1, 0, length - 1).reshape({-1, logits.size(-1)}).to(torch::kFloat),
          ids.narrow(1, 1, length - 1).reshape({-1}));
      loss.backward();
    } else {
      torch::NoGradGuard no_grad;
      model.forward(ids);
    }
  };
  run();  // warm-up
  sync(device);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) run();
  sync(device);
  return reps * batch * length / seconds_since(start);
}

// Greedy decoding at batch 1 after a 16-token prompt: one forward per new token with the cache.
double decode_tokens_per_sec(hm::CausalLM& model, int64_t new_tokens, const torch::Device& device) {
  torch::NoGradGuard no_grad;
  auto run = [&](int64_t count) {
    auto cache = model.make_cache();
    auto input = torch::randint(0, model.config().vocab_size, {1, 16}, torch::kLong).to(device);
    for (int64_t i = 0; i < count; ++i) {
      const auto logits = model.forward(input, {}, &cache);
      input = logits.select(1, -1).argmax(-1).view({1, 1});
    }
    sync(device);
  };
  run(8);
  const auto start = std::chrono::steady_clock::now();
  run(new_tokens);
  return new_tokens / seconds_since(start);
}

void report(const char* what, double value, double baseline) {
  if (baseline > 0)
    std::printf("  %-58s %10.0f tokens/s   %.2fx baseline\n", what, value, value / baseline);
  else
    std::printf("  %-58s %10.0f tokens/s\n", what, value);
}

void bench_device(const torch::Device& device, bool quick) {
  const int reps = quick ? 2 : 5;
  const int64_t decode = quick ? 64 : 256;
  const double gflops = harmonia::bench::matmul_gflops(device);
  std::printf("device %s: fp32 matmul 1024^3 %.0f GFLOP/s now (baseline runs: 195)\n", device.str().c_str(), gflops);

  torch::manual_seed(0);
  auto base = hm::create_model(harmonia::bench::baseline_gpt2_config());
  base->to(device);
  base->train(false);  // dropout is not modelled; eval keeps the comparison honest
  std::printf(" GPT-2 6L/256d/8h, vocab 512 (%.2fM params), the BASELINES.md shape:\n", base->num_parameters() / 1e6);
  report("forward+backward, B8 x T256, fp32", forward_tokens_per_sec(*base, 8, 256, reps, true, device),
         kBaselineTrainTokensPerSec);
  report("greedy decode with KV cache, batch 1, fp32", decode_tokens_per_sec(*base, decode, device),
         kBaselineDecodeTokensPerSec);
  base->to(torch::kBFloat16);
  report("forward+backward, B8 x T256, bf16 weights", forward_tokens_per_sec(*base, 8, 256, reps, true, device),
         kBaselineTrainTokensPerSec);
  report("greedy decode with KV cache, batch 1, bf16 weights", decode_tokens_per_sec(*base, decode, device),
         kBaselineDecodeTokensPerSec);

  torch::manual_seed(0);
  auto small = hm::create_model(hm::preset_config("small", "", 512));
  small->to(device);
  small->eval();
  std::printf(" preset small (gpt2, %.2fM params), vocab 512:\n", small->num_parameters() / 1e6);
  report("forward, B8 x T256, fp32", forward_tokens_per_sec(*small, 8, 256, reps, false, device), 0);
  report("forward+backward, B8 x T256, fp32", forward_tokens_per_sec(*small, 8, 256, reps, true, device), 0);
  report("greedy decode with KV cache, batch 1, fp32", decode_tokens_per_sec(*small, decode, device), 0);
  small->to(torch::kBFloat16);
  report("forward, B8 x T256, bf16 weights", forward_tokens_per_sec(*small, 8, 256, reps, false, device), 0);
  report("greedy decode with KV cache, batch 1, bf16 weights", decode_tokens_per_sec(*small, decode, device), 0);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--quick")) quick = true;
    else {
      std::fprintf(stderr, "usage: bench_model [--threads N] [--quick]\n");
      return 2;
    }
  }
  harmonia::compute::set_compute_threads(threads);
  std::printf("bench_model: %d CPU threads; baselines: train %.0f tokens/s, decode %.1f tokens/s (transformers 4.33)\n",
              harmonia::compute::compute_threads(), kBaselineTrainTokensPerSec, kBaselineDecodeTokensPerSec);
  bench_device(torch::kCPU, quick);
  if (torch::cuda::is_available()) bench_device(torch::kCUDA, quick);
  return 0;
}
