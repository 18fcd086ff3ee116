// TensorBoard event files without TensorFlow: each record is an `Event` protocol buffer
// (wall_time, step, file_version or a Summary of scalar values) in TFRecord framing:
//   uint64 length | uint32 masked_crc32c(length) | bytes | uint32 masked_crc32c(bytes)
// The protobuf encoding is written by hand (four fields), so no protobuf dependency.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace harmonia::train {

class TfEventsWriter {
 public:
  // Creates DIR/events.out.tfevents.<seconds>.<host> and writes the file_version record.
  explicit TfEventsWriter(const std::filesystem::path& dir);
  void add_scalar(const std::string& tag, float value, int64_t step);
  void flush();
  const std::filesystem::path& path() const { return path_; }

 private:
  void write_record(const std::string& event);
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace harmonia::train
