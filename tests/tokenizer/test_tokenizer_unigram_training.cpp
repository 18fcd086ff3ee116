// Unigram training (tokenizers' UnigramTrainer rules). Its result is not reproducible even
// in tokenizers (hash-ordered words, parallel float sums), so against MidiTok's reference
// the check is statistical: trained on MidiTok's corpus (pop909 001-100), the model must
// compress MidiTok's reference files (pop909 001-120, miditok-tests) within 2 % of MidiTok's
// model, and share nearly all its pieces. Small cases check what can be worked out by
// hand, and the suffix-array seeds are checked against brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "core/tokenizer/score_loader.hpp"
#include "core/tokenizer/subword_training.hpp"
#include "core/tokenizer/substring_index.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "test_paths.hpp"
#include "tokenizer/reference_data.hpp"

namespace fs = std::filesystem;
using namespace harmonia;
using namespace harmonia::tokenizer;

namespace {

std::u32string chars(const std::string& ascii) { return std::u32string(ascii.begin(), ascii.end()); }

// ---- seeds: repeated substrings from the suffix array ----------------------------------

using SubstringCounts = std::map<std::u32string, uint32_t>;

SubstringCounts from_index(const std::u32string& text, size_t min_len, size_t max_len, char32_t sep) {
  const auto sa = sort_suffixes(text, max_len + 1);
  SubstringCounts out;
  for (const auto& r : repeated_substrings(text, sa, min_len, max_len, sep))
    EXPECT_TRUE(out.emplace(text.substr(sa[r.first], r.length), r.count).second) << "reported twice";
  return out;
}

// By definition: occurs at least twice and is followed by two different characters, or
// once by the end of the text.
SubstringCounts brute_force(const std::u32string& text, size_t min_len, size_t max_len, char32_t sep) {
  std::map<std::u32string, std::pair<uint32_t, std::set<int64_t>>> seen;
  for (size_t i = 0; i < text.size(); ++i)
    for (size_t len = min_len; len <= max_len && i + len <= text.size(); ++len) {
      auto& e = seen[text.substr(i, len)];
      ++e.first;
      e.second.insert(i + len < text.size() ? int64_t(text[i + len]) : -1 - int64_t(i));
    }
  SubstringCounts out;
  for (const auto& [s, e] : seen)
    if (e.first >= 2 && e.second.size() >= 2 && s.find(sep) == std::u32string::npos) out[s] = e.first;
  return out;
}

TEST(UnigramSeeds, AbracadabraGivesTheSuffixTreesInternalNodes) {
  const SubstringCounts got = from_index(chars("abracadabra"), 1, 16, U'\0');
  const SubstringCounts want{{chars("a"), 5}, {chars("abra"), 2}, {chars("bra"), 2}, {chars("ra"), 2}};
  EXPECT_EQ(got, want);
}

TEST(UnigramSeeds, SameAsBruteForceOnRandomTexts) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    const size_t n = 1 + rng() % 120;
    const char32_t letters = 1 + rng() % 4;  // few letters: long repeats
    std::u32string text;
    for (size_t i = 0; i < n; ++i) text.push_back(rng() % 9 == 0 ? U'\0' : U'a' + char32_t(rng() % letters));
    const size_t max_len = 1 + rng() % 8;
    ASSERT_EQ(from_index(text, 2, max_len, U'\0'), brute_force(text, 2, max_len, U'\0')) << "round " << round;
  }
}

TEST(UnigramSeeds, SortsSuffixesByTheirFirstCharacters) {
  std::mt19937 rng(3);
  std::u32string text;
  for (int i = 0; i < 3000; ++i) text.push_back(U'a' + char32_t(rng() % 3));
  const size_t depth = 9;
  const auto sa = sort_suffixes(text, depth);
  ASSERT_EQ(sa.size(), text.size());
  EXPECT_EQ(std::set<uint32_t>(sa.begin(), sa.end()).size(), text.size());
  for (size_t i = 1; i < sa.size(); ++i)
    ASSERT_LE(text.substr(sa[i - 1], depth), text.substr(sa[i], depth)) << "at " << i;
}

// ---- training on small corpora ---------------------------------------------------------

