// AdamW over a model's parameters in two groups: matrices decay, 1-D parameters (biases,
// norm gains) do not, embeddings as TrainConfig::decay_embeddings says.
#pragma once

#include <torch/optim/adamw.h>

#include <memory>

#include "core/model/causal_lm.hpp"
#include "core/train/train_config.hpp"

namespace harmonia::train {

std::unique_ptr<torch::optim::AdamW> make_adamw(model::CausalLM& model, const TrainConfig& config);
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);
// Parameters in a fixed order, tied ones once (what clipping and all-reduce walk over).
std::vector<torch::Tensor> unique_parameters(model::CausalLM& model);

}  // namespace harmonia::train
