// Shared helpers for the model tests: the HF parity fixtures and tensor comparisons.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_paths.hpp"

namespace harmonia::test {

inline std::filesystem::path hf_fixture_dir(const std::string& arch) {
  return shared_dir() / "fixtures" / "hf" / arch;
}

// The second batch (RoPE scaling, GPT-2 attention options, GPT-NeoX): same layout as hf/.
inline std::filesystem::path hf_more_fixture_dir(const std::string& name) {
  return shared_dir() / "fixtures" / "hf-more" / name;
}

inline nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// [[...], ...] -> int64 tensor.
inline torch::Tensor ids_tensor(const nlohmann::json& rows) {
  std::vector<int64_t> flat;
  for (const auto& row : rows)
    for (const auto& v : row) flat.push_back(v.get<int64_t>());
  const int64_t batch = static_cast<int64_t>(rows.size());
  return torch::tensor(flat, torch::kLong).view({batch, static_cast<int64_t>(flat.size()) / batch});
}

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

}  // namespace harmonia::test
