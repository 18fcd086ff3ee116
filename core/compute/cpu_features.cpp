#include "core/compute/cpu_features.hpp"

namespace harmonia::compute {

bool cpu_has_native_bf16() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") || __builtin_cpu_supports("amx-bf16");
  }();
  return has;
#else
  return false;  // ARM's bf16 paths were never measured here: stay with fp32
#endif
}

std::string resolve_precision(const std::string& requested, bool cuda) {
  if (requested != "auto") return requested;
  return !cuda && cpu_has_native_bf16() ? "bf16" : "fp32";
}

}  // namespace harmonia::compute
