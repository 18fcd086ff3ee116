// Hostile trained tokenizer.json files: every broken field gets a TokenizerError naming the
// file and the field, never a crash; random edits of a real file load or fail cleanly.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "core/tokenizer/subword_training.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "test_paths.hpp"

using namespace harmonia;
using namespace harmonia::tokenizer;
using ordered_json = nlohmann::ordered_json;

namespace {

// A small BPE tokenizer trained on made-up bars of REMI tokens.
std::unique_ptr<Tokenizer> small_trained(SubwordKind kind = SubwordKind::BPE) {
  auto tok = Tokenizer::create("REMI");
  const auto& v = tok->vocab();
  std::vector<std::u32string> words;
  for (int bar = 0; bar < 40; ++bar) {
    std::u32string w{base_char(v.id("Bar_None"))};
    for (int n = 0; n < 4; ++n)
      for (const char* t : {"Position_0", "Pitch_60", "Velocity_95", "Duration_1.0.8"}) w.push_back(base_char(v.id(t)));
    w.push_back(base_char(v.id("Pitch_" + std::to_string(60 + bar % 7))));
    words.push_back(w);
  }
  WordCounts counts;
  const auto opt = miditok_train_options(*tok, kind, v.size() + 20);
  add_words(counts, words, opt.metaspace);
  tok->set_subword(kind == SubwordKind::BPE ? train_bpe(counts, opt) : train_unigram(counts, opt));
  return tok;
}

// The error message from_json gives for `j`, or "" when it loads.
std::string load_error(const ordered_json& j) {
  try {
    Tokenizer::from_json(j, "hostile.json");
  } catch (const TokenizerError& e) {
    return e.what();
  }
  return "";
}

ordered_json edit_model(const ordered_json& file, const std::function<void(nlohmann::json&)>& edit) {
  ordered_json j = file;
  auto m = nlohmann::json::parse(j["_model"].get<std::string>());
  edit(m);
  j["_model"] = m.dump();
  return j;
}

TEST(TrainedTokenizerBadInput, EachBrokenFieldIsNamed) {
  const ordered_json good = small_trained()->to_json();
  ASSERT_EQ(load_error(good), "");
  struct Case {
    ordered_json j;
    std::vector<std::string> expected;  // substrings of the message
  };
  std::vector<Case> cases;
  {
    ordered_json j = good;
    j["_model"] = "{\"truncated\": ";
    cases.push_back({j, {"hostile.json", "_model", "not valid JSON"}});
  }
  cases.push_back({edit_model(good, [](auto& m) { m["model"]["type"] = "Wordy"; }), {"hostile.json", "_model.model.type", "Wordy"}});
  cases.push_back({edit_model(good, [](auto& m) { m["model"]["merges"][0] = {"\u00a7nope", "!"}; }),
                   {"hostile.json", "_model.model.merges[0]", "missing from the vocabulary"}});
  cases.push_back({edit_model(good, [](auto& m) { m["model"]["vocab"]["!"] = 999999; }),
                   {"hostile.json", "_model.model.vocab", "out of range"}});
  cases.push_back({edit_model(good, [](auto& m) { m["model"]["vocab"]["!"] = "zero"; }),
                   {"hostile.json", "_model.model.vocab", "integer"}});
  cases.push_back({edit_model(good, [](auto& m) { m["model"]["dropout"] = 0.1; }), {"hostile.json", "dropout"}});
  cases.push_back({edit_model(good, [](auto& m) { m["normalizer"] = {{"type", "NFC"}}; }), {"hostile.json", "normalizer"}});
  cases.push_back({edit_model(good, [](auto& m) { m["pre_tokenizer"] = {{"type", "ByteLevel"}}; }),
                   {"hostile.json", "pre_tokenizer", "Metaspace"}});
  cases.push_back({edit_model(good, [](auto& m) { m["added_tokens"][0]["id"] = 5; }), {"hostile.json", "added token"}});
  cases.push_back({edit_model(good, [](auto& m) { m["model"].erase("merges"); }), {"hostile.json", "merges"}});
  {
    ordered_json j = good;
    j["_vocab_base"]["Pitch_60"] = 3;
    cases.push_back({j, {"hostile.json", "_vocab_base"}});
  }
  {
    ordered_json j = good;
    j["_model"] = 42;
    cases.push_back({j, {"hostile.json", "_model", "must be a string"}});
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string msg = load_error(cases[i].j);
    ASSERT_FALSE(msg.empty()) << "case " << i << " loaded";
    for (const auto& part : cases[i].expected) EXPECT_NE(msg.find(part), std::string::npos) << "case " << i << ": " << msg;
  }
}

TEST(TrainedTokenizerBadInput, UnigramFieldsAreChecked) {
  const ordered_json good = small_trained(SubwordKind::Unigram)->to_json();
  ASSERT_EQ(load_error(good), "");
  EXPECT_NE(load_error(edit_model(good, [](auto& m) { m["model"]["unk_id"] = 100000; })).find("unk_id"), std::string::npos);
  EXPECT_NE(load_error(edit_model(good, [](auto& m) { m["model"]["vocab"][5] = {"x"}; })).find("_model.model.vocab[5]"),
            std::string::npos);
}

TEST(TrainedTokenizerBadInput, TruncatedFileNamesThePath) {
  const std::string text = small_trained()->to_json().dump(2);
  const auto path = test::scratch_dir("trained-bad") / "tokenizer.json";
  std::ofstream(path) << text.substr(0, text.size() / 2);
  try {
    Tokenizer::load(path.string());
    FAIL() << "a truncated file loaded";
  } catch (const TokenizerError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}

TEST(TrainedTokenizerBadInput, LearnedIdsOutOfRangeAreDroppedNotFatal) {
  auto tok = small_trained();
  DecodeReport report;
  const auto score = tok->decode({TokSequence{1, {-5, 4, 1 << 30, int32_t(tok->model_vocab_size())}}}, {}, &report);
  EXPECT_EQ(report.tokens_dropped, 3u);
  (void)score;
}

TEST(TrainedTokenizerBadInput, RandomEditsLoadOrFailCleanly) {
  const std::string good = small_trained()->to_json().dump();
  std::mt19937_64 rng(11);
  size_t loaded = 0, refused = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string s = good;
    const int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % s.size();
      switch (rng() % 4) {
        case 0: s[at] = char(rng() % 128); break;                          // byte flip
        case 1: s.erase(at, 1 + rng() % 8); break;                          // cut
        case 2: s.insert(at, s.substr(rng() % s.size(), 1 + rng() % 16)); break;  // splice
        case 3: s.insert(at, std::to_string(int64_t(rng()))); break;        // numbers
      }
    }
    ordered_json j;
    try {
      j = ordered_json::parse(s);
    } catch (const std::exception&) {
      continue;  // not JSON at all: the loader's own parse error, covered above
    }
    try {
      auto tok = Tokenizer::from_json(j, "mutant.json");
      ++loaded;
      // Whatever loads must encode and decode without crashing.
      DecodeReport report;
      tok->decode({TokSequence{1, {0, 1, 2, 300, 5, 7}}}, {}, &report);
    } catch (const TokenizerError&) {
      ++refused;
    }
  }
  std::cout << "[trained bad input] " << loaded << " mutants loaded, " << refused << " refused with a message\n";
  EXPECT_GT(refused, 0u);
}

}  // namespace
