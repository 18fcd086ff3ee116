// The CPU kernels' shared pieces: one clone of a kernel per instruction set, picked when the
// library loads (GCC/Clang ifunc), so loops get AVX-512 or AVX2+FMA code without building the
// project for one CPU; and the dot product they inline into each clone.
#pragma once

#include <cstdint>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(_WIN32) && !defined(__APPLE__)
#define HARMONIA_CPU_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#define HARMONIA_INLINE inline __attribute__((always_inline))
#else
#define HARMONIA_CPU_CLONES
#define HARMONIA_INLINE inline
#endif

namespace harmonia::model::cpu {

constexpr int64_t kLanes = 16;  // independent partial sums per dot product (one AVX-512 register)

// Always inlined into the cloned kernels, so it is compiled for each one's instruction set.
// The lane order is fixed: results do not depend on the clone that runs.
HARMONIA_INLINE float dot(const float* __restrict a, const float* __restrict b, int64_t n) {
  float acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) acc[l] += a[i + l] * b[i + l];
  float sum = 0;
  for (int64_t l = 0; l < kLanes; ++l) sum += acc[l];
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace harmonia::model::cpu
