// safetensors reader/writer: round trips for every dtype we write, and hostile files that must
// give a clear error naming the file and the problem (never a crash or an out-of-bounds read).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstring>
#include <fstream>

#include "core/model/safetensors.hpp"
#include "test_paths.hpp"

namespace hm = harmonia::model;

namespace {

std::filesystem::path write_bytes(const std::string& name, const std::string& bytes) {
  const auto path = harmonia::test::scratch_dir("safetensors_" + name) / "file.safetensors";
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

// u64 little-endian header length + header + data, as a hostile writer could lay it out.
std::string make_file(const std::string& header, const std::string& data, uint64_t claimed_len = UINT64_MAX) {
  const uint64_t len = claimed_len == UINT64_MAX ? header.size() : claimed_len;
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((len >> (8 * i)) & 0xff);
  return out + header + data;
}

// Expects SafetensorsError whose message contains the file path and `problem`.
void expect_rejected(const std::string& name, const std::string& bytes, const std::string& problem) {
  const auto path = write_bytes(name, bytes);
  try {
    hm::SafetensorsReader reader(path);
    ADD_FAILURE() << name << ": accepted a bad file";
  } catch (const hm::SafetensorsError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find(problem), std::string::npos) << name << ": " << message;
  }
}

const std::string kFourFloats(16, '\0');

TEST(Safetensors, RoundTripKeepsDtypesShapesValuesAndMetadata) {
  torch::manual_seed(3);
  std::map<std::string, torch::Tensor> tensors = {
      {"a.f32", torch::randn({3, 5})},
      {"b.f16", torch::randn({7}).to(torch::kHalf)},
      {"c.bf16", torch::randn({2, 2, 3}).to(torch::kBFloat16)},
      {"d.i64", torch::arange(10, torch::kLong).view({2, 5})},
      {"e.scalar", torch::scalar_tensor(2.5)},
      {"f.empty", torch::empty({0, 4})},
      {"g.strided", torch::randn({4, 6}).t()},  // non-contiguous input must be written contiguously
  };
  const auto path = harmonia::test::scratch_dir("safetensors_roundtrip") / "t.safetensors";
  hm::write_safetensors(path, tensors, {{"format", "pt"}, {"note", "hello"}});

  std::ifstream in(path, std::ios::binary);
  uint64_t header_len = 0;
  in.read(reinterpret_cast<char*>(&header_len), 8);
  EXPECT_EQ(header_len % 8, 0u) << "header padded to a multiple of 8";

  hm::SafetensorsReader reader(path);
  EXPECT_EQ(reader.names().size(), tensors.size());
  EXPECT_EQ(reader.metadata().at("note"), "hello");
  EXPECT_EQ(reader.entry("b.f16").dtype, "F16");
  EXPECT_EQ(reader.entry("c.bf16").dtype, "BF16");
  for (const auto& [name, expected] : tensors) {
    const auto got = reader.tensor(name);
    EXPECT_EQ(got.scalar_type(), expected.scalar_type()) << name;
    EXPECT_EQ(got.sizes(), expected.sizes()) << name;
    EXPECT_TRUE(torch::equal(got, expected)) << name;
  }
  EXPECT_THROW(reader.tensor("missing"), hm::SafetensorsError);
}

TEST(Safetensors, ReadsAHandMadeFileExactly) {
  const float values[4] = {1.0f, -2.0f, 0.5f, 3.25f};
  std::string data(reinterpret_cast<const char*>(values), sizeof(values));
  const std::string header = R"({"x":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";
  const auto path = write_bytes("handmade", make_file(header, data));
  hm::SafetensorsReader reader(path);
  const auto x = reader.tensor("x");
  EXPECT_TRUE(torch::equal(x, torch::tensor({1.0f, -2.0f, 0.5f, 3.25f}).view({2, 2})));
}

TEST(SafetensorsHostile, TooShortForTheLength) { expect_rejected("short", std::string(5, '\0'), "too short"); }

TEST(SafetensorsHostile, HeaderLengthPastEndOfFile) {
  expect_rejected("len_past_end", make_file("{}", "", 1000), "runs past the end");
}

TEST(SafetensorsHostile, HugeHeaderLength) {
  expect_rejected("len_huge", make_file("{}", "", 0xFFFFFFFFFFFFull), "exceeds");
}

TEST(SafetensorsHostile, HeaderNotJson) { expect_rejected("not_json", make_file("{\"x\": [", ""), "not valid JSON"); }

TEST(SafetensorsHostile, HeaderNotAnObject) { expect_rejected("array", make_file("[1,2]", ""), "not a JSON object"); }

TEST(SafetensorsHostile, UnknownDtype) {
  expect_rejected("dtype", make_file(R"({"x":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}})", "a"),
                  "unsupported dtype");
}

TEST(SafetensorsHostile, MissingFields) {
  expect_rejected("no_shape", make_file(R"({"x":{"dtype":"F32","data_offsets":[0,4]}})", "abcd"), "shape");
  expect_rejected("no_offsets", make_file(R"({"x":{"dtype":"F32","shape":[1]}})", "abcd"), "data_offsets");
  expect_rejected("entry_not_object", make_file(R"({"x":3})", ""), "not an object");
}

TEST(SafetensorsHostile, NegativeOrFractionalShape) {
  expect_rejected("neg_shape", make_file(R"({"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", "abcd"),
                  "non-negative integer");
  expect_rejected("frac_shape", make_file(R"({"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", "abcd"),
                  "non-negative integer");
}

TEST(SafetensorsHostile, ShapeProductOverflows) {
  expect_rejected("overflow",
                  make_file(R"({"x":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}})",
                            "abcd"),
                  "too large");
}

TEST(SafetensorsHostile, OffsetsPastDataSection) {
  expect_rejected("past_end", make_file(R"({"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", "abcd"),
                  "past the 4-byte data section");
}

TEST(SafetensorsHostile, OffsetsDisagreeWithShape) {
  expect_rejected("size_mismatch",
                  make_file(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", kFourFloats),
                  "need 8");
}

TEST(SafetensorsHostile, OffsetsReversedOrNegative) {
  expect_rejected("reversed", make_file(R"({"x":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})", kFourFloats),
                  "begin after they end");
  expect_rejected("negative", make_file(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", kFourFloats),
                  "non-negative integer");
}

TEST(SafetensorsHostile, OverlappingTensors) {
  expect_rejected(
      "overlap",
      make_file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
                kFourFloats),
      "overlap");
}

TEST(SafetensorsHostile, MetadataMustBeStrings) {
  expect_rejected("metadata", make_file(R"({"__metadata__":{"format":1}})", ""), "not a string");
}

TEST(SafetensorsHostile, MissingFileNamesThePath) {
  const auto path = harmonia::test::scratch_dir("safetensors_missing") / "nope.safetensors";
  try {
    hm::SafetensorsReader reader(path);
    FAIL() << "opened a missing file";
  } catch (const hm::SafetensorsError& e) {
    EXPECT_NE(std::string(e.what()).find("nope.safetensors"), std::string::npos);
  }
}

// Every truncation of a valid file must be rejected cleanly (the data section shrinks under the
// offsets), never read past the mapping.
TEST(SafetensorsHostile, EveryTruncationOfAValidFileIsRejected) {
  const auto dir = harmonia::test::scratch_dir("safetensors_truncated");
  const auto good = dir / "good.safetensors";
  hm::write_safetensors(good, {{"w", torch::randn({3, 4})}, {"b", torch::randn({4})}});
  std::ifstream in(good, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    const auto path = dir / "cut.safetensors";
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(cut));
    EXPECT_THROW(hm::SafetensorsReader{path}, hm::SafetensorsError) << "cut at " << cut;
  }
}

}  // namespace
