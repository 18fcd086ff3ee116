// Keys and values of the positions already processed, per layer, so incremental decoding
// feeds one new token at a time. Buffers grow by doubling and are written in place, so a
// decoding step copies only the new token's keys instead of re-concatenating the past.
// Recurrent models (Mamba) keep a fixed-size state per layer here instead: the same object
// goes through the generator, and its memory does not grow with the sequence.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace harmonia::model {

class KVCache {
 public:
  explicit KVCache(int64_t num_layers = 0) : keys_(num_layers), values_(num_layers) {}

  int64_t num_layers() const { return static_cast<int64_t>(keys_.size()); }
  // Positions held (the same for every layer between forward calls).
  int64_t length() const { return length_; }
  bool empty() const { return length_ == 0; }
  int64_t batch_size() const;

  // Stores k, v [B, H, T, D] for `layer` after the `length()` cached positions and returns the
  // keys and values of all length()+T positions (views into the buffers).
  std::pair<torch::Tensor, torch::Tensor> append(int64_t layer, const torch::Tensor& k, const torch::Tensor& v);
  // Called once per forward, after every layer appended its T new positions.
  void advance(int64_t new_positions);

  // A recurrent layer's state after length() positions (undefined tensors before the first
  // forward): Mamba's last conv_kernel-1 conv inputs [B, K-1, D] and its SSM state [B, D, N].
  struct RecurrentState {
    torch::Tensor conv, ssm;
  };
  RecurrentState& recurrent(int64_t layer);

  // Keeps only the given batch rows (in that order): drops finished sequences, reorders beams.
  void select_batch(const torch::Tensor& rows);
  // Forgets everything past `length` (e.g. to re-run a prefix with a different continuation).
  // A recurrent state cannot be rewound: truncating one to a shorter length throws.
  void truncate(int64_t length);
  void clear();

 private:
  std::vector<torch::Tensor> keys_, values_;  // [B, H, capacity, D]
  std::vector<RecurrentState> recurrent_;     // sized on first use
  int64_t length_ = 0;
};

}  // namespace harmonia::model
