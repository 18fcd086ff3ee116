// Batches for training: windows shuffled with a seed, padded to the longest window of the
// batch (or to max_seq_len), with attention mask and labels, optionally augmented.
//   input_ids      int64 [B, T]      ([B, T, F] for compound schemes: CPWord, Octuple)
//   attention_mask int64 [B, T]      1 = real token, 0 = padding
//   labels         int64 like input_ids, -100 on padding. NOT shifted: the model predicts
//                  position t+1 from t itself (Hugging Face convention).
// The order is a pure function of (seed, epoch): the same pair gives identical batches,
// whatever happened before. With world_size > 1, rank r gets batches r, r+W, r+2W, ... of
// the epoch's order (every rank the same count; the tail that does not divide is dropped).
// state()/restore() save and resume the position for checkpoints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <torch/types.h>

#include "core/data/augmentation.hpp"
#include "core/data/chunking.hpp"
#include "core/data/token_dataset.hpp"

namespace harmonia::data {

struct Batch {
  torch::Tensor input_ids;
  torch::Tensor attention_mask;
  torch::Tensor labels;
  size_t real_tokens = 0;  // attention_mask.sum()
};

struct BatchOptions {
  size_t batch_size = 16;
  uint64_t seed = 0;
  bool shuffle = true;
  bool drop_last = false;        // drop the epoch's last incomplete batch
  bool pad_to_max_len = false;   // T = max_seq_len always (else: the batch's longest window)
  size_t rank = 0;
  size_t world_size = 1;
  AugmentOptions augment;        // off by default; use it for training only
};

// Windows -> one batch as described at the top of this file: padded to the longest picked
// window (or to chunk.max_seq_len), each field padded with its own PAD id. `augmenter` (may be
// null) is seeded per (seed, epoch, window index), so a window gets the same change whatever
// batch, rank or resume point reads it. BatchIterator and the trainer's DatasetBatchSource
// (which shards differently) both build their batches here.
Batch make_window_batch(const TokenDataset& dataset, const std::vector<Window>& windows,
                        const std::vector<size_t>& picked, const ChunkOptions& chunk, bool pad_to_max_len,
                        const TokenAugmenter* augmenter, uint64_t seed, uint64_t epoch);

// Where an iterator is: enough to resume exactly (saved in checkpoints).
struct LoaderState {
  uint64_t epoch = 0;
  uint64_t next_batch = 0;  // index among this rank's batches of the epoch
};

class BatchIterator {
 public:
  // Throws DatasetError for invalid options (batch_size 0, rank >= world_size).
  BatchIterator(std::shared_ptr<const TokenDataset> dataset, std::vector<Window> windows, ChunkOptions chunk,
                BatchOptions options);

  // Starts `epoch` from its first batch.
  void set_epoch(uint64_t epoch);
  // Next batch of the current epoch, or nullopt at its end (call set_epoch for the next).
  std::optional<Batch> next();
  size_t batches_per_epoch() const;  // for this rank
  size_t num_windows() const { return windows_.size(); }

  LoaderState state() const { return state_; }
  void restore(const LoaderState& state);  // throws DatasetError when out of range

  // The window indices of batch `index` of this rank in `epoch` (for tests and logs).
  std::vector<size_t> batch_windows(uint64_t epoch, size_t index) const;

 private:
  void build_order(uint64_t epoch);

  std::shared_ptr<const TokenDataset> dataset_;
  std::vector<Window> windows_;
  ChunkOptions chunk_;
  BatchOptions options_;
  std::optional<TokenAugmenter> augmenter_;
  LoaderState state_;
  uint64_t order_epoch_ = UINT64_MAX;
  std::vector<size_t> order_;  // window indices of the epoch, all ranks
};

// The usual training set-up in one call: split the files, chunk train/validation, build the
// two iterators (validation: no shuffle, no augmentation).
struct DataLoaders {
  std::shared_ptr<TokenDataset> dataset;
  DatasetSplit split;
  std::unique_ptr<BatchIterator> train;
  std::unique_ptr<BatchIterator> validation;  // null when the split has no validation files
  std::unique_ptr<BatchIterator> test;        // null when the split has no test files
};
DataLoaders make_data_loaders(const std::string& dataset_dir, const SplitOptions& split, const ChunkOptions& chunk,
                              const BatchOptions& batch);

}  // namespace harmonia::data
