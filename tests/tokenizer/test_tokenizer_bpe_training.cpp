// BPE / WordPiece training: on the corpus MidiTok trained its reference tokenizers with
// (pop909 001-100), ours must give the same vocabulary (same ids) and the same merges in
// the same order; plus small cases whose result can be worked out by hand.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "core/tokenizer/score_loader.hpp"
#include "core/tokenizer/subword_training.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "core/tokenizer/tokenizer_training.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using namespace harmonia;
using namespace harmonia::tokenizer;

namespace {

std::u32string chars(const std::string& ascii) { return std::u32string(ascii.begin(), ascii.end()); }

SubwordTrainOptions plain_options(size_t vocab_size) {
  SubwordTrainOptions o;
  o.vocab_size = vocab_size;
  o.metaspace = false;
  return o;
}

TEST(BpeTraining, MergesTheMostFrequentPairFirstAndBreaksTiesBySmallestPair) {
  WordCounts words{{chars("abab"), 3}, {chars("cd"), 6}, {chars("xy"), 6}};
  // Alphabet a b c d x y -> ids 0..5. Pairs: (a,b) 6, (b,a) 3, (c,d) 6, (x,y) 6.
  // Ties at 6 go to the smallest pair: (a,b) first, then (c,d), then (x,y).
  const SubwordModel m = train_bpe(words, plain_options(9));
  ASSERT_EQ(m.size(), 9u);
  EXPECT_EQ(m.piece(6), chars("ab"));
  EXPECT_EQ(m.piece(7), chars("cd"));
  EXPECT_EQ(m.piece(8), chars("xy"));
  ASSERT_EQ(m.merges().size(), 3u);
  EXPECT_EQ(m.merges()[0], std::make_pair(0, 1));
  std::vector<int32_t> ids;
  m.encode_word(chars("ababcd"), ids);
  EXPECT_EQ(ids, (std::vector<int32_t>{6, 6, 7}));
}

TEST(BpeTraining, SpecialTokensAndTheInitialAlphabetComeFirstInOrder) {
  SubwordTrainOptions o = plain_options(6);
  o.special_tokens = {chars("!"), chars("\"")};
  o.initial_alphabet = {U'z', U'a'};
  const SubwordModel m = train_bpe(WordCounts{{chars("aa"), 5}}, o);
  ASSERT_GE(m.size(), 5u);
  EXPECT_EQ(m.piece(0), chars("!"));
  EXPECT_EQ(m.piece(1), chars("\""));
  EXPECT_EQ(m.piece(2), chars("a"));  // alphabet in code point order
  EXPECT_EQ(m.piece(3), chars("z"));
  EXPECT_EQ(m.piece(4), chars("aa"));
  ASSERT_EQ(m.added_tokens().size(), 2u);
  EXPECT_EQ(m.added_tokens()[1].id, 1);
}

TEST(BpeTraining, StopsWhenNoPairIsLeft) {
  const SubwordModel m = train_bpe(WordCounts{{chars("ab"), 1}}, plain_options(100));
  EXPECT_EQ(m.size(), 3u);  // a, b, ab
}

fs::path trained_dir() { return test::shared_dir() / "data" / "miditok-reference" / "3.0.6.post1-trained"; }

std::vector<std::string> training_files() {
  std::vector<std::string> files;
  for (int i = 1; i <= 100; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "%03d.mid", i);
    files.push_back((test::shared_dir() / "data" / "midi" / "pop909" / name).string());
  }
  return files;
}

void expect_same_model(const SubwordModel& got, const SubwordModel& want) {
  ASSERT_EQ(got.size(), want.size());
  size_t same = 0;
  for (size_t i = 0; i < want.size(); ++i) same += got.piece(int32_t(i)) == want.piece(int32_t(i));
  EXPECT_EQ(same, want.size()) << "vocabulary entries with the same id";
  EXPECT_EQ(got.merges(), want.merges());
}

struct Case {
  const char* set;
  SubwordKind kind;
  size_t vocab;
};

class BpeParity : public ::testing::TestWithParam<Case> {};

