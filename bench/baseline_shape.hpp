// What the benches compare against: the GPT-2 shape the Python baseline in
// ../shared/perf/BASELINES.md measured, and the machine's fp32 matmul rate right now (a shared
// VM's speed drifts, so ratios are also given normalised by it; the baseline runs had 195
// GFLOP/s).
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "core/model/presets.hpp"

namespace harmonia::bench {

// GPT-2 n_layer 6, n_embd 256, n_head 8, n_positions 512, with `vocab` tokens.
inline model::ModelConfig baseline_gpt2_config(int64_t vocab = 512) {
  auto c = model::preset_config("small", "gpt2", vocab);
  c.hidden_size = 256;
  c.num_hidden_layers = 6;
  c.num_attention_heads = 8;
  c.num_key_value_heads = 8;
  c.head_dim = 32;
  c.intermediate_size = 1024;
  c.max_position_embeddings = 512;
  return c;
}

// fp32 1024x1024x1024 matmul rate on `device`, in GFLOP/s.
inline double matmul_gflops(const torch::Device& device = torch::kCPU) {
  auto sync = [&] {
    if (device.is_cuda()) torch::cuda::synchronize();
  };
  const auto options = torch::TensorOptions().device(device);
  const auto a = torch::randn({1024, 1024}, options), b = torch::randn({1024, 1024}, options);
  torch::mm(a, b);
  sync();
  // The best of 5 short samples: one 0.15 s sample was seen anywhere from 100 to 300 GFLOP/s
  // within minutes on a shared 2-core machine; the best is the least disturbed.
  const int reps = 10;
  double best = 0;
  for (int sample = 0; sample < 5; ++sample) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) torch::mm(a, b);
    sync();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, reps * 2.0 * 1024 * 1024 * 1024 / s / 1e9);
  }
  return best;
}

}  // namespace harmonia::bench
