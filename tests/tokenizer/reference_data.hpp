// Reads the MidiTok reference files of ../shared/data/miditok-reference (gzip JSON).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace harmonia::test {

// Whole gzip file decompressed and parsed; throws std::runtime_error naming the file.
nlohmann::ordered_json read_gzip_json(const std::filesystem::path& path);

struct ReferenceFile {
  std::filesystem::path path;  // the .json.gz
  std::string midi;            // relative to data/midi/miditok-tests
};

// Every reference file of one config directory, sorted by path.
std::vector<ReferenceFile> reference_files(const std::filesystem::path& config_dir);

}  // namespace harmonia::test
