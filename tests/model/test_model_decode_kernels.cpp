// The decode kernels (core/model/decode_kernels.hpp) against the ATen ops they stand in for:
// linear layers in both weight layouts for 1..8 rows (with odd sizes that hit every loop tail),
// one-query attention with grouped-query heads and strided views, the autograd fallback, and
// the same kernels split over the decode pool (core/compute/decode_pool.hpp).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/compute/decode_pool.hpp"
#include "core/compute/threads.hpp"
#include "core/model/decode_kernels.hpp"

namespace hm = harmonia::model;

namespace {

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

}  // namespace

TEST(DecodeKernels, LinearLayersMatchAtenForOneToEightRows) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(3);
  const std::vector<std::pair<int64_t, int64_t>> shapes = {{37, 61}, {64, 128}, {16, 7}, {384, 1152}, {1536, 384}};
  for (int64_t rows : {1, 3, 8})
    for (const auto& [in, out] : shapes) {
      SCOPED_TRACE("rows " + std::to_string(rows) + ", " + std::to_string(in) + " -> " + std::to_string(out));
      const auto w = torch::randn({in, out}), b = torch::randn({out}), wt = w.t().contiguous();
      const auto x = torch::randn({rows, 1, in});
      const auto expected = torch::addmm(b, x.view({rows, in}), w).view({rows, 1, out});
      const double tolerance = 1e-5 * std::sqrt(double(in));
      const auto conv = hm::linear_in_out(x, w, b);
      EXPECT_EQ(conv.sizes(), expected.sizes());
      EXPECT_LE(max_abs_diff(conv, expected), tolerance);
      EXPECT_LE(max_abs_diff(hm::linear_out_in(x, wt, b), expected), tolerance);
      EXPECT_LE(max_abs_diff(hm::linear_out_in(x, wt), expected - b), tolerance);
      // A row's result does not depend on the rows beside it (each candidate decodes alike).
      EXPECT_TRUE(torch::equal(hm::linear_in_out(x.narrow(0, rows - 1, 1), w, b), conv.narrow(0, rows - 1, 1)));
      EXPECT_TRUE(torch::equal(hm::linear_out_in(x.narrow(0, rows - 1, 1), wt, b),
                               hm::linear_out_in(x, wt, b).narrow(0, rows - 1, 1)));
    }
  // More rows than the kernels take, and a non-contiguous input, still give the same numbers.
  const auto w = torch::randn({20, 30}), b = torch::randn({30});
  const auto many = torch::randn({4, 5, 20});
  EXPECT_LE(max_abs_diff(hm::linear_in_out(many, w, b), torch::matmul(many, w) + b), 1e-5);
  const auto strided = torch::randn({20, 2}).t();
  EXPECT_LE(max_abs_diff(hm::linear_in_out(strided, w, b), torch::addmm(b, strided, w)), 1e-5);
}

TEST(DecodeKernels, OneQueryAttentionMatchesSoftmaxAttention) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(4);
  for (const auto& [heads, kv_heads, dim, keys] :
       std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t>>{{6, 6, 64, 130}, {4, 2, 12, 5}, {8, 1, 20, 1}}) {
    SCOPED_TRACE(std::to_string(heads) + "/" + std::to_string(kv_heads) + " heads, dim " + std::to_string(dim));
    const int64_t batch = 3;
    // q as the models make it: a permuted view of one projection; k, v: views into larger cache buffers.
    const auto q = torch::randn({batch, 1, heads, dim}).transpose(1, 2);
    const auto k_buffer = torch::randn({batch, kv_heads, keys + 7, dim}), v_buffer = torch::randn({batch, kv_heads, keys + 7, dim});
    const auto k = k_buffer.narrow(2, 0, keys), v = v_buffer.narrow(2, 0, keys);
    const double scale = 0.3;
    const auto got = hm::attend_one_query(q, k, v, scale);
    ASSERT_TRUE(got.defined());
    const int64_t group = heads / kv_heads;
    const auto key = k.repeat_interleave(group, 1), value = v.repeat_interleave(group, 1);
    const auto probs = torch::softmax(torch::matmul(q, key.transpose(-2, -1)) * scale, -1);
    const auto expected = torch::matmul(probs, value).transpose(1, 2).reshape({batch, 1, heads * dim});
    EXPECT_LE(max_abs_diff(got, expected), 1e-5);
  }
  // Two query positions, or a double tensor: not for this kernel.
  const auto k = torch::randn({1, 2, 4, 8});
  EXPECT_FALSE(hm::attend_one_query(torch::randn({1, 2, 2, 8}), k, k, 1.0).defined());
  EXPECT_FALSE(hm::attend_one_query(torch::randn({1, 2, 1, 8}, torch::kDouble), k.to(torch::kDouble),
                                    k.to(torch::kDouble), 1.0)
                   .defined());
}

