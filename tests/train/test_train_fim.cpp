// Fill-in-the-middle training data (core/train/fim.hpp, core/tokenizer/fim_tokens.hpp): the FIM
// tokens are MidiTok specials, a rearranged window is the window's own tokens in PSM order cut
// at bar starts, the share of rearranged windows is the rate, and the draw is seeded.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "core/tokenizer/fim_tokens.hpp"
#include "core/train/fim.hpp"
#include "../data/data_fixtures.hpp"

namespace harmonia::train {
namespace {

using tokenizer::Tokenizer;

std::unique_ptr<Tokenizer> remi() { return Tokenizer::create("REMI"); }

// Windows of `length` tokens (the first with BOS, the last with EOS) over a few synthetic
// songs, in the FIM tokenizer's ids when `fim_tok` is given (else the plain REMI ids).
std::vector<std::vector<int64_t>> song_windows(const Tokenizer& tok, int songs, size_t length) {
  std::vector<std::vector<int64_t>> out;
  for (int s = 0; s < songs; ++s) {
    const auto enc = tok.encode(test::synthetic_song(s, 12 + s % 5, false));
    std::vector<int64_t> all{tok.vocab().id("BOS_None")};
    all.insert(all.end(), enc.sequences.at(0).ids.begin(), enc.sequences.at(0).ids.end());
    all.push_back(tok.vocab().id("EOS_None"));
    for (size_t b = 0; b < all.size(); b += length)
      out.emplace_back(all.begin() + long(b), all.begin() + long(std::min(all.size(), b + length)));
  }
  return out;
}

TEST(FimTokens, AreMidiTokSpecialsAfterTheOthersAndSurviveTokenizerJson) {
  const auto plain = remi();
  const auto fim = tokenizer::with_fim_tokens(*plain);
  EXPECT_EQ(fim->vocab().size(), plain->vocab().size() + 3);
  EXPECT_EQ(fim->vocab().id("FIM_PRE"), 4);  // after PAD, BOS, EOS, MASK, as MidiTok orders specials
  EXPECT_EQ(fim->vocab().id("FIM_SUF"), 5);
  EXPECT_EQ(fim->vocab().id("FIM_MID"), 6);
  const auto& specials = fim->config().special_tokens;
  EXPECT_EQ(specials.back(), "FIM_MID");
  // Through tokenizer.json and back: the same ids.
  const auto again = Tokenizer::from_json(fim->to_json());
  ASSERT_TRUE(tokenizer::fim_ids(*again));
  EXPECT_EQ(again->vocab().texts(), fim->vocab().texts());
  // Every plain id has its counterpart: same string, moved up by 3 past the specials.
  const auto map = tokenizer::id_translation(*plain, *fim);
  ASSERT_EQ(map.size(), plain->vocab().size());
  for (size_t i = 0; i < map.size(); ++i) {
    ASSERT_GE(map[i], 0);
    EXPECT_EQ(fim->vocab().text(map[i]), plain->vocab().text(int(i)));
    EXPECT_EQ(map[i], i < 4 ? int(i) : int(i) + 3);
  }
  EXPECT_FALSE(tokenizer::fim_ids(*plain));
  // Adding them twice changes nothing.
  EXPECT_EQ(tokenizer::with_fim_tokens(*fim)->vocab().size(), fim->vocab().size());
}

TEST(FimTokens, RefusedWhereBarsCannotBeCut) {
  EXPECT_THROW(tokenizer::with_fim_tokens(*Tokenizer::create("CPWord")), tokenizer::TokenizerError);
  const auto tsd = Tokenizer::create("TSD");
  if (tsd->vocab().id(tokenizer::TokenType::Bar, -1) < 0) {
    EXPECT_THROW(tokenizer::with_fim_tokens(*tsd), tokenizer::TokenizerError);
    EXPECT_NE(tokenizer::fim_unsupported_reason(*tsd).find("Bar"), std::string::npos);
  }
  EXPECT_EQ(tokenizer::fim_unsupported_reason(*remi()), "");
}

// Checks one PSM row against its window; returns false (with failures) when it is not one.
void expect_psm_of(const std::vector<int64_t>& psm, const std::vector<int64_t>& window, const tokenizer::FimIds& ids,
                   size_t max_len) {
  ASSERT_GE(psm.size(), 5u);
  ASSERT_LE(psm.size(), max_len);
  EXPECT_EQ(psm.front(), ids.prefix);
  EXPECT_EQ(psm.back(), ids.end);
  const auto suf = std::find(psm.begin(), psm.end(), ids.suffix);
  const auto mid = std::find(psm.begin(), psm.end(), ids.middle);
  ASSERT_NE(suf, psm.end());
  ASSERT_NE(mid, psm.end());
  ASSERT_LT(suf, mid);
  const std::vector<int64_t> prefix(psm.begin() + 1, suf), suffix(suf + 1, mid), middle(mid + 1, psm.end() - 1);
  // Split at bar starts: the middle opens with a Bar, the suffix too unless it is empty or
  // only the piece's EOS.
  ASSERT_FALSE(middle.empty());
  EXPECT_EQ(middle.front(), ids.bar);
  if (!suffix.empty() && !(suffix.size() == 1 && suffix[0] == ids.end)) EXPECT_EQ(suffix.front(), ids.bar);
  // prefix + middle + suffix is the window itself (or its start, when it had to be shortened).
  std::vector<int64_t> joined = prefix;
  joined.insert(joined.end(), middle.begin(), middle.end());
  joined.insert(joined.end(), suffix.begin(), suffix.end());
  ASSERT_LE(joined.size(), window.size());
  EXPECT_TRUE(std::equal(joined.begin(), joined.end(), window.begin()));
  if (window.size() + 4 <= max_len) {
    EXPECT_EQ(joined.size(), window.size());  // nothing dropped: a permutation plus the 4 added
  } else {
    EXPECT_EQ(window[joined.size()], ids.bar);  // shortened at a bar start
  }
}

TEST(FimRearrange, IsTheWindowInPrefixSuffixMiddleOrderCutAtBars) {
  const auto fim = tokenizer::with_fim_tokens(*remi());
  const auto ids = *tokenizer::fim_ids(*fim);
  const auto windows = song_windows(*fim, 6, 120);
  std::mt19937_64 rng(7);
  int rearranged = 0;
  std::map<size_t, int> middle_starts;
  for (int round = 0; round < 20; ++round)
    for (const auto& w : windows) {
      FimCut cut;
      auto psm = fim_rearrange(w, ids, 256, rng, &cut);
      if (!psm) continue;
      ++rearranged;
      ++middle_starts[cut.middle_begin];
      expect_psm_of(*psm, w, ids, 256);
      if (HasFailure()) return;
    }
  const auto with_bar = std::count_if(windows.begin(), windows.end(), [&](const std::vector<int64_t>& w) {
    return std::find(w.begin(), w.end(), ids.bar) != w.end();
  });
  EXPECT_GT(with_bar, 10);
  EXPECT_EQ(rearranged, 20 * int(with_bar));  // every window that holds a bar
  EXPECT_GT(middle_starts.size(), 5u);              // the cut moves around
}

TEST(FimRearrange, ShortensAWindowTooLongForTheAddedTokensAtABar) {
  const auto fim = tokenizer::with_fim_tokens(*remi());
  const auto ids = *tokenizer::fim_ids(*fim);
  const auto windows = song_windows(*fim, 3, 128);
  std::mt19937_64 rng(3);
  for (const auto& w : windows) {
    if (w.size() < 128) continue;
    auto psm = fim_rearrange(w, ids, 128, rng);
    ASSERT_TRUE(psm);
    expect_psm_of(*psm, w, ids, 128);
    if (HasFailure()) return;
  }
  // No bar at all: left as it is.
  std::vector<int64_t> no_bar(40, fim->vocab().id("Pitch_60"));
  EXPECT_FALSE(fim_rearrange(no_bar, ids, 256, rng));
}

struct FimFixture {
  std::unique_ptr<Tokenizer> plain = remi(), fim = tokenizer::with_fim_tokens(*plain);
  std::vector<std::vector<int64_t>> windows = song_windows(*plain, 120, 96);  // plain ids, as a dataset holds them
  InMemoryBatchSource inner{windows, InMemoryOptions{8, 128, 0, 1, {}, true, 99, 0, 1}};

