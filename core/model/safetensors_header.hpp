// The torch-free half of the safetensors reader: the 8-byte length and the JSON header are
// parsed and checked against the file's size into plain structs, so the checks can be fuzzed
// under sanitizers without LibTorch (tests/fuzz/safetensors_fuzz_target.cpp) and no tensor
// is ever sized from a number that was not validated first.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace harmonia::model {

class SafetensorsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Real headers are a few hundred KiB even for large models; a hostile length must not make us
// parse gigabytes of JSON.
constexpr uint64_t kMaxSafetensorsHeaderBytes = 100ull << 20;
// The largest single tensor we copy out (64 GiB: a 405B model's embedding is ~4 GiB). A header
// claiming more (10^12 elements, say, over a sparse file) is refused before any allocation.
constexpr uint64_t kMaxSafetensorsTensorBytes = 64ull << 30;

// One entry of the header, already validated against the file's size.
struct SafetensorsEntry {
  std::string name;
  std::string dtype;  // "F32", "F16", "BF16", "I64", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // byte offsets into the data section
  uint64_t end = 0;
};

struct SafetensorsHeader {
  uint64_t data_start = 0;  // 8 + header length: where the data section begins in the file
  std::map<std::string, SafetensorsEntry> entries;
  std::map<std::string, std::string> metadata;
};

// Bytes per element of a safetensors dtype name ("F32" -> 4); 0 for a name we do not read.
uint64_t safetensors_dtype_bytes(std::string_view name);

// The JSON header of a file whose data section holds `data_size` bytes. Throws SafetensorsError
// "<where>: invalid safetensors file: <problem>". `data_start` is left 0.
SafetensorsHeader parse_safetensors_header(std::string_view json, uint64_t data_size, const std::string& where);

// A whole file in memory (or mapped): the little-endian length, then the header. Reads only
// the first 8 + header-length bytes of `file`.
SafetensorsHeader parse_safetensors_file(const uint8_t* file, uint64_t file_size, const std::string& where);

}  // namespace harmonia::model
