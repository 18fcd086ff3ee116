// The decode kernels (core/model/decode_kernels.hpp) against the ATen ops they stand in for:
// linear layers in both weight layouts for 1..8 rows (with odd sizes that hit every loop tail),
// one-query attention with grouped-query heads and strided views, and the autograd fallback.
#include <gtest/gtest.h>
#include <torch/torch.h>

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
