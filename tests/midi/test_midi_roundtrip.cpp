// Every real file we can find: parse, write, parse again, and compare.
#include <gtest/gtest.h>

#include "core/data/default_corpus.hpp"
#include "core/midi/midi_file.hpp"
#include "test_paths.hpp"

using namespace harmonia::midi;

namespace {

struct RoundTripCounts {
  size_t files = 0, notes = 0, failed_to_parse = 0;
};

RoundTripCounts round_trip_all(const std::vector<std::string>& files) {
  RoundTripCounts counts;
  for (const auto& path : files) {
    Score first;
    try {
      first = read_midi_file(path);
    } catch (const MidiError& e) {
      ++counts.failed_to_parse;
      continue;
    }
    const auto bytes = write_midi(first);
    const Score second = read_midi(bytes.data(), bytes.size(), path + " (rewritten)");
    EXPECT_EQ(second.note_count(), first.note_count()) << path;
    EXPECT_EQ(second.tracks.size(), first.tracks.size()) << path;
    EXPECT_TRUE(second == first) << path << ": read(write(score)) differs";
    EXPECT_DOUBLE_EQ(second.duration_seconds(), first.duration_seconds()) << path;
    ++counts.files;
    counts.notes += first.note_count();
  }
  return counts;
}

}  // namespace

TEST(MidiRoundTrip, SharedCorpora) {
  HARMONIA_REQUIRE_SHARED();
  const auto files = harmonia::data::list_midi_files((harmonia::test::shared_dir() / "data/midi").string());
  ASSERT_GE(files.size(), 300u);
  const auto counts = round_trip_all(files);
  // Only the deliberately corrupted MidiTok fixture may fail to parse.
  EXPECT_EQ(counts.failed_to_parse, 1u);
  EXPECT_EQ(counts.files, files.size() - 1);
  EXPECT_GT(counts.notes, 500000u);
}

TEST(MidiRoundTrip, DefaultCorpus) {
  const auto files = harmonia::data::default_corpus_files();
  if (files.empty()) GTEST_SKIP() << "default corpus not installed (openttd-openmsx, planetblupi-music-midi)";
  const auto counts = round_trip_all(files);
  EXPECT_EQ(counts.failed_to_parse, 0u);
  EXPECT_EQ(counts.files, files.size());
  EXPECT_GT(counts.notes, 10000u);
}

TEST(MidiRoundTrip, KnownFactsOfPop909Song) {
  HARMONIA_REQUIRE_SHARED();
  // POP909 files are three named piano tracks (MELODY, BRIDGE, PIANO) at 480 ticks per quarter.
  const auto path = harmonia::test::shared_dir() / "data/midi/pop909/001.mid";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
  MidiFileInfo info;
  const Score s = read_midi_file(path.string(), &info);
  EXPECT_EQ(info.format, 1);
  EXPECT_EQ(s.ticks_per_quarter, 480);
  std::vector<std::string> names;
  for (const auto& t : s.tracks) names.push_back(t.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "MELODY"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "PIANO"), names.end());
}
