// A dataset folder opened for reading: the manifest plus the tokens file memory-mapped, so
// opening is instant and the ids are paged in only when a window is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/data/mapped_file.hpp"
#include "core/data/token_cache.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::data {

// One token stream of one file: what chunking cuts into windows.
struct SequenceRef {
  size_t file = 0;      // index into TokenDataset::files()
  size_t sequence = 0;  // index into that file's sequences
};

class TokenDataset {
 public:
  // Throws DatasetError (naming the folder and the problem) when the cache is missing,
  // truncated, from another format version or inconsistent with its tokens file.
  static std::shared_ptr<TokenDataset> open(const std::string& dataset_dir);

  const std::string& dir() const { return dir_; }
  const CacheManifest& manifest() const { return manifest_; }
  const std::vector<CachedFile>& files() const { return manifest_.files; }
  size_t num_files() const { return manifest_.files.size(); }
  size_t fields() const { return manifest_.fields; }
  const tokenizer::Tokenizer& tokenizer() const { return *tokenizer_; }
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer_ptr() const { return tokenizer_; }

  // Ids of one sequence: steps * fields int32 values, step-major. Valid while the dataset lives.
  const int32_t* ids(const CachedSequence& seq) const { return ids_ + seq.offset; }
  const int32_t* ids(const SequenceRef& ref) const { return ids(sequence(ref)); }
  const CachedSequence& sequence(const SequenceRef& ref) const {
    return manifest_.files.at(ref.file).sequences.at(ref.sequence);
  }
  // Every non-empty sequence of the given files, in order.
  std::vector<SequenceRef> sequences_of(const std::vector<size_t>& files) const;

 private:
  TokenDataset() = default;
  std::string dir_;
  CacheManifest manifest_;
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer_;
  MappedFile map_;
  const int32_t* ids_ = nullptr;
};

// File-level split: a file (and so every window of it) lands in exactly one part.
struct SplitOptions {
  double validation = 0.1;
  double test = 0.0;
  uint64_t seed = 0;
};

struct DatasetSplit {
  std::vector<size_t> train, validation, test;  // file indices, each sorted
};

// Seeded and reproducible: the assignment depends only on the seed and the files' content
// hashes, not on import order or paths, so adding files never moves existing ones between
// parts unless the counts require it. Each non-empty ratio gets at least one file when there
// are enough files.
DatasetSplit split_files(const TokenDataset& dataset, const SplitOptions& options);

}  // namespace harmonia::data
