// model.safetensors' fuzz target: the torch-free header parser (safetensors_header.cpp) gets
// the whole file. Whatever it accepts must describe tensors that lie inside the data section,
// do not overlap and have exactly the bytes their dtype and shape need; the target then reads
// every accepted byte, so a wrong check shows up as an ASan report, not a wrong tensor later.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <vector>

#include "core/model/safetensors_header.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "safetensors fuzz: accepted header breaks an invariant: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace harmonia::model;
  SafetensorsHeader header;
  try {
    header = parse_safetensors_file(data, size, "fuzz.safetensors");
  } catch (const SafetensorsError&) {
    return 0;
  }
  check(header.data_start >= 8 && header.data_start <= size, "data section starts inside the file");
  const uint64_t data_size = size - header.data_start;
  uint64_t previous_end = 0, sum = 0;
  // entries is sorted by name; offsets are checked in file order through a copy.
  std::vector<const SafetensorsEntry*> by_offset;
  for (const auto& [name, e] : header.entries) {
    check(e.name == name, "entry named by its key");
    check(e.begin <= e.end && e.end <= data_size, "offsets inside the data section");
    uint64_t count = 1;
    for (const int64_t d : e.shape) {
      check(d >= 0, "non-negative dimension");
      count *= uint64_t(d);  // cannot overflow: the parser refused such shapes
    }
    check(count * safetensors_dtype_bytes(e.dtype) == e.end - e.begin, "span equals dtype size x elements");
    check(e.end - e.begin <= kMaxSafetensorsTensorBytes, "tensor under the cap");
    by_offset.push_back(&e);
    for (uint64_t i = e.begin; i < e.end; ++i) sum += data[header.data_start + i];
  }
  std::sort(by_offset.begin(), by_offset.end(), [](auto* a, auto* b) { return a->begin < b->begin; });
  for (const auto* e : by_offset) {
    check(e->begin >= previous_end, "tensors do not overlap");
    previous_end = e->end;
  }
  if (sum == 1) std::puts("");  // keep the reads
  return 0;
}