SubwordTrainOptions small_options(size_t vocab_size) {
  SubwordTrainOptions o;
  o.kind = SubwordKind::Unigram;
  o.vocab_size = vocab_size;
  o.metaspace = false;
  o.special_tokens = {chars("!!!"), chars("!\"!"), chars("!#!"), chars("!$!")};
  return o;
}

TEST(UnigramTraining, FrequentWordBecomesOnePieceAndEveryCharacterStays) {
  // "abcd" is in the text three times (twice inside "abcdabcd"), so it is a seed, and
  // with 50 + 2x2 uses it is by far the likeliest way to read those characters.
  SubwordTrainOptions o = small_options(20);
  o.initial_alphabet = {U'a', U'b', U'c', U'd', U'e', U'z'};
  const WordCounts words{{chars("abcd"), 50}, {chars("abcdabcd"), 2}, {chars("bca"), 3}, {chars("e"), 5}};
  const SubwordModel m = train_unigram(words, o);
  EXPECT_EQ(m.kind(), SubwordKind::Unigram);
  EXPECT_LE(m.size(), 20u);
  ASSERT_EQ(m.added_tokens().size(), 4u);
  for (int32_t i = 0; i < 4; ++i) {
    EXPECT_EQ(m.piece(i), o.special_tokens[size_t(i)]);
    EXPECT_EQ(m.added_tokens()[size_t(i)].id, i);
    EXPECT_EQ(m.added_tokens()[size_t(i)].content, o.special_tokens[size_t(i)]);
    EXPECT_EQ(m.score(i), 0.0);
  }
  for (char32_t c : std::u32string(U"abcdez")) EXPECT_GE(m.id(std::u32string(1, c)), 4) << char(c);
  // Sorted by score; "z" never occurs, so it gets the lowest score (plus penalties of
  // 0.0001 per missing character before it).
  double lowest = 0;
  for (size_t i = 4; i < m.size(); ++i) {
    if (i > 4) EXPECT_LE(m.score(int32_t(i)), m.score(int32_t(i - 1))) << "sorted by score";
    lowest = std::min(lowest, m.score(int32_t(i)));
  }
  EXPECT_NEAR(m.score(m.id(chars("z"))), lowest, 0.001);
  EXPECT_LT(m.score(m.id(chars("z"))), m.score(m.id(chars("abcd"))));
  std::vector<int32_t> ids;
  m.encode_word(chars("abcd"), ids);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(m.piece(ids[0]), chars("abcd"));
  ids.clear();
  m.encode_word(chars("abcdabcd"), ids);
  EXPECT_EQ(ids.size(), 2u);
}

TEST(UnigramTraining, PrunesDownToTheVocabularySize) {
  // Many repeated substrings, far more than 60: pruning must run and stop at 60 exactly.
  std::mt19937 rng(11);
  WordCounts words;
  for (int i = 0; i < 3000; ++i) {
    std::u32string w(1, kMetaspace);
    const size_t len = 3 + rng() % 10;
    for (size_t j = 0; j < len; ++j) w.push_back(U'a' + char32_t(rng() % 5));
    words[w] += 1 + rng() % 4;
  }
  SubwordTrainOptions o = small_options(60);
  o.metaspace = true;
  std::vector<std::string> stages;
  o.progress = [&](const std::string& stage, size_t, size_t) {
    if (stages.empty() || stages.back() != stage) stages.push_back(stage);
  };
  const SubwordModel m = train_unigram(words, o);
  EXPECT_EQ(m.size(), 60u);
  EXPECT_TRUE(m.metaspace());
  EXPECT_EQ(stages, (std::vector<std::string>{"Unigram seeds", "Unigram EM"}));
  // Every word can be encoded, and pieces are at most 16 characters.
  for (const auto& [w, n] : words) {
    std::vector<int32_t> ids;
    m.encode_word(w, ids);
    std::u32string back;
    for (int32_t id : ids) back += m.piece(id);
    EXPECT_EQ(back, w);
  }
  for (size_t i = 0; i < m.size(); ++i) EXPECT_LE(m.piece(int32_t(i)).size(), 16u);
  // Same input, same model (no dependence on thread timing).
  const SubwordModel again = train_unigram(words, o);
  ASSERT_EQ(again.size(), m.size());
  for (size_t i = 0; i < m.size(); ++i) {
    EXPECT_EQ(again.piece(int32_t(i)), m.piece(int32_t(i)));
    EXPECT_EQ(again.score(int32_t(i)), m.score(int32_t(i)));
  }
}

