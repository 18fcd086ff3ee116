// Our TensorBoard files decoded by an independent reader: TFRecord framing with masked
// CRC-32C (bitwise CRC here, table-driven in the writer) and the Event protobuf fields.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "core/train/crc32c.hpp"
#include "core/train/run_log.hpp"
#include "test_paths.hpp"

namespace {

uint32_t reference_crc32c(const std::string& bytes) {
  uint32_t crc = ~0u;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}
uint32_t reference_mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

template <typename T>
T read_le(const std::string& s, size_t at) {
  T v;
  std::memcpy(&v, s.data() + at, sizeof(T));
  return v;
}

struct Reader {  // minimal protobuf wire-format reader
  const std::string& s;
  size_t pos = 0;
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const auto b = static_cast<unsigned char>(s.at(pos++));
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
  }
  bool done() const { return pos >= s.size(); }
};

struct Scalar {
  std::string tag;
  float value = 0;
  int64_t step = -1;
};

// Returns the scalars; sets file_version when that record is seen.
std::vector<Scalar> decode_events(const std::string& file, std::string& file_version) {
  std::vector<Scalar> scalars;
  size_t at = 0;
  while (at < file.size()) {
    const std::string len_bytes = file.substr(at, 8);
    const uint64_t len = read_le<uint64_t>(file, at);
    EXPECT_EQ(read_le<uint32_t>(file, at + 8), reference_mask(reference_crc32c(len_bytes)));
    const std::string data = file.substr(at + 12, len);
    EXPECT_EQ(read_le<uint32_t>(file, at + 12 + len), reference_mask(reference_crc32c(data)));
    at += 12 + len + 4;
    Reader event{data};
    int64_t step = -1;
    while (!event.done()) {
      const uint64_t key = event.varint();
      const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
      if (wire == 1) {
        EXPECT_EQ(field, 1);  // wall_time
        EXPECT_GT(read_le<double>(data, event.pos), 1.6e9);
        event.pos += 8;
      } else if (wire == 0) {
        EXPECT_EQ(field, 2);
        step = static_cast<int64_t>(event.varint());
      } else if (wire == 2) {
        const uint64_t n = event.varint();
        const std::string body = data.substr(event.pos, n);
        event.pos += n;
        if (field == 3) file_version = body;
        if (field != 5) continue;
        Reader summary{body};
        while (!summary.done()) {
          EXPECT_EQ(summary.varint(), (1u << 3) | 2u);  // Summary.value
          const uint64_t m = summary.varint();
          const std::string value = body.substr(summary.pos, m);
          summary.pos += m;
          Reader v{value};
          Scalar scalar;
          scalar.step = step;
          while (!v.done()) {
            const uint64_t k = v.varint();
            if (k == ((1u << 3) | 2u)) {
              const uint64_t tl = v.varint();
              scalar.tag = value.substr(v.pos, tl);
              v.pos += tl;
            } else {
              EXPECT_EQ(k, (2u << 3) | 5u);  // simple_value, fixed32
              scalar.value = read_le<float>(value, v.pos);
              v.pos += 4;
            }
          }
          scalars.push_back(scalar);
        }
      } else {
        ADD_FAILURE() << "unexpected wire type " << wire;
        return scalars;
      }
    }
  }
  return scalars;
}

}  // namespace

TEST(TrainTfEvents, Crc32cMatchesTheStandardCheckValue) {
  EXPECT_EQ(harmonia::train::crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(reference_crc32c("123456789"), 0xE3069283u);
  const std::string text = "harmonia studio";
  EXPECT_EQ(harmonia::train::masked_crc32c(text.data(), text.size()), reference_mask(reference_crc32c(text)));
}

TEST(TrainTfEvents, RunLogScalarsDecodeIndependently) {
  const auto dir = harmonia::test::scratch_dir("train_tfevents");
  {
    harmonia::train::RunLog log(dir, true, false);
    log.write({1, 0, 3.5, -1, 1e-3, 0.75, 1234.0, 0.5});
    log.write({2, 0, 2.25, 2.5, 9e-4, 0.5, 1500.0, 1.0});
    log.flush();
  }
  std::filesystem::path events_file;
  for (const auto& e : std::filesystem::directory_iterator(dir / "tensorboard"))
    if (e.path().filename().string().rfind("events.out.tfevents.", 0) == 0) events_file = e.path();
  ASSERT_FALSE(events_file.empty());
  std::ifstream in(events_file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string version;
  auto scalars = decode_events(bytes, version);
  EXPECT_EQ(version, "brain.Event:2");
  ASSERT_EQ(scalars.size(), 9u);  // 4 train scalars per step row, plus val/loss at step 2
  EXPECT_EQ(scalars[0].tag, "train/loss");
  EXPECT_EQ(scalars[0].step, 1);
  EXPECT_FLOAT_EQ(scalars[0].value, 3.5f);
  EXPECT_EQ(scalars[8].tag, "val/loss");
  EXPECT_EQ(scalars[8].step, 2);
  EXPECT_FLOAT_EQ(scalars[8].value, 2.5f);

  // A flipped byte must break the checksum the reader checks.
  std::string corrupt = bytes;
  corrupt[20] ^= 0x01;
  std::string ignored;
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    decode_events(corrupt, ignored);
  }
  EXPECT_GT(failures.size(), 0);  // the CRC check above caught it

  std::ifstream csv(dir / "train_log.csv");
  std::string header, row1, row2;
  std::getline(csv, header);
  std::getline(csv, row1);
  std::getline(csv, row2);
  EXPECT_EQ(header, "step,epoch,train_loss,val_loss,lr,grad_norm,tokens_per_s,elapsed_s");
  EXPECT_EQ(row1.substr(0, 10), "1,0,3.5,,0");
  EXPECT_EQ(row2.substr(0, 12), "2,0,2.25,2.5");
}
