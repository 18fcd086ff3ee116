// Learning rate at an optimizer step: linear warm-up from 0, then cosine decay to min_lr at
// the last step (or constant after warm-up). Pure function of the step, so resuming needs
// no scheduler state beyond the step itself.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace harmonia::train {

inline double learning_rate_at(int64_t step, int64_t total_steps, int64_t warmup_steps, double lr, double min_lr,
                                const std::string& schedule) {
  if (warmup_steps > 0 && step < warmup_steps) return lr * static_cast<double>(step + 1) / warmup_steps;
  if (schedule == "constant") return lr;
  const int64_t decay_steps = std::max<int64_t>(1, total_steps - warmup_steps);
  const double progress = std::clamp(static_cast<double>(step - warmup_steps) / decay_steps, 0.0, 1.0);
  return min_lr + 0.5 * (lr - min_lr) * (1.0 + std::cos(M_PI * progress));
}

// After warm-up, with the decay spread over a training-time budget instead of a step count.
inline double learning_rate_over_time(double elapsed_s, double budget_s, double lr, double min_lr,
                                      const std::string& schedule) {
  if (schedule == "constant") return lr;
  const double progress = std::clamp(elapsed_s / budget_s, 0.0, 1.0);
  return min_lr + 0.5 * (lr - min_lr) * (1.0 + std::cos(M_PI * progress));
}

}  // namespace harmonia::train
