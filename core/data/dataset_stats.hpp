// Statistics of an imported dataset, for the GUI's dataset page and `harmonia dataset stats`.
// Note, pitch and program counts come from the manifest (recorded at import); token
// frequencies are counted over the memory-mapped ids.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/data/token_dataset.hpp"

namespace harmonia::data {

struct HistogramBin {
  uint64_t lo = 0, hi = 0;  // [lo, hi)
  uint64_t count = 0;
};

struct DatasetStats {
  size_t files = 0;
  size_t rejected_files = 0;
  uint64_t notes = 0;
  double duration_s = 0;
  uint64_t tokens = 0;  // steps
  std::vector<HistogramBin> tokens_per_file;     // ~16 equal-width bins
  std::vector<uint64_t> pitch_histogram;         // 128 entries
  std::vector<std::pair<int, uint64_t>> programs;  // (program, notes), -1 = drums, by program
  std::vector<std::pair<std::string, uint64_t>> top_tokens;  // most frequent first
};

DatasetStats compute_stats(const TokenDataset& dataset, size_t top_tokens = 20);
nlohmann::ordered_json stats_to_json(const DatasetStats& stats);

}  // namespace harmonia::data
