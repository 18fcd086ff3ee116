// Memory-mapped safetensors reader. Every size in the header is checked with overflow-safe
// arithmetic before it is used, because model files come from the internet.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/model/safetensors.hpp"

namespace harmonia::model {
namespace {

// Real headers are a few hundred KiB even for large models; this bound stops a hostile length
// from making us parse gigabytes of JSON.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

struct DtypeInfo {
  const char* name;
  torch::ScalarType type;
  uint64_t bytes;
};

const DtypeInfo kDtypes[] = {
    {"F64", torch::kFloat64, 8}, {"F32", torch::kFloat32, 4}, {"F16", torch::kFloat16, 2},
    {"BF16", torch::kBFloat16, 2}, {"I64", torch::kInt64, 8}, {"I32", torch::kInt32, 4},
    {"I16", torch::kInt16, 2},   {"I8", torch::kInt8, 1},     {"U8", torch::kUInt8, 1},
    {"BOOL", torch::kBool, 1},
};

const DtypeInfo* find_dtype(const std::string& name) {
  for (const auto& info : kDtypes)
    if (name == info.name) return &info;
  return nullptr;
}

bool host_is_little_endian() {
  const uint16_t probe = 1;
  uint8_t first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

}  // namespace

std::string safetensors_dtype_name(torch::ScalarType type) {
  for (const auto& info : kDtypes)
    if (info.type == type) return info.name;
  throw SafetensorsError(std::string("safetensors has no dtype for torch type ") + c10::toString(type));
}

torch::ScalarType torch_dtype_from_safetensors(const std::string& name) {
  if (const auto* info = find_dtype(name)) return info->type;
  throw SafetensorsError("unsupported safetensors dtype \"" + name + "\"");
}

SafetensorsReader::SafetensorsReader(const std::filesystem::path& path) : path_(path) {
  if (!host_is_little_endian()) fail("big-endian hosts are not supported");
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) fail(std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    fail("not a regular file");
  }
  file_size_ = static_cast<uint64_t>(st.st_size);
  if (file_size_ < 8) {
    ::close(fd_);
    fd_ = -1;
    fail("file is " + std::to_string(file_size_) + " bytes, too short for the 8-byte header length");
  }
  void* mapped = ::mmap(nullptr, file_size_, PROT_READ, MAP_PRIVATE, fd_, 0);
  if (mapped == MAP_FAILED) {
    ::close(fd_);
    fd_ = -1;
    fail(std::string("cannot map: ") + std::strerror(errno));
  }
  data_ = static_cast<const uint8_t*>(mapped);
  try {
    parse_header();
  } catch (...) {
    ::munmap(const_cast<uint8_t*>(data_), file_size_);
    ::close(fd_);
    data_ = nullptr;
    fd_ = -1;
    throw;
  }
}

SafetensorsReader::~SafetensorsReader() {
  if (data_) ::munmap(const_cast<uint8_t*>(data_), file_size_);
  if (fd_ >= 0) ::close(fd_);
}

void SafetensorsReader::fail(const std::string& problem) const {
  throw SafetensorsError(path_.string() + ": invalid safetensors file: " + problem);
}

void SafetensorsReader::parse_header() {
  uint64_t header_len = 0;
  std::memcpy(&header_len, data_, 8);  // little-endian host checked above
  if (header_len > kMaxHeaderBytes)
    fail("header length " + std::to_string(header_len) + " exceeds the " + std::to_string(kMaxHeaderBytes) +
         "-byte limit");
  if (header_len > file_size_ - 8)
    fail("header length " + std::to_string(header_len) + " runs past the end of the " +
         std::to_string(file_size_) + "-byte file");
  data_start_ = 8 + header_len;
  const uint64_t data_size = file_size_ - data_start_;

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(reinterpret_cast<const char*>(data_ + 8),
                                   reinterpret_cast<const char*>(data_ + data_start_));
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("header is not valid JSON (") + e.what() + ")");
  }
  if (!header.is_object()) fail("header is not a JSON object");

  std::vector<const SafetensorsEntry*> by_offset;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) fail("__metadata__ is not an object");
      for (const auto& [key, text] : value.items()) {
        if (!text.is_string()) fail("__metadata__ value for \"" + key + "\" is not a string");
        metadata_[key] = text.get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor \"" + name + "\": ";
    if (!value.is_object()) fail(where + "entry is not an object");
    const auto dtype_it = value.find("dtype");
    const auto shape_it = value.find("shape");
    const auto offsets_it = value.find("data_offsets");
    if (dtype_it == value.end() || !dtype_it->is_string()) fail(where + "missing or non-string \"dtype\"");
    if (shape_it == value.end() || !shape_it->is_array()) fail(where + "missing or non-array \"shape\"");
    if (offsets_it == value.end() || !offsets_it->is_array() || offsets_it->size() != 2)
      fail(where + "\"data_offsets\" must be an array of two integers");

    SafetensorsEntry entry;
    entry.name = name;
    entry.dtype = dtype_it->get<std::string>();
    const DtypeInfo* info = find_dtype(entry.dtype);
    if (!info) fail(where + "unsupported dtype \"" + entry.dtype + "\"");

    // Element count, refusing any product that would overflow.
    uint64_t count = 1;
    for (const auto& dim : *shape_it) {
      if (!dim.is_number_unsigned() && !(dim.is_number_integer() && dim.get<int64_t>() >= 0))
        fail(where + "shape holds a value that is not a non-negative integer");
      const uint64_t d = dim.get<uint64_t>();
      if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
          (d != 0 && count > std::numeric_limits<uint64_t>::max() / d))
        fail(where + "shape is too large");
      count *= d;
      entry.shape.push_back(static_cast<int64_t>(d));
    }
    if (count > std::numeric_limits<uint64_t>::max() / info->bytes) fail(where + "shape is too large");
    const uint64_t nbytes = count * info->bytes;

    for (const auto& offset : *offsets_it)
      if (!offset.is_number_unsigned() && !(offset.is_number_integer() && offset.get<int64_t>() >= 0))
        fail(where + "data_offsets hold a value that is not a non-negative integer");
    entry.begin = (*offsets_it)[0].get<uint64_t>();
    entry.end = (*offsets_it)[1].get<uint64_t>();
    if (entry.begin > entry.end) fail(where + "data_offsets begin after they end");
    if (entry.end > data_size)
      fail(where + "data_offsets end at " + std::to_string(entry.end) + ", past the " + std::to_string(data_size) +
           "-byte data section");
    if (entry.end - entry.begin != nbytes)
      fail(where + "data_offsets span " + std::to_string(entry.end - entry.begin) + " bytes but dtype " +
           entry.dtype + " and the shape need " + std::to_string(nbytes));
    auto [it, inserted] = entries_.emplace(name, std::move(entry));
    if (!inserted) fail(where + "appears twice");
    by_offset.push_back(&it->second);
  }

  // Tensors may not share bytes: a writer that overlapped them would alias parameters.
  std::sort(by_offset.begin(), by_offset.end(),
            [](const SafetensorsEntry* a, const SafetensorsEntry* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    if (by_offset[i]->begin < by_offset[i - 1]->end)
      fail("tensors \"" + by_offset[i - 1]->name + "\" and \"" + by_offset[i]->name + "\" overlap");
  }
}

std::vector<std::string> SafetensorsReader::names() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [name, entry] : entries_) out.push_back(name);
  return out;
}

const SafetensorsEntry& SafetensorsReader::entry(const std::string& name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) throw SafetensorsError(path_.string() + ": no tensor named \"" + name + "\"");
  return it->second;
}

torch::Tensor SafetensorsReader::tensor(const std::string& name) const {
  const SafetensorsEntry& e = entry(name);
  auto out = torch::empty(e.shape, torch::TensorOptions().dtype(torch_dtype_from_safetensors(e.dtype)));
  if (e.end > e.begin) std::memcpy(out.data_ptr(), data_ + data_start_ + e.begin, e.end - e.begin);
  return out;
}

std::map<std::string, torch::Tensor> SafetensorsReader::all_tensors() const {
  std::map<std::string, torch::Tensor> out;
  for (const auto& [name, entry] : entries_) out.emplace(name, tensor(name));
  return out;
}

}  // namespace harmonia::model
