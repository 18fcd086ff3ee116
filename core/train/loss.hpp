// Next-token cross-entropy as transformers computes it: labels are not shifted by the data,
// logits at t predict labels at t+1, kIgnoreLabel positions are skipped, mean over the rest.
// Compound models: the mean of the per-field losses.
#pragma once

#include <torch/types.h>

#include "core/model/causal_lm.hpp"

namespace harmonia::train {

torch::Tensor causal_lm_loss(const model::CausalLM& model, const torch::Tensor& logits, const torch::Tensor& labels);
// Labels that count in the loss (for token-weighted averages).
int64_t counted_labels(const torch::Tensor& labels);

}  // namespace harmonia::train
