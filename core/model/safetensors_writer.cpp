// safetensors writer: header padded with spaces to a multiple of 8 (so the data starts aligned),
// tensors laid out contiguously in name order, as Hugging Face's own writer does.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/model/safetensors.hpp"
#include "core/data/write_failure.hpp"

namespace harmonia::model {

void write_safetensors(const std::filesystem::path& path, const std::map<std::string, torch::Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<torch::Tensor> cpu;
  cpu.reserve(tensors.size());
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__") throw SafetensorsError(path.string() + ": \"__metadata__\" is not a tensor name");
    if (!tensor.defined()) throw SafetensorsError(path.string() + ": tensor \"" + name + "\" is undefined");
    auto t = tensor.detach().to(torch::kCPU).contiguous();
    const uint64_t nbytes = static_cast<uint64_t>(t.numel()) * t.element_size();
    header[name] = {{"dtype", safetensors_dtype_name(t.scalar_type())},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    cpu.push_back(std::move(t));
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  const uint64_t header_len = text.size();

  auto tmp = path;
  tmp += ".tmp";
  {
    errno = 0;
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw SafetensorsError(path.string() + ": " + data::write_failure("cannot open for writing"));
    char len_bytes[8];
    for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<char>((header_len >> (8 * i)) & 0xff);
    out.write(len_bytes, 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& t : cpu)
      out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * t.element_size()));
    out.flush();
    if (!out) {
      const std::string why = data::write_failure();
      out.close();
      std::filesystem::remove(tmp);  // no half-written file beside the good one
      throw SafetensorsError(path.string() + ": " + why);
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    throw SafetensorsError(path.string() + ": cannot move the written file into place: " + ec.message());
  }
}

}  // namespace harmonia::model
