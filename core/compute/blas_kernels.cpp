#include "core/compute/blas_kernels.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace harmonia::compute {

namespace {

// OpenBLAS's own entry points, looked up at run time: the BLAS LibTorch loaded may be another
// library (reference BLAS, MKL), where they do not exist and nothing is to be done.
using NameFn = char* (*)();
using VoidFn = void (*)();

std::string core_name() {
  auto name = reinterpret_cast<NameFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return name ? std::string(name()) : std::string();
}

BlasKernels select_once() {
  BlasKernels k;
  k.before = k.after = core_name();
  if (k.before.empty() || std::getenv("OPENBLAS_CORETYPE")) return k;  // not OpenBLAS, or the user chose
  if (k.before != "Prescott") return k;  // OpenBLAS recognised the CPU
  auto quit = reinterpret_cast<VoidFn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit"));
  auto init = reinterpret_cast<VoidFn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init"));
  if (!quit || !init) return k;  // a build without DYNAMIC_ARCH: its kernels are fixed
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  const char* core = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") ? "SkylakeX"
                     : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")   ? "Haswell"
                                                                                          : nullptr;
  if (!core) return k;
  setenv("OPENBLAS_CORETYPE", core, 0);
  quit();
  init();
  k.after = core_name();
#endif
  return k;
}

}  // namespace

BlasKernels select_blas_kernels() {
  static std::once_flag once;
  static BlasKernels result;
  std::call_once(once, [] { result = select_once(); });
  return result;
}

}  // namespace harmonia::compute
