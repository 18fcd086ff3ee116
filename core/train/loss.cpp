#include "core/train/loss.hpp"

#include <torch/nn/functional/loss.h>

#include "core/train/batch_source.hpp"

namespace harmonia::train {

namespace {
torch::Tensor shifted_ce(const torch::Tensor& logits, const torch::Tensor& labels) {
  const int64_t T = logits.size(1);
  // Float logits: bf16 log-softmax over the vocabulary loses too much precision.
  auto l = logits.narrow(1, 0, T - 1).to(torch::kFloat).reshape({-1, logits.size(-1)});
  auto y = labels.narrow(1, 1, T - 1).reshape({-1});
  return torch::nn::functional::cross_entropy(
      l, y, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreLabel));
}
}  // namespace

torch::Tensor causal_lm_loss(const model::CausalLM& model, const torch::Tensor& logits, const torch::Tensor& labels) {
  if (!model.config().compound.enabled()) return shifted_ce(logits, labels);
  auto fields = model.split_field_logits(logits);
  torch::Tensor total;
  for (size_t f = 0; f < fields.size(); ++f) {
    auto l = shifted_ce(fields[f], labels.select(2, static_cast<int64_t>(f)));
    total = total.defined() ? total + l : l;
  }
  return total / static_cast<double>(fields.size());
}

int64_t counted_labels(const torch::Tensor& labels) {
  auto y = labels.dim() == 3 ? labels.select(2, 0) : labels;
  return y.narrow(1, 1, y.size(1) - 1).ne(kIgnoreLabel).sum().item<int64_t>();
}

}  // namespace harmonia::train
