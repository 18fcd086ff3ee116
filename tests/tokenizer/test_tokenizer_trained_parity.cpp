// Parity with MidiTok 3.0.6.post1's trained tokenizers (BPE, Unigram, WordPiece made with
// Hugging Face tokenizers 0.23): loading their tokenizer.json, our learned ids for every
// reference file must equal MidiTok's, and decoding them must give back the base ids
// (../shared/data/miditok-reference/3.0.6.post1-trained).
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <tuple>

#include "core/midi/midi_file.hpp"
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

// decode(encode(x)) with the learned ids gives MidiTok's decoded files note for note (both
// sides through a MIDI file, as MidiTok's decoded references were written).
TEST(TrainedParity, DecodesLearnedIdsLikeMidiTok) {
  HARMONIA_REQUIRE_SHARED();
  const fs::path dir = trained_dir() / "REMI-BPE1000";
  auto tok = Tokenizer::load((dir / "tokenizer.json").string());
  using Note = std::tuple<int, bool, int64_t, int, int64_t, int>;  // program, drum, time, pitch, duration, velocity
  auto notes_of = [](const midi::Score& s) {
    std::vector<Note> out;
    for (const auto& t : s.tracks)
      for (const auto& n : t.notes) out.push_back({t.program, t.is_drum, n.time, n.pitch, n.duration, n.velocity});
    std::sort(out.begin(), out.end());
    return out;
  };
  for (const char* f : {"MIDIs_one_track/POP909_008.mid", "MIDIs_one_track/6338816_Etude No. 4.mid",
                        "MIDIs_multitrack/Funkytown.mid"}) {
    const auto score = load_score_file_for_tokenizer((test::shared_dir() / "data" / "midi" / "miditok-tests" / f).string());
    const auto enc = tok->encode(score);
    DecodeReport report;
    const auto bytes = midi::write_midi(tok->decode(enc.sequences, enc.programs, &report));
    EXPECT_EQ(report.tokens_dropped, 0u) << f;
    const auto ours = notes_of(midi::read_midi(bytes.data(), bytes.size(), "decoded"));
    const auto theirs = notes_of(midi::read_midi_file((dir / "miditok-tests" / (std::string(f) + ".decoded.mid")).string()));
    EXPECT_GT(theirs.size(), 100u) << f;
    EXPECT_TRUE(ours == theirs) << f << ": " << ours.size() << " notes vs MidiTok's " << theirs.size();
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
