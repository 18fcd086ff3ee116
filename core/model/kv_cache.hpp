// Keys and values of the positions already processed, per layer, so incremental decoding
// feeds one new token at a time. Buffers grow by doubling and are written in place, so a
// decoding step copies only the new token's keys instead of re-concatenating the past.
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
  int64_t batch_size() const { return keys_.empty() || !keys_[0].defined() ? 0 : keys_[0].size(0); }

  // Stores k, v [B, H, T, D] for `layer` after the `length()` cached positions and returns the
  // keys and values of all length()+T positions (views into the buffers).
  std::pair<torch::Tensor, torch::Tensor> append(int64_t layer, const torch::Tensor& k, const torch::Tensor& v);
  // Called once per forward, after every layer appended its T new positions.
  void advance(int64_t new_positions);

  // Keeps only the given batch rows (in that order): drops finished sequences, reorders beams.
  void select_batch(const torch::Tensor& rows);
  // Forgets everything past `length` (e.g. to re-run a prefix with a different continuation).
  void truncate(int64_t length);
  void clear();

 private:
  std::vector<torch::Tensor> keys_, values_;  // [B, H, capacity, D]
  int64_t length_ = 0;
};

}  // namespace harmonia::model
