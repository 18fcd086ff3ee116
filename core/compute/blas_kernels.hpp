// Making OpenBLAS use this CPU's vector units. Debian 12's OpenBLAS (0.3.21, DYNAMIC_ARCH)
// picks its kernels from the CPU model number; models newer than it knows (e.g. the Xeons of
// our machines, family 6 model 207) fall back to "Prescott", plain SSE3 kernels: an fp32
// 1024^3 matmul ran at ~55 GFLOP/s instead of ~275 with the AVX-512 ("SkylakeX") kernels,
// in our process and in Python's torch alike. OpenBLAS re-reads OPENBLAS_CORETYPE when its
// dynamic dispatch is set up again, so we do that once, at start-up, before any BLAS call.
#pragma once

#include <string>

namespace harmonia::compute {

struct BlasKernels {
  std::string before;  // OpenBLAS's core name at start ("" when OpenBLAS is not loaded)
  std::string after;   // after the fix (equal to before when nothing was changed)
  bool changed() const { return before != after; }
};

// Re-selects OpenBLAS's kernels when it fell back to Prescott on a CPU with AVX-512 (SkylakeX)
// or AVX2 (Haswell). Leaves everything alone when OPENBLAS_CORETYPE is already set by the user,
// when OpenBLAS detected the CPU, or when the BLAS is not OpenBLAS. Idempotent.
BlasKernels select_blas_kernels();

}  // namespace harmonia::compute
