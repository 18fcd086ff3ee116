#include "core/train/optimizer.hpp"

#include <set>

namespace harmonia::train {

std::vector<torch::Tensor> unique_parameters(model::CausalLM& model) {
  std::vector<torch::Tensor> params;
  std::set<const void*> seen;
  for (const auto& p : model.parameters())
    if (p.requires_grad() && seen.insert(p.unsafeGetTensorImpl()).second) params.push_back(p);
  return params;
}

std::unique_ptr<torch::optim::AdamW> make_adamw(model::CausalLM& model, const TrainConfig& config) {
  std::vector<torch::Tensor> decay, no_decay;
  std::set<const void*> seen;
  for (const auto& item : model.named_parameters()) {
    const auto& p = item.value();
    if (!p.requires_grad() || !seen.insert(p.unsafeGetTensorImpl()).second) continue;
    const std::string& name = item.key();
    const bool embedding = name.find("wte") != std::string::npos || name.find("wpe") != std::string::npos ||
                           name.find("embed") != std::string::npos;
    const bool decays = p.dim() >= 2 && (!embedding || config.decay_embeddings);
    (decays ? decay : no_decay).push_back(p);
  }
  auto options = torch::optim::AdamWOptions(config.lr)
                     .betas(std::make_tuple(config.beta1, config.beta2))
                     .eps(config.eps)
                     .weight_decay(config.weight_decay);
  auto no_decay_options = options;
  no_decay_options.weight_decay(0.0);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(options));
  groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(no_decay_options));
  return std::make_unique<torch::optim::AdamW>(std::move(groups), options);
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

}  // namespace harmonia::train
