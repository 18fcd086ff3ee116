// safetensors: the tensor file format Hugging Face uses (model.safetensors).
// Layout: u64 little-endian header length N, an N-byte JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the raw
// little-endian data; offsets are relative to the first byte after the header.
// The reader maps the file and checks every length and offset before any tensor is touched, so a
// hostile or truncated file gives a SafetensorsError naming the file and the problem.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/model/safetensors_header.hpp"

namespace harmonia::model {

// A read-only memory-mapped safetensors file.
class SafetensorsReader {
 public:
  explicit SafetensorsReader(const std::filesystem::path& path);
  ~SafetensorsReader();
  SafetensorsReader(const SafetensorsReader&) = delete;
  SafetensorsReader& operator=(const SafetensorsReader&) = delete;

  const std::filesystem::path& path() const { return path_; }
  bool contains(const std::string& name) const { return header_.entries.count(name) != 0; }
  std::vector<std::string> names() const;  // sorted
  const SafetensorsEntry& entry(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return header_.metadata; }

  // A CPU tensor that owns a copy of the bytes (so it outlives the mapping and is aligned). An
  // allocation the machine cannot make is a SafetensorsError naming the tensor and its size.
  torch::Tensor tensor(const std::string& name) const;
  // Every tensor, by name.
  std::map<std::string, torch::Tensor> all_tensors() const;

 private:
  [[noreturn]] void fail(const std::string& problem) const;

  std::filesystem::path path_;
  int fd_ = -1;
  const uint8_t* data_ = nullptr;  // the whole mapped file
  uint64_t file_size_ = 0;
  SafetensorsHeader header_;  // validated against file_size_
};

// Writes tensors (any device, contiguous or not) sorted by name, with the header padded to a
// multiple of 8 as the reference writer does. Written to a temporary file, then renamed, so a
// crash never leaves a half-written model behind.
void write_safetensors(const std::filesystem::path& path, const std::map<std::string, torch::Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

// The safetensors dtype name of a torch dtype, and back; throw for types the format lacks.
std::string safetensors_dtype_name(torch::ScalarType type);
torch::ScalarType torch_dtype_from_safetensors(const std::string& name);

}  // namespace harmonia::model
