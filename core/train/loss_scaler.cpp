#include "core/train/loss_scaler.hpp"

#include <torch/torch.h>

#include <algorithm>

namespace harmonia::train {

bool LossScaler::unscale_and_check(const std::vector<torch::Tensor>& params) const {
  if (!enabled_) return true;
  torch::NoGradGuard no_grad;
  bool finite = true;
  for (const auto& p : params) {
    if (!p.grad().defined()) continue;
    p.grad().div_(scale_);
    // One sync per tensor is fine at the sizes we train; fused checks are a later concern.
    if (finite && !torch::isfinite(p.grad()).all().item<bool>()) finite = false;
  }
  return finite;
}

void LossScaler::update(bool finite) {
  if (!enabled_) return;
  if (!finite) {
    scale_ = std::max(1.0, scale_ / 2);
    clean_steps_ = 0;
  } else if (++clean_steps_ >= growth_interval_) {
    scale_ *= 2;
    clean_steps_ = 0;
  }
}

}  // namespace harmonia::train
