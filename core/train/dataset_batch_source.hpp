// Batch sources over real music for the trainer:
//  - DatasetBatchSource: a dataset folder written by `harmonia dataset import` (core/data),
//    its train or validation split cut into windows with BOS/EOS, read from the memory-mapped
//    token file as batches are drawn (nothing but the window list is held in memory);
//  - make_file_sources: a list of MIDI files + a tokenizer.json, tokenized in memory (the
//    GUI's training page, small corpora).
// Both shard like InMemoryBatchSource: the global batch of batch_size * world_size windows is
// cut into world_size slices, so 2 ranks with batch B see what 1 rank with batch 2B sees (the
// DDP equivalence). core/data's BatchIterator interleaves whole batches instead, which is
// why the trainer does not use it directly; both assemble batches with
// data::make_window_batch, so compound schemes (CPWord, Octuple) give [B, T, fields] here too.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/data/augmentation.hpp"
#include "core/data/chunking.hpp"
#include "core/data/token_dataset.hpp"
#include "core/train/batch_source.hpp"

namespace harmonia::train {

struct DatasetSourceOptions {
  int64_t batch_size = 8;   // per rank
  bool shuffle = true;      // reshuffled every epoch from (seed, epoch)
  uint64_t seed = 1234;
  bool pad_to_context = false;  // T = chunk.max_seq_len always (else the batch's longest window)
  data::AugmentOptions augment;  // applied per (seed, epoch, window); train split only
  int rank = 0;
  int world_size = 1;
};

class DatasetBatchSource : public BatchSource {
 public:
  // windows: from data::chunk_files over `dataset`. Throws std::invalid_argument when the
  // windows do not fill one global batch.
  DatasetBatchSource(std::shared_ptr<const data::TokenDataset> dataset, std::vector<data::Window> windows,
                     data::ChunkOptions chunk, DatasetSourceOptions options);

  Batch next() override;
  int64_t batches_per_epoch() const override;
  nlohmann::json state() const override;
  void restore(const nlohmann::json& state) override;
  void rewind() override;

  size_t num_windows() const { return windows_.size(); }
  const data::TokenDataset& dataset() const { return *dataset_; }

 private:
  void shuffle_for_epoch();

  std::shared_ptr<const data::TokenDataset> dataset_;
  std::vector<data::Window> windows_;
  data::ChunkOptions chunk_;
  DatasetSourceOptions options_;
  std::unique_ptr<data::TokenAugmenter> augmenter_;
  std::vector<size_t> order_;
  int64_t epoch_ = 0;
  int64_t batch_index_ = 0;
};

// A dataset folder opened for training: its file-level split (data::split_files) and one
// source per part. The validation source never shuffles nor augments, and its batch size is
// lowered when the split is too small for a full global batch; it is null when the split has
// no validation window.
struct DatasetSources {
  std::shared_ptr<data::TokenDataset> dataset;
  data::DatasetSplit split;
  std::unique_ptr<DatasetBatchSource> train;
  std::unique_ptr<DatasetBatchSource> validation;
  data::ChunkStats train_chunks, validation_chunks;  // windows kept and dropped (chunk options)
};
DatasetSources open_dataset_sources(const std::string& dataset_dir, const data::SplitOptions& split,
                                    const data::ChunkOptions& chunk, const DatasetSourceOptions& options);

// MIDI files tokenized in memory. Windows are cut as for a dataset folder (chunk options,
// BOS/EOS, bar-aware); files that fail to parse are listed in `skipped` ("path: reason").
// Compound schemes (CPWord, Octuple): each window holds steps * fields ids, step-major, with
// BOS/EOS in every field, and the sources give [B, T, fields] batches.
struct FileWindows {
  std::vector<std::vector<int64_t>> train, validation;
  std::vector<std::string> train_files, validation_files;
  std::vector<std::string> skipped;
  int64_t vocab_size = 0;  // summed over fields
  int64_t pad_id = 0;      // field 0's
  int64_t fields = 1;
  std::vector<int64_t> pad_ids;  // per field
};
// The split is by file, seeded: round(validation * files) files (at least one when there
// are two or more files and validation > 0) go to validation.
FileWindows tokenize_files(const std::vector<std::string>& midi_files, const tokenizer::Tokenizer& tokenizer,
                           const data::ChunkOptions& chunk, double validation = 0.1, uint64_t seed = 1234);

struct FileSources {
  FileWindows windows;
  std::unique_ptr<InMemoryBatchSource> train;
  std::unique_ptr<InMemoryBatchSource> validation;  // null without validation windows
};
// files + tokenizer.json -> train/validation sources (the GUI's training page). Throws
// std::invalid_argument when there are fewer train windows than one global batch.
FileSources make_file_sources(const std::vector<std::string>& midi_files, const std::string& tokenizer_json,
                              const data::ChunkOptions& chunk, const InMemoryOptions& batches,
                              double validation = 0.1);

}  // namespace harmonia::train
