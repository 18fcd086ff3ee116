// Chunking: windows cover each sequence, respect max_seq_len/stride/min_len, carry BOS/EOS,
// and end on bar starts when the scheme has bars.
#include <gtest/gtest.h>

#include "core/data/chunking.hpp"
#include "core/data/import_job.hpp"
#include "data_fixtures.hpp"
#include "test_paths.hpp"

using namespace harmonia;
using namespace harmonia::data;

namespace {

ChunkOptions opts(size_t len, size_t stride = 0, size_t min_len = 1, bool bos = true) {
  ChunkOptions o;
  o.max_seq_len = len;
  o.stride = stride;
  o.min_len = min_len;
  o.add_bos_eos = bos;
  return o;
}

std::shared_ptr<TokenDataset> import_songs(const std::string& name, const std::string& scheme, int songs, int bars) {
  const auto dir = test::scratch_dir(name);
  test::write_songs(dir / "in", songs, bars);
  ImportOptions o;
  o.input_dir = (dir / "in").string();
  o.dataset_dir = (dir / "ds").string();
  import_dataset(tokenizer::Tokenizer::create(scheme), o);
  return TokenDataset::open(o.dataset_dir);
}

}  // namespace

TEST(DataChunking, NonOverlappingWindowsTileTheSequence) {
  // 600 steps + BOS + EOS = 602 virtual positions -> 256, 256, 90.
  const auto w = chunk_sequence({0, 0}, 600, {}, opts(256, 0, 32));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].begin, 0u);
  EXPECT_EQ(w[0].end, 256u);
  EXPECT_EQ(w[1].begin, 256u);
  EXPECT_EQ(w[2].end, 602u);
  // A tail shorter than min_len is dropped.
  const auto short_tail = chunk_sequence({0, 0}, 530, {}, opts(256, 0, 32));  // 532 = 256+256+20
  ASSERT_EQ(short_tail.size(), 2u);
  EXPECT_EQ(short_tail[1].end, 512u);
  // A whole sequence under min_len gives nothing.
  EXPECT_TRUE(chunk_sequence({0, 0}, 10, {}, opts(256, 0, 32)).empty());
}

TEST(DataChunking, StrideGivesOverlap) {
  const auto w = chunk_sequence({0, 0}, 98, {}, opts(40, 30, 1));  // 100 positions
  ASSERT_GE(w.size(), 3u);
  for (size_t i = 0; i + 1 < w.size(); ++i) {
    EXPECT_EQ(w[i + 1].begin, w[i].begin + 30);
    EXPECT_EQ(w[i].length(), 40u);
  }
  EXPECT_EQ(w.back().end, 100u);
}

TEST(DataChunking, CutsPreferBarStarts) {
  // Bars every 24 steps; windows of 64 (with BOS: bar b sits at virtual b + 1).
  std::vector<uint32_t> bars;
  for (uint32_t b = 0; b < 300; b += 24) bars.push_back(b);
  auto o = opts(64, 0, 1);
  const auto w = chunk_sequence({0, 0}, 300, bars, o);
  ASSERT_GT(w.size(), 4u);
  for (size_t i = 0; i + 1 < w.size(); ++i) {
    EXPECT_LE(w[i].length(), 64u);
    EXPECT_GT(w[i].length(), 32u);
    EXPECT_EQ((w[i].end - 1) % 24, 0u) << "window " << i << " ends mid-bar at " << w[i].end;
    EXPECT_EQ(w[i + 1].begin, w[i].end);  // still no gap, no overlap
  }
  o.cut_at_bars = false;
  EXPECT_EQ(chunk_sequence({0, 0}, 300, bars, o)[0].end, 64u);
}

TEST(DataChunking, BadOptionsAreRefused) {
  EXPECT_THROW(chunk_sequence({0, 0}, 10, {}, opts(2)), DatasetError);        // no room besides BOS/EOS
  EXPECT_THROW(chunk_sequence({0, 0}, 10, {}, opts(16, 17)), DatasetError);   // stride > length
}