  FimOptions options(double rate, uint64_t seed = 5) const {
    FimOptions o;
    o.rate = rate;
    o.seed = seed;
    o.max_len = 128;
    o.ids = *tokenizer::fim_ids(*fim);
    o.translate = tokenizer::id_translation(*plain, *fim);
    o.pad_id = fim->vocab().id("PAD_None");
    return o;
  }
};

// Rows of one batch, without padding.
std::vector<std::vector<int64_t>> rows_of(const Batch& b) {
  std::vector<std::vector<int64_t>> out;
  for (int64_t r = 0; r < b.input_ids.size(0); ++r) {
    std::vector<int64_t> row;
    for (int64_t t = 0; t < b.input_ids.size(1); ++t)
      if (b.attention_mask[r][t].item<int64_t>()) {
        row.push_back(b.input_ids[r][t].item<int64_t>());
        EXPECT_EQ(b.labels[r][t].item<int64_t>(), row.back());
      } else {
        EXPECT_EQ(b.labels[r][t].item<int64_t>(), kIgnoreLabel);
      }
    out.push_back(row);
  }
  return out;
}

TEST(FimBatchSource, RearrangesTheRateShareAndTranslatesTheRest) {
  FimFixture f;
  const auto translate = f.options(0).translate;
  std::map<std::vector<int64_t>, int> translated;  // each window in FIM ids
  for (const auto& w : f.windows) {
    std::vector<int64_t> t;
    for (auto id : w) t.push_back(translate[size_t(id)]);
    ++translated[t];
  }
  for (double rate : {0.0, 0.5, 1.0}) {
    f.inner.rewind();
    FimBatchSource source(f.inner, f.options(rate));
    const auto ids = f.options(rate).ids;
    int total = 0, psm = 0, with_bar = 0;  // only windows holding a bar can be cut
    for (int64_t b = 0; b < source.batches_per_epoch(); ++b)
      for (const auto& row : rows_of(source.next())) {
        ++total;
        if (std::find(row.begin(), row.end(), ids.bar) != row.end()) ++with_bar;
        if (!row.empty() && row.front() == ids.prefix) {
          ++psm;
          // Its tokens are a window's tokens plus the four added ones.
          std::vector<int64_t> content;
          for (auto id : row)
            if (id != ids.prefix && id != ids.suffix && id != ids.middle) content.push_back(id);
          content.pop_back();  // the EOS that ends the middle
          std::sort(content.begin(), content.end());
          bool found = false;
          for (const auto& [w, n] : translated) {
            auto sorted = w;
            std::sort(sorted.begin(), sorted.end());
            found = found || sorted == content;
          }
          EXPECT_TRUE(found) << "a rearranged row is not a window's tokens";
        } else {
          EXPECT_TRUE(translated.count(row)) << "a plain row is not a translated window";
        }
      }
    ASSERT_GT(with_bar, 250);
    EXPECT_GT(total, with_bar);  // windows without a bar stay plain whatever the rate
    const double share = double(psm) / with_bar;
    EXPECT_NEAR(share, rate, 0.08) << "rate " << rate;
  }
}

TEST(FimBatchSource, IsSeededAndResumable) {
  FimFixture f;
  auto batches = [&](uint64_t seed, int n) {
    f.inner.rewind();
    FimBatchSource source(f.inner, f.options(0.5, seed));
    std::vector<std::vector<std::vector<int64_t>>> out;
    for (int i = 0; i < n; ++i) out.push_back(rows_of(source.next()));
    return out;
  };
  const auto a = batches(5, 6), b = batches(5, 6), c = batches(6, 6);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // From a saved position, the same batches as without stopping.
  f.inner.rewind();
  FimBatchSource source(f.inner, f.options(0.5, 5));
  for (int i = 0; i < 3; ++i) source.next();
  const auto state = source.state();
  FimBatchSource resumed(f.inner, f.options(0.5, 5));
  resumed.restore(state);
  for (int i = 3; i < 6; ++i) EXPECT_EQ(rows_of(resumed.next()), a[size_t(i)]);
}

TEST(FimBatchSource, RefusesABadRate) {
  FimFixture f;
  EXPECT_THROW(FimBatchSource(f.inner, f.options(1.5)), std::invalid_argument);
}

}  // namespace
}  // namespace harmonia::train
