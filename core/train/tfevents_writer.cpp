#include "core/train/tfevents_writer.hpp"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

#include "core/train/crc32c.hpp"

namespace harmonia::train {

namespace {

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

template <typename T>
void put_fixed(std::string& out, T v) {  // little-endian, as protobuf and TFRecord want
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

void put_bytes_field(std::string& out, int field, const std::string& bytes) {
  put_varint(out, (static_cast<uint64_t>(field) << 3) | 2);  // wire type 2: length-delimited
  put_varint(out, bytes.size());
  out += bytes;
}

// Event fields: 1 wall_time (double), 2 step (int64), 3 file_version (string), 5 summary.
std::string event_header(int64_t step) {
  std::string event;
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  put_varint(event, (1 << 3) | 1);  // wire type 1: 64-bit
  put_fixed(event, now);
  put_varint(event, (2 << 3) | 0);  // wire type 0: varint
  put_varint(event, static_cast<uint64_t>(step));
  return event;
}

}  // namespace

TfEventsWriter::TfEventsWriter(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  path_ = dir / ("events.out.tfevents." + std::to_string(seconds) + "." + host);
  out_.open(path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error("cannot write " + path_.string());
  std::string event = event_header(0);
  put_bytes_field(event, 3, "brain.Event:2");
  write_record(event);
  flush();
}

void TfEventsWriter::add_scalar(const std::string& tag, float value, int64_t step) {
  std::string summary_value;  // Summary.Value: 1 tag (string), 2 simple_value (float)
  put_bytes_field(summary_value, 1, tag);
  put_varint(summary_value, (2 << 3) | 5);  // wire type 5: 32-bit
  put_fixed(summary_value, value);
  std::string summary;  // Summary: 1 repeated Value
  put_bytes_field(summary, 1, summary_value);
  std::string event = event_header(step);
  put_bytes_field(event, 5, summary);
  write_record(event);
}

void TfEventsWriter::write_record(const std::string& event) {
  std::string header;
  put_fixed(header, static_cast<uint64_t>(event.size()));
  std::string record = header;
  put_fixed(record, masked_crc32c(header.data(), header.size()));
  record += event;
  put_fixed(record, masked_crc32c(event.data(), event.size()));
  out_.write(record.data(), static_cast<std::streamsize>(record.size()));
}

void TfEventsWriter::flush() { out_.flush(); }

}  // namespace harmonia::train
