// Mixed precision for the forward pass: bf16 autocast on CPU (and CUDA), or fp16 on CUDA
// (with loss scaling, loss_scaler.hpp), while the weights and the optimizer stay fp32. Autocast's C++ switches were renamed in LibTorch 2.4
// (set_autocast_enabled(device, ...)); the old ones still exist before that.
#pragma once

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace harmonia::train {

class AutocastScope {
 public:
  // dtype: at::kBFloat16, or at::kHalf (CUDA only).
  AutocastScope(bool enabled, bool cuda, at::ScalarType dtype = at::kBFloat16) : enabled_(enabled), cuda_(cuda) {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    const auto device = cuda_ ? at::kCUDA : at::kCPU;
    previous_ = at::autocast::is_autocast_enabled(device);
    at::autocast::set_autocast_dtype(device, dtype);
    at::autocast::set_autocast_enabled(device, true);
#else
    if (cuda_) {
      previous_ = at::autocast::is_enabled();
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(true);
    } else {
      previous_ = at::autocast::is_cpu_enabled();
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(true);
    }
#endif
    at::autocast::increment_nesting();
  }
  ~AutocastScope() {
    if (!enabled_) return;
    // Leaving the outermost scope drops the casted-weight cache (weights change each step).
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_enabled(cuda_ ? at::kCUDA : at::kCPU, previous_);
#else
    if (cuda_) at::autocast::set_enabled(previous_);
    else at::autocast::set_cpu_enabled(previous_);
#endif
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_, cuda_, previous_ = false;
};

}  // namespace harmonia::train