TEST(DataChunking, RealDatasetWindowsCarryBosEosAndBars) {
  auto ds = import_songs("data_chunk_remi", "REMI", 3, 40);
  const auto& tok = ds->tokenizer();
  const int bos = tok.vocab().id("BOS_None"), eos = tok.vocab().id("EOS_None"), bar = tok.vocab().id("Bar_None");
  std::vector<size_t> all(ds->num_files());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  const auto o = opts(128, 0, 1);  // keep short tails: every EOS must show up
  const auto windows = chunk_files(*ds, all, o);
  ASSERT_GT(windows.size(), 6u);
  size_t starts_with_bos = 0, ends_with_eos = 0;
  for (const auto& w : windows) {
    const auto ids = window_ids(*ds, w, o);
    ASSERT_EQ(ids.size(), w.length());
    ASSERT_LE(ids.size(), 128u);
    if (ids.front() == bos) ++starts_with_bos;
    if (ids.back() == eos) ++ends_with_eos;
    // Every window after a sequence's first starts on a bar.
    if (w.begin > 0) {
      EXPECT_EQ(ids.front(), bar) << "window at " << w.begin;
    }
  }
  const size_t sequences = ds->sequences_of(all).size();
  EXPECT_EQ(starts_with_bos, sequences);
  EXPECT_EQ(ends_with_eos, sequences);
}

TEST(DataChunking, OctupleBarsComeFromBarNumbers) {
  auto ds = import_songs("data_chunk_octuple", "Octuple", 1, 12);
  const auto& seq = ds->files()[0].sequences[0];
  const auto bars = bar_starts(ds->tokenizer(), ds->ids(seq), seq.steps);
  EXPECT_EQ(bars.size(), 12u);  // one per bar of the song
  ASSERT_FALSE(bars.empty());
  EXPECT_EQ(bars[0], 0u);
}

TEST(DataChunking, WindowsWithTooFewNotesAreDroppedAndCounted) {
  // A song with two bars of notes, 40 silent bars, two bars of notes: REMI writes a Bar token
  // for every silent bar, so the windows in the middle hold no note at all.
  const auto dir = test::scratch_dir("chunk_min_notes");
  auto song = test::synthetic_song(1, 4, false);
  for (auto& n : song.tracks[0].notes)
    if (n.time >= 2 * 1920) n.time += 40 * 1920;
  song.sort_events();
  std::filesystem::create_directories(dir / "in");
  midi::write_midi_file(song, (dir / "in" / "gap.mid").string());
  ImportOptions o;
  o.input_dir = (dir / "in").string();
  o.dataset_dir = (dir / "ds").string();
  import_dataset(tokenizer::Tokenizer::create("REMI"), o);
  const auto ds = TokenDataset::open(o.dataset_dir);

  auto all_opts = opts(12, 0, 1);
  all_opts.cut_at_bars = false;
  ChunkStats all_stats;
  const auto all = chunk_files(*ds, {0}, all_opts, &all_stats);
  auto some_opts = all_opts;
  some_opts.min_notes = 2;
  ChunkStats stats;
  const auto kept = chunk_files(*ds, {0}, some_opts, &stats);
  EXPECT_EQ(all_stats.dropped_few_notes, 0u);
  EXPECT_EQ(all_stats.windows, all.size());
  EXPECT_GE(stats.dropped_few_notes, 3u) << "40 Bar tokens fill at least three 12-token windows";
  EXPECT_EQ(stats.windows, kept.size());
  EXPECT_EQ(stats.windows + stats.dropped_few_notes, all.size());
  for (const auto& w : kept) {
    const auto ids = window_ids(*ds, w, some_opts);
    EXPECT_GE(count_notes(ds->tokenizer(), ids.data(), 0, ids.size()), 2u);
  }
}