TEST_P(BpeParity, SameVocabularyAndMergesAsMidiTok) {
  HARMONIA_REQUIRE_SHARED();
  const Case c = GetParam();
  const auto reference = Tokenizer::load((trained_dir() / c.set / "tokenizer.json").string());
  const auto base = Tokenizer::create(reference->name(), reference->config());
  TokenizerTrainingOptions opt;
  opt.kind = c.kind;
  opt.vocab_size = c.vocab;
  TokenizerTrainingStats stats;
  const auto t0 = std::chrono::steady_clock::now();
  const auto trained = train_tokenizer(*base, training_files(), opt, &stats);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << c.set << ": " << stats.files << " files, " << stats.base_tokens << " base tokens, "
            << stats.distinct_words << " distinct words; read " << stats.read_seconds << " s, train "
            << stats.train_seconds << " s, total " << seconds << " s\n";
  EXPECT_EQ(stats.failed, 0u);
  expect_same_model(*trained->subword(), *reference->subword());
  // And it encodes a file as MidiTok's tokenizer does.
  const auto score = load_score_file_for_tokenizer((test::shared_dir() / "data" / "midi" / "pop909" / "110.mid").string());
  EXPECT_EQ(trained->encode(score).sequences[0].ids, reference->encode(score).sequences[0].ids);
}

INSTANTIATE_TEST_SUITE_P(Sets, BpeParity,
                         ::testing::Values(Case{"REMI-BPE1000", SubwordKind::BPE, 1000},
                                           Case{"REMI-WordPiece1000", SubwordKind::WordPiece, 1000},
                                           Case{"TSD-nosplit-BPE2000", SubwordKind::BPE, 2000}),
                         [](const auto& info) {
                           std::string n = info.param.set;
                           for (auto& ch : n) if (ch == '-') ch = '_';
                           return n;
                         });

}  // namespace

namespace {

// The studio's Cancel must stop the learning stage too, not only the reading of files.
TEST(BpeTraining, CancelStopsTheMerges) {
  WordCounts words;
  for (int i = 0; i < 200; ++i) {
    std::u32string w;
    for (int k = 0; k < 40; ++k) w.push_back(char32_t('a' + (i * 7 + k * k) % 26));
    words[w] = 1 + i % 5;
  }
  std::atomic<bool> cancel{false};
  SubwordTrainOptions o;
  o.vocab_size = 2000;
  o.metaspace = false;
  o.cancel = &cancel;
  size_t calls = 0;
  o.progress = [&](const std::string&, size_t, size_t) {
    if (++calls == 1) cancel = true;  // the first progress report asks to stop
  };
  EXPECT_THROW(train_bpe(words, o), TokenizerError);
  cancel = false;
  o.kind = SubwordKind::Unigram;
  calls = 0;
  EXPECT_THROW(train_unigram(words, o), TokenizerError);
}

}  // namespace

namespace {

// encode_ids_split: a piece starts at the first token at or after each bar (or beat) tick, as
// MidiTok's TokSequence.split_per_bars/beats does; "no" keeps one word per sequence.
TEST(TrainingWords, SplitPerBarBeatOrNot) {
  midi::Score score;
  score.ticks_per_quarter = 480;
  midi::Track t;
  for (int beat = 0; beat < 8; ++beat) t.notes.push_back({beat * 480, 240, 60 + beat, 90});  // 2 bars of 4/4
  score.tracks.push_back(t);
  auto words_for = [&](const char* split) {
    TokenizerConfig c;
    c.encode_ids_split = split;
    return Tokenizer::create("REMI", c)->training_words(score);
  };
  const auto bars = words_for("bar"), beats = words_for("beat"), whole = words_for("no");
  EXPECT_EQ(bars.size(), 2u);
  // MidiTok lists the beats that start before the last onset: the last note's beat (at that
  // very tick) is not a new piece, so its tokens end the seventh one.
  EXPECT_EQ(beats.size(), 7u);
  ASSERT_EQ(whole.size(), 1u);
  // Every split keeps all tokens, in order.
  std::u32string joined;
  for (const auto& w : beats) joined += w;
  EXPECT_EQ(joined, whole[0]);
  joined.clear();
  for (const auto& w : bars) joined += w;
  EXPECT_EQ(joined, whole[0]);
  // A bar word starts with the Bar token.
  const auto tok = Tokenizer::create("REMI");
  EXPECT_EQ(bars[1][0], base_char(tok->vocab().id("Bar_None")));
}

}  // namespace
