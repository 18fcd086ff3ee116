// safetensors reader/writer: round trips for every dtype we write, and hostile files that must
// give a clear error naming the file and the problem (never a crash or an out-of-bounds read).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <unistd.h>

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

// Hostile sizes: a header claiming 10^12 F32 elements over a data section that really is 4 TB
// (a sparse file, no disk used). Refused by the per-tensor cap before any allocation; before
// the cap it parsed, and tensor() asked LibTorch for 4 TB.
TEST(SafetensorsHostile, TrillionElementsOverASparseFileAreRefusedBeforeAllocating) {
  const uint64_t elements = 1'000'000'000'000ull, bytes = elements * 4;
  const std::string header =
      R"({"x":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,)" + std::to_string(bytes) + "]}}";
  const auto path = write_bytes("trillion", make_file(header, ""));
  if (::truncate(path.c_str(), static_cast<off_t>(8 + header.size() + bytes)) != 0)
    GTEST_SKIP() << "this file system cannot hold a 4 TB sparse file";
  try {
    hm::SafetensorsReader reader(path);
    (void)reader.tensor("x");
    ADD_FAILURE() << "a 4 TB tensor was accepted";
  } catch (const hm::SafetensorsError& e) {
    EXPECT_NE(std::string(e.what()).find("1000000000000 elements"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("64 GiB limit per tensor"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

// The same claim checked by the torch-free parser alone (what the fuzz target exercises).
TEST(SafetensorsHostile, HeaderParserRefusesATensorOverTheCap) {
  const std::string header = R"({"x":{"dtype":"BF16","shape":[65536,524289],"data_offsets":[0,68719738880]}})";
  EXPECT_THROW(hm::parse_safetensors_header(header, 68719738880ull, "h.safetensors"), hm::SafetensorsError);
  // Exactly at the cap is still a legal tensor.
  const std::string at_cap = R"({"x":{"dtype":"BF16","shape":[65536,524288],"data_offsets":[0,68719476736]}})";
  EXPECT_EQ(hm::parse_safetensors_header(at_cap, 68719476736ull, "h.safetensors").entries.at("x").end,
            68719476736ull);
}

// The parser's size table (torch-free) must match LibTorch's element sizes.
TEST(Safetensors, HeaderDtypeSizesAreTorchElementSizes) {
  for (const char* name : {"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL"})
    EXPECT_EQ(hm::safetensors_dtype_bytes(name), c10::elementSize(hm::torch_dtype_from_safetensors(name))) << name;
  EXPECT_EQ(hm::safetensors_dtype_bytes("F8_E4M3"), 0u);
}

}  // namespace
