// What the studio's attention view shows: how much each token of one sequence attends to each
// earlier one, in every layer and head. Captured from the model's own forward pass through an
// AttentionRecorder (attention.hpp), so these are the probabilities the model really used:
// its scaling (none for GPT-Neo), causal and local-window masks, rotary positions and grouped-
// query head sharing (a query head reads its kv head's keys). The normal forward is untouched.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/causal_lm.hpp"

namespace harmonia::model {

struct AttentionMaps {
  // Why there are none, in words for the user ("" when `probs` holds them): a state-space
  // model (Mamba) has no attention to show.
  std::string unavailable;
  // [layers, heads, T, T] fp32: probs[l][h][i][j] is how much query i attends key j; each row
  // sums to 1 over j <= i (and, in a local layer, over the last `window` keys).
  torch::Tensor probs;
  // Per layer: how many keys a query sees at most (its own included); 0 = every earlier key.
  std::vector<int64_t> window;
};

// "" when `config` describes a model with attention; else why not, for the user.
std::string attention_unavailable_reason(const ModelConfig& config);

// Runs `model` on one sequence, ids [T] ([T, F] for compound models), without gradients and in
// eval mode (restored after), and returns every layer's attention. Throws std::invalid_argument
// for ids the model cannot take (T over its positions, ids out of range: the model's message).
AttentionMaps attention_maps(CausalLM& model, const torch::Tensor& ids);

}  // namespace harmonia::model
