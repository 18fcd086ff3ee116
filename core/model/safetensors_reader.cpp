// Memory-mapped safetensors reader: the header is validated by parse_safetensors_file
// (safetensors_header.cpp, torch-free), this part maps the file and makes tensors.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <new>

#include "core/model/safetensors.hpp"

namespace harmonia::model {
namespace {

struct DtypeInfo {
  const char* name;
  torch::ScalarType type;
};

// The header parser's size table (safetensors_header.cpp) has the same names; a test checks
// that its sizes are torch's element sizes.
const DtypeInfo kDtypes[] = {
    {"F64", torch::kFloat64}, {"F32", torch::kFloat32}, {"F16", torch::kFloat16}, {"BF16", torch::kBFloat16},
    {"I64", torch::kInt64},   {"I32", torch::kInt32},   {"I16", torch::kInt16},   {"I8", torch::kInt8},
    {"U8", torch::kUInt8},    {"BOOL", torch::kBool},
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
    header_ = parse_safetensors_file(data_, file_size_, path_.string());
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

std::vector<std::string> SafetensorsReader::names() const {
  std::vector<std::string> out;
  out.reserve(header_.entries.size());
  for (const auto& [name, entry] : header_.entries) out.push_back(name);
  return out;
}

const SafetensorsEntry& SafetensorsReader::entry(const std::string& name) const {
  const auto it = header_.entries.find(name);
  if (it == header_.entries.end()) throw SafetensorsError(path_.string() + ": no tensor named \"" + name + "\"");
  return it->second;
}

torch::Tensor SafetensorsReader::tensor(const std::string& name) const {
  const SafetensorsEntry& e = entry(name);
  const auto too_big = [&] {
    fail("tensor \"" + name + "\" needs " + std::to_string(e.end - e.begin) +
         " bytes, more than this machine can allocate");
  };
  torch::Tensor out;
  try {
    out = torch::empty(e.shape, torch::TensorOptions().dtype(torch_dtype_from_safetensors(e.dtype)));
  } catch (const std::bad_alloc&) {
    too_big();
  } catch (const c10::Error&) {  // LibTorch's CPU allocator reports a failed allocation this way
    too_big();
  }
  if (e.end > e.begin) std::memcpy(out.data_ptr(), data_ + header_.data_start + e.begin, e.end - e.begin);
  return out;
}

std::map<std::string, torch::Tensor> SafetensorsReader::all_tensors() const {
  std::map<std::string, torch::Tensor> out;
  for (const auto& [name, entry] : header_.entries) out.emplace(name, tensor(name));
  return out;
}

}  // namespace harmonia::model
