// What the trainer reads: batches of token windows, reproducible and resumable.
//
// The dataset pipeline (core/data) provides the real loaders; InMemoryBatchSource serves
// windows held in memory (tests, benches, small corpora). Every source is sharded the same
// way: the global batch of batch_size * world_size windows is cut into world_size slices, so
// 2 ranks with batch B see exactly what 1 rank with batch 2B sees.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace harmonia::train {

constexpr int64_t kIgnoreLabel = -100;  // labels at padding: the loss skips them

struct Batch {
  torch::Tensor input_ids;       // [B, T] int64 ([B, T, F] compound)
  torch::Tensor attention_mask;  // [B, T] int64, 1 = real token
  torch::Tensor labels;          // like input_ids, kIgnoreLabel at padding (not shifted)
  int64_t epoch = 0;             // epoch this batch belongs to
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // The next batch; after the last batch of an epoch the next epoch starts (reshuffled).
  virtual Batch next() = 0;
  // Batches per epoch for this rank.
  virtual int64_t batches_per_epoch() const = 0;
  // Read position, to store in checkpoints, and back.
  virtual nlohmann::json state() const = 0;
  virtual void restore(const nlohmann::json& state) = 0;
  // Back to the first batch of epoch 0 (validation passes start here).
  virtual void rewind() = 0;
};

struct InMemoryOptions {
  int64_t batch_size = 8;  // per rank
  int64_t context = 256;   // windows are padded (right) to this many steps
  int64_t pad_id = 0;
  // Compound schemes (CPWord, Octuple): each window holds steps * fields ids, step-major, and
  // batches are [B, context, fields]; pad_ids gives each field's PAD (empty: pad_id for all).
  int64_t fields = 1;
  std::vector<int64_t> pad_ids;
  bool shuffle = true;
  uint64_t seed = 1234;
  int rank = 0;
  int world_size = 1;
};

class InMemoryBatchSource : public BatchSource {
 public:
  // windows: token id sequences, each 1..context steps (of `fields` ids) long.
  InMemoryBatchSource(std::vector<std::vector<int64_t>> windows, InMemoryOptions options);

  Batch next() override;
  int64_t batches_per_epoch() const override;
  nlohmann::json state() const override;
  void restore(const nlohmann::json& state) override;
  void rewind() override;

 private:
  void shuffle_for_epoch();

  std::vector<std::vector<int64_t>> windows_;
  InMemoryOptions options_;
  std::vector<size_t> order_;
  int64_t epoch_ = 0;
  int64_t batch_index_ = 0;  // next batch within the epoch
};

}  // namespace harmonia::train
