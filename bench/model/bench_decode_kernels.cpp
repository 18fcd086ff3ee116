// The decode kernels alone, one (or 8) rows through the small preset's linear shapes and a
// one-query attention, on 1 and 2 decode parts: GB/s of weights streamed, to compare with the
// machine's memory bandwidth (the ceiling for batch-1 decoding of a model larger than cache).
// Usage: bench_decode_kernels [--rows N] [--parts N]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <torch/torch.h>

#include "core/compute/decode_pool.hpp"
#include "core/compute/threads.hpp"
#include "core/model/decode_kernels.hpp"

namespace hm = harmonia::model;

namespace {

template <class F>
double best_seconds(F&& f, int reps) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 1;
  int max_parts = 2;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rows") && i + 1 < argc) rows = std::stoll(argv[++i]);
    else if (!std::strcmp(argv[i], "--parts") && i + 1 < argc) max_parts = std::stoi(argv[++i]);
  }
  torch::InferenceMode inference;
  torch::manual_seed(0);
  // Six layers of the small preset (384 wide): qkv, proj, fc, fc proj — 42 MB. Four copies are
  // cycled through, so that the weights come from memory as in a real step (where the KV cache,
  // activations and the sampler evict them), not from a cache that a 42 MB loop alone can fill.
  struct Layer { torch::Tensor qkv, proj, fc, out; };
  std::vector<Layer> layers;
  for (int l = 0; l < 24; ++l)
    layers.push_back({torch::randn({384, 1152}), torch::randn({384, 384}), torch::randn({384, 1536}), torch::randn({1536, 384})});
  const auto x = torch::randn({rows, 1, 384}), h = torch::randn({rows, 1, 1536});
  double bytes = 0;
  for (const auto& l : layers) bytes += 4.0 * double(l.qkv.numel() + l.proj.numel() + l.fc.numel() + l.out.numel());
  bytes /= 4;  // per model: one of the four copies
  const auto k = torch::randn({rows, 6, 256, 64}), v = torch::randn({rows, 6, 256, 64}), q = torch::randn({rows, 6, 1, 64});
  for (int parts = 1; parts <= max_parts; ++parts) {
    harmonia::compute::set_compute_threads(parts);
    harmonia::compute::DecodeThreadsScope scope(int64_t(bytes));
    const double linear = best_seconds(
                              [&] {
                                for (const auto& l : layers) {
                                  hm::linear_in_out(x, l.qkv, {});
                                  hm::linear_in_out(x, l.proj, {});
                                  hm::linear_in_out(x, l.fc, {});
                                  hm::linear_in_out(h, l.out, {});
                                }
                              },
                              20) /
                          4;
    const double attention = best_seconds(
        [&] {
          for (int l = 0; l < 6; ++l) hm::attend_one_query(q, k, v, 0.125);
        },
        50);
    std::printf("parts %d, rows %lld: 6 layers of linear %.3f ms = %.1f GB/s of weights; 6 attentions over 256 keys "
                "%.3f ms = %.1f GB/s of keys+values\n",
                parts, (long long)rows, linear * 1e3, bytes / linear / 1e9, attention * 1e3,
                6.0 * 2 * double(k.numel()) * 4 / attention / 1e9);
  }
  return 0;
}
