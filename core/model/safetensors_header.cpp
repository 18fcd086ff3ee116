// Every size in a safetensors header is checked with overflow-safe arithmetic before it is
// used, because model files come from the internet.
#include "core/model/safetensors_header.hpp"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

namespace harmonia::model {
namespace {

struct DtypeSize {
  const char* name;
  uint64_t bytes;
};

const DtypeSize kDtypeSizes[] = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8},
                                 {"I32", 4}, {"I16", 2}, {"I8", 1},  {"U8", 1},   {"BOOL", 1}};

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
  throw SafetensorsError(where + ": invalid safetensors file: " + problem);
}

bool is_non_negative_integer(const nlohmann::json& v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
}

SafetensorsEntry parse_entry(const std::string& name, const nlohmann::json& value, uint64_t data_size,
                             const std::string& file) {
  const std::string where = "tensor \"" + name + "\": ";
  if (!value.is_object()) fail(file, where + "entry is not an object");
  const auto dtype_it = value.find("dtype");
  const auto shape_it = value.find("shape");
  const auto offsets_it = value.find("data_offsets");
  if (dtype_it == value.end() || !dtype_it->is_string()) fail(file, where + "missing or non-string \"dtype\"");
  if (shape_it == value.end() || !shape_it->is_array()) fail(file, where + "missing or non-array \"shape\"");
  if (offsets_it == value.end() || !offsets_it->is_array() || offsets_it->size() != 2)
    fail(file, where + "\"data_offsets\" must be an array of two integers");

  SafetensorsEntry entry;
  entry.name = name;
  entry.dtype = dtype_it->get<std::string>();
  const uint64_t element_bytes = safetensors_dtype_bytes(entry.dtype);
  if (element_bytes == 0) fail(file, where + "unsupported dtype \"" + entry.dtype + "\"");

  // Element count, refusing any product that would overflow.
  uint64_t count = 1;
  for (const auto& dim : *shape_it) {
    if (!is_non_negative_integer(dim)) fail(file, where + "shape holds a value that is not a non-negative integer");
    const uint64_t d = dim.get<uint64_t>();
    if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
        (d != 0 && count > std::numeric_limits<uint64_t>::max() / d))
      fail(file, where + "shape is too large");
    count *= d;
    entry.shape.push_back(static_cast<int64_t>(d));
  }
  if (count > std::numeric_limits<uint64_t>::max() / element_bytes) fail(file, where + "shape is too large");
  const uint64_t nbytes = count * element_bytes;
  if (nbytes > kMaxSafetensorsTensorBytes)
    fail(file, where + "shape holds " + std::to_string(count) + " elements (" + std::to_string(nbytes) +
                   " bytes), over the " + std::to_string(kMaxSafetensorsTensorBytes >> 30) + " GiB limit per tensor");

  for (const auto& offset : *offsets_it)
    if (!is_non_negative_integer(offset))
      fail(file, where + "data_offsets hold a value that is not a non-negative integer");
  entry.begin = (*offsets_it)[0].get<uint64_t>();
  entry.end = (*offsets_it)[1].get<uint64_t>();
  if (entry.begin > entry.end) fail(file, where + "data_offsets begin after they end");
  if (entry.end > data_size)
    fail(file, where + "data_offsets end at " + std::to_string(entry.end) + ", past the " +
                   std::to_string(data_size) + "-byte data section");
  if (entry.end - entry.begin != nbytes)
    fail(file, where + "data_offsets span " + std::to_string(entry.end - entry.begin) + " bytes but dtype " +
                   entry.dtype + " and the shape need " + std::to_string(nbytes));
  return entry;
}

}  // namespace

uint64_t safetensors_dtype_bytes(std::string_view name) {
  for (const auto& d : kDtypeSizes)
    if (name == d.name) return d.bytes;
  return 0;
}

SafetensorsHeader parse_safetensors_header(std::string_view json, uint64_t data_size, const std::string& where) {
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(json.begin(), json.end());
  } catch (const nlohmann::json::exception& e) {
    fail(where, std::string("header is not valid JSON (") + e.what() + ")");
  }
  if (!header.is_object()) fail(where, "header is not a JSON object");

  SafetensorsHeader out;
  std::vector<const SafetensorsEntry*> by_offset;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) fail(where, "__metadata__ is not an object");
      for (const auto& [key, text] : value.items()) {
        if (!text.is_string()) fail(where, "__metadata__ value for \"" + key + "\" is not a string");
        out.metadata[key] = text.get<std::string>();
      }
      continue;
    }
    auto [it, inserted] = out.entries.emplace(name, parse_entry(name, value, data_size, where));
    if (!inserted) fail(where, "tensor \"" + name + "\": appears twice");
    by_offset.push_back(&it->second);
  }

  // Tensors may not share bytes: a writer that overlapped them would alias parameters.
  std::sort(by_offset.begin(), by_offset.end(),
            [](const SafetensorsEntry* a, const SafetensorsEntry* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    if (by_offset[i]->begin < by_offset[i - 1]->end)
      fail(where, "tensors \"" + by_offset[i - 1]->name + "\" and \"" + by_offset[i]->name + "\" overlap");
  }
  return out;
}

SafetensorsHeader parse_safetensors_file(const uint8_t* file, uint64_t file_size, const std::string& where) {
  if (file_size < 8)
    fail(where, "file is " + std::to_string(file_size) + " bytes, too short for the 8-byte header length");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | file[i];  // little-endian on any host
  if (header_len > kMaxSafetensorsHeaderBytes)
    fail(where, "header length " + std::to_string(header_len) + " exceeds the " +
                    std::to_string(kMaxSafetensorsHeaderBytes) + "-byte limit");
  if (header_len > file_size - 8)
    fail(where, "header length " + std::to_string(header_len) + " runs past the end of the " +
                    std::to_string(file_size) + "-byte file");
  const uint64_t data_start = 8 + header_len;
  SafetensorsHeader out = parse_safetensors_header(
      std::string_view(reinterpret_cast<const char*>(file + 8), header_len), file_size - data_start, where);
  out.data_start = data_start;
  return out;
}

}  // namespace harmonia::model
