// Parity with MidiTok 3.0.6.post1's trained tokenizers (BPE, Unigram, WordPiece made with
// Hugging Face tokenizers 0.23): loading their tokenizer.json, our learned ids for every
// reference file must equal MidiTok's, and decoding them must give back the base ids
// (../shared/data/miditok-reference/3.0.6.post1-trained).
#include <gtest/gtest.h>

#include <iostream>

#include "core/tokenizer/score_loader.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "test_paths.hpp"
#include "tokenizer/reference_data.hpp"

namespace fs = std::filesystem;
using namespace harmonia;
using namespace harmonia::tokenizer;

namespace {

fs::path trained_dir() { return test::shared_dir() / "data" / "miditok-reference" / "3.0.6.post1-trained"; }

std::vector<std::vector<int32_t>> id_lists(const nlohmann::ordered_json& j) {
  std::vector<std::vector<int32_t>> out;
  for (const auto& seq : j) out.push_back(seq.get<std::vector<int32_t>>());
  return out;
}

std::vector<std::vector<int32_t>> ids_of(const Encoding& e) {
  std::vector<std::vector<int32_t>> out;
  for (const auto& s : e.sequences) out.push_back(s.ids);
  return out;
}

struct Result {
  size_t files = 0, identical = 0, base_identical = 0, decoded_identical = 0;
  std::vector<std::string> mismatches;
};

Result check_set(const std::string& set) {
  Result r;
  const fs::path dir = trained_dir() / set;
  auto tok = Tokenizer::load((dir / "tokenizer.json").string());
  EXPECT_TRUE(tok->is_trained());
  for (const auto& ref_file : test::reference_files(dir)) {
    const auto ref = test::read_gzip_json(ref_file.path);
    ++r.files;
    const auto want = id_lists(ref["ids"]);
    const auto want_base = id_lists(ref["base_ids"]);
    try {
      const auto score = load_score_file_for_tokenizer((test::shared_dir() / "data" / "midi" / ref_file.midi).string());
      const auto got = ids_of(tok->encode(score));
      const auto got_base = ids_of(tok->encode_base(score));
      std::vector<std::vector<int32_t>> decoded;
      for (const auto& s : want) decoded.push_back(tok->decode_ids(TokSequence{1, s}).ids);
      r.identical += got == want;
      r.base_identical += got_base == want_base;
      r.decoded_identical += decoded == want_base;
      if (got != want) {
        size_t seq = 0, pos = 0;
        while (seq < got.size() && seq < want.size() && got[seq] == want[seq]) ++seq;
        if (seq < got.size() && seq < want.size())
          while (pos < got[seq].size() && pos < want[seq].size() && got[seq][pos] == want[seq][pos]) ++pos;
        r.mismatches.push_back(ref_file.midi + ": sequence " + std::to_string(seq) + " differs at id " +
                               std::to_string(pos) + (got_base == want_base ? " (base ids equal)" : " (base ids differ)"));
      }
    } catch (const std::exception& e) {
      r.mismatches.push_back(ref_file.midi + ": exception " + e.what());
    }
  }
  std::cout << set << ": " << r.identical << "/" << r.files << " files with identical learned ids, " << r.base_identical
            << " identical base ids, " << r.decoded_identical << " decoded to MidiTok's base ids\n";
  for (size_t i = 0; i < r.mismatches.size() && i < 10; ++i) std::cout << "  " << r.mismatches[i] << "\n";
  return r;
}

class TrainedParity : public ::testing::TestWithParam<std::string> {};

TEST_P(TrainedParity, LearnedIdsEqualMidiToks) {
  HARMONIA_REQUIRE_SHARED();
  const Result r = check_set(GetParam());
  EXPECT_EQ(r.files, 149u);  // 29 miditok-tests files + pop909 001-120
  EXPECT_EQ(r.identical, r.files);
  EXPECT_EQ(r.base_identical, r.files);
  EXPECT_EQ(r.decoded_identical, r.files);
}

TEST_P(TrainedParity, SavedAndReloadedEncodesTheSame) {
  HARMONIA_REQUIRE_SHARED();
  const fs::path dir = trained_dir() / GetParam();
  auto tok = Tokenizer::load((dir / "tokenizer.json").string());
  auto again = Tokenizer::from_json(tok->to_json(), "resaved");
  ASSERT_TRUE(again->is_trained());
  EXPECT_EQ(again->model_vocab_size(), tok->model_vocab_size());
  EXPECT_EQ(again->vocab_size(), tok->vocab_size());
  for (const char* midi : {"pop909/005.mid", "miditok-tests/MIDIs_multitrack/Funkytown.mid"}) {
    const auto score = load_score_file_for_tokenizer((test::shared_dir() / "data" / "midi" / midi).string());
    EXPECT_EQ(ids_of(again->encode(score)), ids_of(tok->encode(score))) << midi;
  }
}

INSTANTIATE_TEST_SUITE_P(Sets, TrainedParity,
                         ::testing::Values("REMI-BPE1000", "REMI-Unigram1000", "REMI-WordPiece1000", "TSD-nosplit-BPE2000"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n) if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
