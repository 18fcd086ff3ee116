// fp16 training needs loss scaling: small gradients underflow in half precision, so the loss
// is multiplied by a large factor before backward and the gradients divided by it before the
// optimizer step. The factor adapts like torch.cuda.amp.GradScaler: halved (and the step
// skipped) when a gradient overflows to inf/NaN, doubled after `growth_interval` clean steps.
// bf16 has fp32's exponent range and needs none of this; a disabled scaler is a no-op.
// The scale is not stored in checkpoints: a resumed fp16 run starts again from the initial
// scale (it re-adapts within a few steps).
#pragma once

#include <torch/types.h>

#include <vector>

namespace harmonia::train {

class LossScaler {
 public:
  explicit LossScaler(bool enabled, double initial_scale = 65536.0, int growth_interval = 2000)
      : enabled_(enabled), scale_(enabled ? initial_scale : 1.0), growth_interval_(growth_interval) {}

  bool enabled() const { return enabled_; }
  double scale() const { return scale_; }
  torch::Tensor scale_loss(const torch::Tensor& loss) const { return enabled_ ? loss * scale_ : loss; }

  // Divides the gradients by the scale; returns false when one of them is inf or NaN.
  bool unscale_and_check(const std::vector<torch::Tensor>& params) const;
  // After each optimizer step: `finite` from unscale_and_check (agreed across ranks).
  void update(bool finite);

 private:
  bool enabled_;
  double scale_;
  int growth_interval_;
  int clean_steps_ = 0;
};

}  // namespace harmonia::train
