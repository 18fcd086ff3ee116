#include "tokenizer/reference_data.hpp"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace harmonia::test {

nlohmann::ordered_json read_gzip_json(const std::filesystem::path& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error(path.string() + ": cannot open");
  std::string text;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) text.append(buf, size_t(n));
  const bool failed = n < 0;
  gzclose(f);
  if (failed) throw std::runtime_error(path.string() + ": corrupt gzip data");
  return nlohmann::ordered_json::parse(text);
}

std::vector<ReferenceFile> reference_files(const std::filesystem::path& dir) {
  std::vector<ReferenceFile> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.size() < 8 || name.substr(name.size() - 8) != ".json.gz") continue;
    ReferenceFile r;
    r.path = e.path();
    r.midi = std::filesystem::relative(e.path(), dir).string();
    r.midi = r.midi.substr(0, r.midi.size() - 8);
    out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

}  // namespace harmonia::test
