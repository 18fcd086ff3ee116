#include "core/data/default_corpus.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

namespace harmonia::data {

namespace fs = std::filesystem;

const std::vector<CorpusSource>& known_corpus_sources() {
  static const std::vector<CorpusSource> sources = {
      {"openttd-openmsx", "/usr/share/games/openttd/baseset/openmsx"},
      {"planetblupi-music-midi", "/usr/share/planetblupi/music"},
  };
  return sources;
}

std::vector<std::string> list_midi_files(const std::string& directory) {
  std::vector<std::string> files;
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) return files;
  for (auto it = fs::recursive_directory_iterator(directory, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string ext = it->path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".mid" || ext == ".midi" || ext == ".kar") files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> default_corpus_files() {
  std::vector<std::string> files;
  for (const auto& source : known_corpus_sources()) {
    auto found = list_midi_files(source.directory);
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

}  // namespace harmonia::data
