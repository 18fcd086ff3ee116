// OpenBLAS runs its vector kernels on this CPU (core/compute/blas_kernels.hpp): Debian 12's
// OpenBLAS does not know recent Xeons and fell back to SSE3 ("Prescott") kernels, 5x slower.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>

#include "core/compute/blas_kernels.hpp"
#include "core/compute/threads.hpp"

using harmonia::compute::select_blas_kernels;

TEST(ComputeBlas, VectorKernelsOnACpuThatHasThem) {
  harmonia::compute::set_compute_threads(2);
  const auto k = select_blas_kernels();
  std::cout << "[blas] OpenBLAS core at start: '" << k.before << "', now: '" << k.after << "'\n";
  if (k.before.empty()) GTEST_SKIP() << "LibTorch's BLAS is not OpenBLAS here";
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    EXPECT_NE(k.after, "Prescott") << "a CPU with AVX2/AVX-512 must not run OpenBLAS's SSE3 kernels";
  }
  if (k.changed()) {
    ASSERT_NE(std::getenv("OPENBLAS_CORETYPE"), nullptr);
    EXPECT_EQ(k.after, std::getenv("OPENBLAS_CORETYPE"));
  }
  // Called again: nothing changes, and matmuls still compute the right thing.
  const auto again = select_blas_kernels();
  EXPECT_EQ(again.after, k.after);
  torch::manual_seed(3);
  const auto a = torch::randn({64, 48}), b = torch::randn({48, 32});
  const auto reference = (a.unsqueeze(2) * b.unsqueeze(0)).sum(1);  // no BLAS: broadcast and sum
  EXPECT_TRUE(torch::allclose(torch::mm(a, b), reference, 1e-4, 1e-4));
}