TEST(DecodeKernels, AutogradStillSeesTheComputation) {
  const auto w = torch::randn({6, 4}, torch::requires_grad()), b = torch::zeros({4}, torch::requires_grad());
  const auto x = torch::randn({1, 6});
  auto y = hm::linear_in_out(x, w, b);
  ASSERT_TRUE(y.requires_grad());
  y.sum().backward();
  EXPECT_LE(max_abs_diff(w.grad(), x.t().expand({6, 4})), 1e-6);
  const auto wt = torch::randn({4, 6}, torch::requires_grad());
  auto z = hm::linear_out_in(x, wt);
  ASSERT_TRUE(z.requires_grad());
  z.sum().backward();
  EXPECT_LE(max_abs_diff(wt.grad(), x.expand({4, 6})), 1e-6);
}

// Split over the decode pool, the kernels give the very same bits as on one thread, for any
// part count (the split never changes a sum's order), so a seed decodes alike on any machine.
TEST(DecodeKernels, SplittingOverThreadsChangesNoBit) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(5);
  const auto w = torch::randn({384, 1152}), b = torch::randn({1152}), wt = torch::randn({1157, 384});
  const auto x = torch::randn({3, 1, 384});
  const auto q = torch::randn({2, 6, 1, 64}), k = torch::randn({2, 6, 300, 64}), v = torch::randn({2, 6, 300, 64});
  ASSERT_EQ(harmonia::compute::decode_parts(), 1);
  const auto conv = hm::linear_in_out(x, w, b), lin = hm::linear_out_in(x, wt), att = hm::attend_one_query(q, k, v, 0.125);
  const int before = harmonia::compute::compute_threads();
  for (int threads : {2, 3, 5}) {
    SCOPED_TRACE(std::to_string(threads) + " parts");
    harmonia::compute::set_compute_threads(threads);
    {
      harmonia::compute::DecodeThreadsScope scope(harmonia::compute::DecodeThreadsScope::kMinStreamedBytes);
      EXPECT_EQ(harmonia::compute::decode_parts(), threads);
      EXPECT_EQ(harmonia::compute::compute_threads(), 1);  // ATen's ops stay on this thread meanwhile
      EXPECT_TRUE(torch::equal(hm::linear_in_out(x, w, b), conv));
      EXPECT_TRUE(torch::equal(hm::linear_in_out(x.narrow(0, 0, 1), w, b), conv.narrow(0, 0, 1)));
      EXPECT_TRUE(torch::equal(hm::linear_out_in(x, wt), lin));
      EXPECT_TRUE(torch::equal(hm::attend_one_query(q, k, v, 0.125), att));
    }
    EXPECT_EQ(harmonia::compute::compute_threads(), threads);
    EXPECT_EQ(harmonia::compute::decode_parts(), 1);
    {
      // A model that stays in cache decodes on one thread: the hand-offs would cost more.
      harmonia::compute::DecodeThreadsScope small(harmonia::compute::DecodeThreadsScope::kMinStreamedBytes - 1);
      EXPECT_EQ(harmonia::compute::decode_parts(), 1);
      EXPECT_EQ(harmonia::compute::compute_threads(), 1);
    }
  }
  harmonia::compute::set_compute_threads(before);
}

// Every part runs exactly once per job, also when jobs of different sizes follow each other
// at once (a worker that wakes late must not run a part of the next job) and when two threads
// use the pool together (the second runs alone).
TEST(DecodePool, EveryPartRunsExactlyOnce) {
  auto hammer = [](int seed) {
    std::vector<std::atomic<int>> hits(16);
    int wrong = 0;
    for (int job = 0; job < 3000; ++job) {
      const int parts = 1 + (job * 7 + seed) % 16;
      for (auto& h : hits) h.store(0);
      harmonia::compute::run_parts(parts, [&](int i, int n) {
        if (n == parts && i >= 0 && i < n) hits[size_t(i)].fetch_add(1);
      });
      for (int i = 0; i < 16; ++i) wrong += hits[size_t(i)].load() != (i < parts ? 1 : 0);
    }
    return wrong;
  };
  int other = -1;
  std::thread second([&] { other = hammer(3); });
  EXPECT_EQ(hammer(0), 0);
  second.join();
  EXPECT_EQ(other, 0);
}
