#include "core/train/memory_estimate.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace harmonia::train {

MemoryEstimate estimate_training_memory(const model::ModelConfig& c, int64_t parameters, int64_t batch,
                                        int64_t context) {
  MemoryEstimate e;
  const double b = double(std::max<int64_t>(1, batch)), s = double(std::max<int64_t>(1, context));
  const double h = double(std::max<int64_t>(1, c.hidden_size));
  const double inner = double(c.intermediate_size > 0 ? c.intermediate_size : 4 * c.hidden_size);
  const double layers = double(std::max<int64_t>(1, c.num_hidden_layers));
  const double heads = double(std::max<int64_t>(1, c.num_attention_heads));
  const double vocab = double(std::max<int64_t>(1, c.vocab_size));
  constexpr double kFloat = 4;
  e.weights_and_optimizer = double(parameters) * kFloat * 4;
  // Per layer: the residual stream, norms, q/k/v, the attention output and the MLP's inputs
  // and activations (about 10 h + 3 inner values a token), and for attention the scores and the
  // probabilities kept for the backward pass (2 b*heads*s^2). A state-space layer has no s^2.
  double per_layer = b * s * (10 * h + 3 * inner) * kFloat;
  if (c.model_type != "mamba") per_layer += 2 * b * heads * s * s * kFloat;
  // Logits, their log-softmax and its gradient over the whole vocabulary.
  e.activations = layers * per_layer + 3 * b * s * vocab * kFloat;
  return e;
}

uint64_t available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

std::string memory_refusal(const MemoryEstimate& estimate, uint64_t available, int64_t batch, int64_t context) {
  if (available == 0 || estimate.total() <= double(available)) return {};
  char text[400];
  std::snprintf(text, sizeof text,
                "this run needs about %.1f GB of memory (batch %lld x context %lld: %.1f GB of activations, "
                "%.1f GB of weights and optimizer state) and this machine has %.1f GB free; lower the batch "
                "size or the context (attention's share grows with the square of the context)",
                estimate.total() / 1e9, static_cast<long long>(batch), static_cast<long long>(context),
                estimate.activations / 1e9, estimate.weights_and_optimizer / 1e9, double(available) / 1e9);
  return text;
}

}  // namespace harmonia::train