TEST(UnigramTraining, RefusesAVocabularyTooSmallForTheCharacters) {
  EXPECT_THROW(train_unigram(WordCounts{{chars("abcdef"), 1}}, small_options(5)), TokenizerError);
}

// ---- MidiTok's REMI-Unigram1000 --------------------------------------------------------

struct Group {
  size_t base = 0, learned = 0;
  double ratio() const { return double(base) / double(learned); }
};

TEST(UnigramTraining, CompressesAsMidiToksModel) {
  HARMONIA_REQUIRE_SHARED();
  const fs::path set = test::shared_dir() / "data" / "miditok-reference" / "3.0.6.post1-trained" / "REMI-Unigram1000";
  const auto reference = Tokenizer::load((set / "tokenizer.json").string());
  auto tok = Tokenizer::create(reference->name(), reference->config());
  const SubwordTrainOptions o = miditok_train_options(*tok, SubwordKind::Unigram, 1000);

  // The files MidiTok encoded: miditok-tests/... and pop909/001-120 (001-100 trained on).
  std::vector<std::pair<std::string, midi::Score>> files;
  for (const auto& f : test::reference_files(set))
    files.emplace_back(f.midi, load_score_file_for_tokenizer((test::shared_dir() / "data" / "midi" / f.midi).string()));
  WordCounts words;
  size_t training_files = 0;
  for (const auto& [name, score] : files)
    if (name.rfind("pop909/", 0) == 0 && name <= "pop909/100.mid") {
      add_words(words, tok->training_words(score), o.metaspace);
      ++training_files;
    }
  ASSERT_EQ(training_files, 100u);

  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  const SubwordModel model = train_unigram(words, o);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
  std::cout << "Unigram training: " << words.size() << " distinct words, " << wall << " s wall, " << cpu
            << " s CPU (tokenizers' trainer for MidiTok: 19.4 s wall, 17.9 s CPU on its machine)\n";
  ASSERT_EQ(model.size(), 1000u);

  // MidiTok's own retrains agree on the set of pieces, not on their order or exact scores.
  const SubwordModel& want = *reference->subword();
  size_t shared = 0, same_id = 0;
  double max_score_diff = 0;
  for (size_t i = 0; i < model.size(); ++i) {
    const int32_t j = want.id(model.piece(int32_t(i)));
    if (j < 0) continue;
    ++shared;
    same_id += size_t(j) == i;
    max_score_diff = std::max(max_score_diff, std::fabs(want.score(j) - model.score(int32_t(i))));
  }
  std::cout << "pieces also in MidiTok's model: " << shared << "/1000, " << same_id
            << " with the same id; largest score difference " << max_score_diff << "\n";
  EXPECT_GE(shared, 980u);

  tok->set_subword(model);
  std::map<std::string, Group> groups;
  for (const auto& [name, score] : files) {
    Group& g = groups[name.substr(0, name.find('/'))];
    for (const auto& s : tok->encode_base(score).sequences) g.base += s.ids.size();
    for (const auto& s : tok->encode(score).sequences) g.learned += s.ids.size();
  }
  // summary.json, REMI-Unigram1000: total base / total learned tokens per group.
  const std::map<std::string, std::pair<size_t, double>> midiTok{{"pop909", {763243, 1.4598}},
                                                                 {"miditok-tests", {636014, 1.3982}}};
  ASSERT_EQ(groups.size(), midiTok.size());
  for (const auto& [name, want_group] : midiTok) {
    const Group& g = groups[name];
    std::cout << name << ": " << g.base << " base / " << g.learned << " learned tokens = " << g.ratio()
              << " (MidiTok " << want_group.second << ")\n";
    EXPECT_EQ(g.base, want_group.first) << name;
    EXPECT_NEAR(g.ratio(), want_group.second, 0.02 * want_group.second) << name;
  }
}

}  // namespace
