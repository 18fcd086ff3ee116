// What the processor can do fast, asked once: the training default picks bf16 autocast only
// where the CPU has native bf16 dot products (AVX512-BF16 or AMX-BF16), since on other CPUs
// LibTorch emulates bf16 and runs slower than fp32.
#pragma once

#include <string>

namespace harmonia::compute {

bool cpu_has_native_bf16();

// "auto" -> "bf16" where cpu_has_native_bf16() on a CPU run, else "fp32" (GPU runs stay
// fp32 unless asked: fp16/bf16 on CUDA have not been validated on this project's machines).
// Any other value is returned unchanged.
std::string resolve_precision(const std::string& requested, bool cuda);

}  // namespace harmonia::compute
