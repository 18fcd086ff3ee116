// Tidying scores before tokenizing (core/data/score_tidy.hpp): leading and trailing silence
// cut, long empty runs shortened to whole bars, tempo and metre changes kept; and the
// import's cache knows which preparation made it.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/data/import_job.hpp"
#include "core/data/score_tidy.hpp"
#include "core/data/token_cache.hpp"
#include "data/data_fixtures.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::data {
namespace {

constexpr midi::Tick kBar = 1920;  // 4/4 at 480 ticks per quarter

midi::Score sparse_score() {
  // Notes in bars 2, 3 and 9; a tempo change in bar 6 (inside the silence); a controller in bar 12.
  midi::Score s;
  s.ticks_per_quarter = 480;
  s.tempos = {{0, 500000}, {6 * kBar, 400000}};
  midi::Track t;
  t.notes = {{2 * kBar, 480, 60, 80}, {3 * kBar, 480, 62, 80}, {9 * kBar + 480, 240, 64, 80}};
  t.controls = {{12 * kBar + 100, 7, 100}};
  s.tracks.push_back(t);
  return s;
}

TidyOptions tidy(int max_empty) {
  TidyOptions o;
  o.enabled = true;
  o.max_empty_bars = max_empty;
  return o;
}

TEST(DataTidy, CutsLeadingTrailingAndLongEmptyRuns) {
  auto s = sparse_score();
  const auto stats = tidy_score(s, tidy(2));
  // Bars 0-1 go (leading); of the silent bars 4..8 two stay (4, 5) and 6, 7, 8 go; bar 9
  // becomes bar 4: 9 * 1920 + 480 - (2 + 3) * 1920 = 8160.
  EXPECT_EQ(stats.leading_bars, 2u);
  EXPECT_EQ(stats.empty_bars, 3u);
  EXPECT_EQ(stats.trailing_bars, 3u);  // bars 10, 11, 12 (the controller's)
  EXPECT_EQ(stats.bars_kept, 5u);      // 2, 3, 4, 5, 9
  ASSERT_EQ(s.tracks[0].notes.size(), 3u);
  EXPECT_EQ(s.tracks[0].notes[0].time, 0);
  EXPECT_EQ(s.tracks[0].notes[1].time, kBar);
  EXPECT_EQ(s.tracks[0].notes[2].time, 4 * kBar + 480);
  EXPECT_EQ(s.tracks[0].notes[2].duration, 240);
  EXPECT_TRUE(s.tracks[0].controls.empty()) << "the controller after the last note's bar is dropped";
  // The tempo change of bar 6 lands where the silence was cut: the start of (new) bar 4.
  ASSERT_EQ(s.tempos.size(), 2u);
  EXPECT_EQ(s.tempos[0].time, 0);
  EXPECT_EQ(s.tempos[1].time, 4 * kBar);
  EXPECT_EQ(s.tempos[1].us_per_quarter, 400000);
}

TEST(DataTidy, DisabledOrShortRunsChangeNothing) {
  auto s = sparse_score();
  const auto original = s;
  const auto stats = tidy_score(s, TidyOptions{});
  EXPECT_EQ(s, original);
  EXPECT_EQ(stats.bars_kept, 0u);
  // With five empty bars allowed the inner run stays whole: only the ends are cut.
  auto t = sparse_score();
  const auto kept = tidy_score(t, tidy(5));
  EXPECT_EQ(kept.empty_bars, 0u);
  EXPECT_EQ(t.tracks[0].notes[2].time, 7 * kBar + 480);
}

TEST(DataTidy, HeldNotesAreNotSilence) {
  // A note held from bar 0 to bar 6 keeps every bar it sounds in.
  midi::Score s;
  s.ticks_per_quarter = 480;
  midi::Track t;
  t.notes = {{0, 6 * kBar, 48, 70}, {6 * kBar, 480, 60, 70}};
  s.tracks.push_back(t);
  const auto stats = tidy_score(s, tidy(0));
  EXPECT_EQ(stats.empty_bars, 0u);
  EXPECT_EQ(s.tracks[0].notes[1].time, 6 * kBar);
}

TEST(DataTidy, FollowsTimeSignatureChanges) {
  // 3/4 bars (1440 ticks) from the start; the first note in bar 3 (tick 4320); a change to
  // 4/4 at bar 5 (tick 7200) inside the silence before the second note (bar 9 of 4/4 after it:
  // 7200 + 4 * 1920 = 14880). With at most one empty bar: bar 4 stays, 5..8 go.
  midi::Score s;
  s.ticks_per_quarter = 480;
  s.time_signatures = {{0, 3, 4}, {7200, 4, 4}};
  midi::Track t;
  t.notes = {{4320, 480, 60, 70}, {14880, 480, 62, 70}};
  s.tracks.push_back(t);
  const auto stats = tidy_score(s, tidy(1));
  EXPECT_EQ(stats.leading_bars, 3u);
  EXPECT_EQ(stats.empty_bars, 4u);
  ASSERT_EQ(s.tracks[0].notes.size(), 2u);
  EXPECT_EQ(s.tracks[0].notes[0].time, 0);
  EXPECT_EQ(s.tracks[0].notes[1].time, 2 * 1440);  // bar 3 (3/4), bar 4 (3/4, kept empty), then the note
  ASSERT_EQ(s.time_signatures.size(), 2u);
  EXPECT_EQ(s.time_signatures[1].time, 2 * 1440);
  EXPECT_EQ(s.time_signatures[1].numerator, 4);
}

TEST(DataTidy, FarAwayEventsCostNothing) {
  // A second note 2^40 ticks later: the bar grid is counted, not listed.
  midi::Score s;
  s.ticks_per_quarter = 480;
  midi::Track t;
  t.notes = {{0, 480, 60, 70}, {midi::Tick(1) << 40, 480, 62, 70}};
  s.tracks.push_back(t);
  const auto stats = tidy_score(s, tidy(2));
  EXPECT_GT(stats.empty_bars, 500'000'000u);
  EXPECT_EQ(s.tracks[0].notes[1].time % kBar, ((midi::Tick(1) << 40) % kBar));
  EXPECT_LT(s.tracks[0].notes[1].time, 4 * kBar);
}

TEST(DataTidy, ImportRecordsThePreparationAndRetokenizesWhenItChanges) {
  const auto root = std::filesystem::temp_directory_path() / "harmonia_data_tidy_import";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "in");
  // Each song gets 3 silent bars in front: written shifted by three bars.
  for (int i = 0; i < 3; ++i) {
    auto song = test::synthetic_song(i, 4);
    for (auto& tr : song.tracks)
      for (auto& n : tr.notes) n.time += 3 * kBar;
    midi::write_midi_file(song, (root / "in" / ("s" + std::to_string(i) + ".mid")).string());
  }
  std::shared_ptr<const tokenizer::Tokenizer> tok = tokenizer::Tokenizer::create("REMI");
  ImportOptions plain;
  plain.input_dir = (root / "in").string();
  plain.dataset_dir = (root / "ds").string();
  const auto first = import_dataset(tok, plain);
  EXPECT_EQ(first.tokenized, 3u);
  EXPECT_EQ(read_manifest(plain.dataset_dir).preparation, "");

  ImportOptions tidied = plain;
  tidied.tidy = tidy(2);
  const auto second = import_dataset(tok, tidied);
  EXPECT_FALSE(second.from_quick_index) << "another preparation must not reuse the plain cache";
  EXPECT_EQ(second.tokenized, 3u);
  EXPECT_EQ(second.tidied.leading_bars, 9u);
  EXPECT_LT(second.total_tokens, first.total_tokens) << "three Bar tokens fewer per file";
  EXPECT_EQ(read_manifest(plain.dataset_dir).preparation, tidied.tidy.fingerprint());

  const auto third = import_dataset(tok, tidied);
  EXPECT_TRUE(third.from_quick_index);
  EXPECT_EQ(third.total_tokens, second.total_tokens);
  const auto back = import_dataset(tok, plain);
  EXPECT_EQ(back.tokenized, 3u) << "back to the plain preparation: tokenized again";
  EXPECT_EQ(back.total_tokens, first.total_tokens);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace harmonia::data
