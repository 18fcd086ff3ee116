// Parity with MidiTok 3.0.6.post1: our tokens for each reference MIDI file must equal the
// tokens MidiTok itself produced (../shared/data/miditok-reference), file by file.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>

#include "core/tokenizer/score_loader.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "test_paths.hpp"
#include "tokenizer/reference_data.hpp"

namespace fs = std::filesystem;
using namespace harmonia;
using namespace harmonia::tokenizer;

namespace {

// Reference token strings as one flat list per sequence.
std::vector<std::vector<std::string>> reference_sequences(const nlohmann::ordered_json& ref) {
  std::vector<std::vector<std::string>> out;
  const auto& tokens = ref["tokens"];
  const bool single = ref["io_format"].size() == 1;
  auto flatten = [](const nlohmann::ordered_json& seq) {
    std::vector<std::string> flat;
    for (const auto& t : seq) {
      if (t.is_array())
        for (const auto& s : t) flat.push_back(s.get<std::string>());
      else
        flat.push_back(t.get<std::string>());
    }
    return flat;
  };
  if (single) out.push_back(flatten(tokens));
  else
    for (const auto& seq : tokens) out.push_back(flatten(seq));
  return out;
}

struct Parity {
  size_t files = 0, identical = 0;
  std::vector<std::string> mismatches;
};

Parity check_config(const fs::path& dir, size_t* notes = nullptr) {
  Parity p;
  auto tok = Tokenizer::load((dir / "tokenizer.json").string());
  const fs::path midi_root = test::shared_dir() / "data" / "midi" / "miditok-tests";
  for (const auto& ref_file : test::reference_files(dir)) {
    const auto ref = test::read_gzip_json(ref_file.path);
    ++p.files;
    const auto expected = reference_sequences(ref);
    std::vector<std::vector<std::string>> got;
    try {
      const auto score = load_score_file_for_tokenizer((midi_root / ref_file.midi).string());
      if (notes) *notes += score.note_count();
      for (const auto& seq : tok->encode(score).sequences) got.push_back(tok->strings(seq));
    } catch (const std::exception& e) {
      p.mismatches.push_back(ref_file.midi + ": exception " + e.what());
      continue;
    }
    if (got == expected) {
      ++p.identical;
      continue;
    }
    std::string why = ref_file.midi + ": ";
    if (got.size() != expected.size()) {
      why += std::to_string(got.size()) + " sequences vs " + std::to_string(expected.size());
    } else {
      for (size_t s = 0; s < got.size(); ++s) {
        if (got[s] == expected[s]) continue;
        size_t i = 0;
        while (i < got[s].size() && i < expected[s].size() && got[s][i] == expected[s][i]) ++i;
        why += "sequence " + std::to_string(s) + " (" + std::to_string(got[s].size()) + " vs " +
               std::to_string(expected[s].size()) + " tokens) differs at " + std::to_string(i) + ":";
        for (size_t k = i >= 3 ? i - 3 : 0; k < i + 6; ++k)
          why += " [" + (k < got[s].size() ? got[s][k] : "-") + " | " + (k < expected[s].size() ? expected[s][k] : "-") + "]";
        break;
      }
    }
    p.mismatches.push_back(why);
  }
  return p;
}

class MidiTokParity : public ::testing::TestWithParam<std::string> {};

TEST_P(MidiTokParity, TokensIdenticalOnAtLeast99PercentOfFiles) {
  HARMONIA_REQUIRE_SHARED();
  const fs::path dir = test::shared_dir() / "data" / "miditok-reference" / "3.0.6.post1" / GetParam();
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  const Parity p = check_config(dir);
  for (const auto& m : p.mismatches) std::cout << "  mismatch " << GetParam() << ": " << m << "\n";
  std::cout << GetParam() << ": " << p.identical << "/" << p.files << " files token-identical\n";
  ASSERT_GT(p.files, 0u);
  EXPECT_GE(double(p.identical), 0.99 * double(p.files)) << p.identical << "/" << p.files;
}

INSTANTIATE_TEST_SUITE_P(Configs, MidiTokParity,
                         ::testing::Values("REMI", "TSD", "MIDILike", "CPWord", "Octuple",
                                           "REMI-chords-tempos-timesigs-programs"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// The ids MidiTok wrote are the ids of its tokens in our vocabulary (same order, same size).
TEST(MidiTokParity, VocabulariesMatchMidiTok) {
  HARMONIA_REQUIRE_SHARED();
  const fs::path root = test::shared_dir() / "data" / "miditok-reference" / "3.0.6.post1";
  for (const char* config : {"REMI", "TSD", "MIDILike", "CPWord", "Octuple", "REMI-chords-tempos-timesigs-programs"}) {
    auto tok = Tokenizer::load((root / config / "tokenizer.json").string());
    std::ifstream in(root / config / "vocab.json");
    const auto vocab = nlohmann::ordered_json::parse(in);
    if (vocab.is_array()) {
      ASSERT_EQ(vocab.size(), tok->num_fields()) << config;
      for (size_t f = 0; f < vocab.size(); ++f) {
        ASSERT_EQ(vocab[f].size(), tok->vocab(f).size()) << config << " field " << f;
        for (const auto& [text, id] : vocab[f].items()) EXPECT_EQ(tok->vocab(f).id(text), id.template get<int>()) << config << " " << text;
      }
    } else {
      ASSERT_EQ(vocab.size(), tok->vocab().size()) << config;
      for (const auto& [text, id] : vocab.items()) EXPECT_EQ(tok->vocab().id(text), id.template get<int>()) << config << " " << text;
    }
  }
}

}  // namespace
