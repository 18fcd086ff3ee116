// The quick-check index (quick-index.bin): a warm re-import of an unchanged folder answers
// from it exactly as the full manifest path would, reads neither the manifest nor any MIDI
// file, and a damaged, truncated or stale index is never trusted.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <cstring>
#include <fstream>
#include <mutex>

#include "core/data/import_job.hpp"
#include "core/data/quick_index.hpp"
#include "core/data/token_cache.hpp"
#include "core/data/token_dataset.hpp"
#include "data_fixtures.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using namespace harmonia;
using namespace harmonia::data;

namespace {

ImportReport run_import(const fs::path& in, const fs::path& out) {
  ImportOptions o;
  o.input_dir = in.string();
  o.dataset_dir = out.string();
  o.threads = 2;
  return import_dataset(tokenizer::Tokenizer::create("REMI"), o);
}

// A folder with good songs, broken files and a duplicate: every outcome kind.
void write_mixed_folder(const fs::path& in) {
  const auto good = test::write_songs(in, 5);
  test::write_bytes(in / "empty.mid", "");
  test::write_bytes(in / "garbage.mid", "not a MIDI file");
  test::write_bytes(in / "copy.mid", test::read_all(good[0]));
}

void expect_same_outcome(const ImportReport& a, const ImportReport& b) {
  EXPECT_EQ(a.files_found, b.files_found);
  EXPECT_EQ(a.files_in_dataset, b.files_in_dataset);
  EXPECT_EQ(a.total_tokens, b.total_tokens);
  ASSERT_EQ(a.skipped.size(), b.skipped.size());
  for (size_t i = 0; i < a.skipped.size(); ++i) {
    EXPECT_EQ(a.skipped[i].path, b.skipped[i].path);
    EXPECT_EQ(a.skipped[i].reason, b.skipped[i].reason);
  }
  ASSERT_EQ(a.duplicates.size(), b.duplicates.size());
  for (size_t i = 0; i < a.duplicates.size(); ++i) {
    EXPECT_EQ(a.duplicates[i].path, b.duplicates[i].path);
    EXPECT_EQ(a.duplicates[i].same_as, b.duplicates[i].same_as);
  }
}

// The per-file reports of one import (on_file), sorted by path: workers report in any order.
std::vector<ImportedFile> import_reporting_files(const fs::path& in, const fs::path& out, ImportReport* report = nullptr) {
  ImportOptions o;
  o.input_dir = in.string();
  o.dataset_dir = out.string();
  o.threads = 2;
  std::mutex m;
  std::vector<ImportedFile> files;
  o.on_file = [&](const ImportedFile& f) {
    std::lock_guard<std::mutex> lock(m);
    files.push_back(f);
  };
  const auto r = import_dataset(tokenizer::Tokenizer::create("REMI"), o);
  if (report) *report = r;
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return files;
}

void expect_same_files(const std::vector<ImportedFile>& a, const std::vector<ImportedFile>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i] == b[i]) << what << ": " << a[i].path << " vs " << b[i].path;
}

// Overwrites a file's bytes in place (same inode, same size) and puts its mtime back, so
// only its content differs from what a stat() saw before.
void scramble_keeping_stamp(const fs::path& path) {
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.write(std::string(size_t(before.st_size), ' ').data(), before.st_size);
  }
  const timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

}  // namespace

TEST(DataQuickIndex, WarmReimportAnswersLikeTheFullManifestPath) {
  const auto dir = test::scratch_dir("data_quick_same");
  write_mixed_folder(dir / "in");
  const auto cold = run_import(dir / "in", dir / "ds");
  ASSERT_TRUE(fs::exists(quick_index_path((dir / "ds").string())));
  EXPECT_EQ(cold.tokenized, 5u);
  EXPECT_EQ(cold.skipped.size(), 2u);
  EXPECT_EQ(cold.duplicates.size(), 1u);

  const auto fast = run_import(dir / "in", dir / "ds");
  EXPECT_EQ(fast.tokenized, 0u);
  EXPECT_EQ(fast.reused, 5u);
  expect_same_outcome(fast, cold);

  fs::remove(quick_index_path((dir / "ds").string()));  // force the manifest path
  const auto slow = run_import(dir / "in", dir / "ds");
  EXPECT_EQ(slow.tokenized, 0u);
  expect_same_outcome(slow, cold);
  EXPECT_TRUE(fs::exists(quick_index_path((dir / "ds").string()))) << "the slow path writes the index again";
}

TEST(DataQuickIndex, UnchangedFolderReadsNoManifestAndAChangeFallsBack) {
  const auto dir = test::scratch_dir("data_quick_fallback");
  const auto songs = test::write_songs(dir / "in", 4);
  run_import(dir / "in", dir / "ds");
  const auto manifest = read_manifest((dir / "ds").string());

  // The manifest's bytes are garbage but its identity is unchanged: only the fast path, which
  // never parses it, can still see a complete cache.
  const auto manifest_file = fs::path(manifest_path((dir / "ds").string()));
  const auto saved = test::read_all(manifest_file);
  scramble_keeping_stamp(manifest_file);
  const auto fast = run_import(dir / "in", dir / "ds");
  EXPECT_EQ(fast.tokenized, 0u);
  EXPECT_EQ(fast.reused, 4u);
  test::write_bytes(manifest_file, saved);  // a real manifest again (new mtime: index now stale)

  // A changed song (other content, other size) makes the import do the real work.
  midi::write_midi_file(test::synthetic_song(77, 3), songs[1].string());
  const auto changed = run_import(dir / "in", dir / "ds");
  EXPECT_EQ(changed.tokenized, 1u);
  EXPECT_EQ(changed.reused, 3u);
  EXPECT_EQ(TokenDataset::open((dir / "ds").string())->num_files(), 4u);
  const auto again = run_import(dir / "in", dir / "ds");
  EXPECT_EQ(again.tokenized, 0u);
  EXPECT_EQ(again.total_tokens, changed.total_tokens);
}

TEST(DataQuickIndex, DamagedTruncatedOrStaleIndexIsIgnored) {
  const auto dir = test::scratch_dir("data_quick_damage");
  test::write_songs(dir / "in", 3);
  run_import(dir / "in", dir / "ds");
  const std::string ds = (dir / "ds").string();
  const auto index_file = fs::path(quick_index_path(ds));
  const auto good = test::read_all(index_file);
  ASSERT_TRUE(read_quick_index(ds).has_value());
  EXPECT_EQ(read_quick_index(ds)->entries.size(), 3u);
  {  // without details: the same entries, the pitch and program lists left empty
    const auto full = *read_quick_index(ds);
    const auto bare = read_quick_index(ds, false);
    ASSERT_TRUE(bare.has_value());
    ASSERT_EQ(bare->entries.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(bare->entries[i].steps, full.entries[i].steps);
      EXPECT_EQ(bare->entries[i].tracks, full.entries[i].tracks);
      EXPECT_FALSE(full.entries[i].pitch_counts.empty());
      EXPECT_TRUE(bare->entries[i].pitch_counts.empty());
    }
  }

  for (size_t at : {size_t(9), good.size() / 2, good.size() - 1}) {  // one flipped byte anywhere
    std::string bad = good;
    bad[at] = char(bad[at] ^ 0x5a);
    test::write_bytes(index_file, bad);
    EXPECT_FALSE(read_quick_index(ds).has_value()) << "flipped byte " << at;
    EXPECT_FALSE(read_quick_index(ds, false).has_value()) << "flipped byte " << at << ", no details";
  }
  for (size_t len : {size_t(0), size_t(7), size_t(40), good.size() - 8}) {
    test::write_bytes(index_file, good.substr(0, len));
    EXPECT_FALSE(read_quick_index(ds).has_value()) << "truncated to " << len;
    EXPECT_FALSE(read_quick_index(ds, false).has_value()) << "truncated to " << len << ", no details";
  }
  // A damaged index costs only a full re-import, which gives the right answer.
  test::write_bytes(index_file, good.substr(0, good.size() / 3));
  const auto repaired = run_import(dir / "in", dir / "ds");
  EXPECT_EQ(repaired.reused, 3u);
  EXPECT_EQ(repaired.files_in_dataset, 3u);

  // Stale: an index from before the manifest was replaced is not trusted even if intact.
  const auto old_index = test::read_all(index_file);
  test::write_songs(dir / "in" / "more", 1, 8, 40);
  run_import(dir / "in", dir / "ds");
  test::write_bytes(index_file, old_index);
  EXPECT_FALSE(read_quick_index(ds).has_value());
  const auto after = run_import(dir / "in", dir / "ds");
  EXPECT_EQ(after.files_in_dataset, 4u);
  EXPECT_EQ(after.tokenized, 0u);
}

TEST(DataQuickIndex, FastPathReportsTheSamePerFileDetailsAsTheFullPath) {
  const auto dir = test::scratch_dir("data_quick_details");
  write_mixed_folder(dir / "in");
  ImportReport cold_report;
  const auto cold = import_reporting_files(dir / "in", dir / "ds", &cold_report);
  ASSERT_EQ(cold_report.tokenized, 5u);
  ASSERT_EQ(cold.size(), 8u) << "every file reported once";
  size_t kept = 0, skipped = 0, duplicates = 0;
  for (const auto& f : cold) {
    const auto name = fs::path(f.path).filename().string();
    if (f.outcome == FileOutcome::Kept) {
      ++kept;
      // synthetic_song: a piano note and a kick per beat, 4 beats a bar, two tracks.
      EXPECT_EQ(f.tracks, 2) << name;
      EXPECT_EQ(f.notes % 8, 0u) << name;
      EXPECT_GT(f.tokens, f.notes) << name;
      EXPECT_GT(f.duration_s, 0.0) << name;
      ASSERT_EQ(f.program_notes.size(), 2u) << name;
      EXPECT_EQ(f.program_notes[0], (std::pair<int, uint64_t>(-1, f.notes / 2))) << name;
      uint64_t pitched = 0;
      for (const auto& [p, n] : f.pitch_counts) pitched += n;
      EXPECT_EQ(pitched, f.notes) << name;
      EXPECT_EQ(f.drum_pitch_counts, (std::vector<std::pair<int, uint64_t>>{{36, f.notes / 2}})) << name;  // kicks
    } else if (f.outcome == FileOutcome::Skipped) {
      ++skipped;
      EXPECT_FALSE(f.reason.empty()) << name;
      EXPECT_EQ(f.notes, 0u);
      if (name == "empty.mid") EXPECT_EQ(f.reason, "empty file");
    } else {
      ++duplicates;
      EXPECT_TRUE(fs::path(f.reason).filename() == "copy.mid" || fs::path(f.reason).filename() == "song0.mid");
    }
  }
  EXPECT_EQ(kept, 5u);
  EXPECT_EQ(skipped, 2u);
  EXPECT_EQ(duplicates, 1u);

  // Fast path, proved by a manifest whose bytes are garbage but whose stamp is unchanged:
  // only the quick index can answer, and it must answer with the same details.
  const auto manifest_file = fs::path(manifest_path((dir / "ds").string()));
  const auto saved = test::read_all(manifest_file);
  scramble_keeping_stamp(manifest_file);
  ImportReport fast_report;
  const auto fast = import_reporting_files(dir / "in", dir / "ds", &fast_report);
  EXPECT_EQ(fast_report.reused, 5u);
  EXPECT_TRUE(fast_report.from_quick_index);
  EXPECT_FALSE(cold_report.from_quick_index);
  expect_same_files(fast, cold, "fast path");

  // The manifest path (files reused from the cache) reports them the same way too.
  test::write_bytes(manifest_file, saved);  // new mtime: the index is stale now
  ImportReport slow_report;
  const auto slow = import_reporting_files(dir / "in", dir / "ds", &slow_report);
  EXPECT_EQ(slow_report.tokenized, 0u);
  EXPECT_EQ(slow_report.reused, 5u);
  EXPECT_FALSE(slow_report.from_quick_index);
  expect_same_files(slow, cold, "manifest path");
}

TEST(DataQuickIndex, IndexOfAnotherVersionIsIgnored) {
  const auto dir = test::scratch_dir("data_quick_version");
  test::write_songs(dir / "in", 2);
  run_import(dir / "in", dir / "ds");
  const std::string ds = (dir / "ds").string();
  const auto index_file = fs::path(quick_index_path(ds));
  ASSERT_TRUE(read_quick_index(ds).has_value());
  // An older version (1: no per-file details, 2: no drum pitches, 3: wide pairs) with a valid
  // checksum: well formed, but not this format.
  const std::string current = test::read_all(index_file);
  for (uint32_t version : {1u, 2u, 3u}) {
    std::string old = current;
    std::memcpy(&old[8], &version, sizeof version);
    const uint64_t sum = content_hash(reinterpret_cast<const uint8_t*>(old.data()), old.size() - 8);
    std::memcpy(&old[old.size() - 8], &sum, sizeof sum);
    test::write_bytes(index_file, old);
    EXPECT_FALSE(read_quick_index(ds).has_value()) << "version " << version;
  }
  test::write_bytes(index_file, current);
  EXPECT_TRUE(read_quick_index(ds).has_value());
}

TEST(DataQuickIndex, CacheWithoutTrackCountsIsTokenizedAgain) {
  // A manifest written before tracks were recorded cannot report them: its files are
  // tokenized again (once), and then report what a fresh import does.
  const auto dir = test::scratch_dir("data_quick_old_manifest");
  test::write_songs(dir / "in", 3);
  const auto fresh = import_reporting_files(dir / "in", dir / "ds");
  auto manifest = read_manifest((dir / "ds").string());
  for (auto& f : manifest.files) f.tracks = -1;
  write_manifest((dir / "ds").string(), manifest);
  {  // and one without "drum_pitches" (recorded with tracks) reads as lacking them too
    const auto path = fs::path(manifest_path((dir / "ds").string()));
    std::string text = test::read_all(path);
    const auto at = text.find(",\"drum_pitches\"");
    ASSERT_NE(at, std::string::npos);
    std::string cut = text.substr(0, at) + text.substr(text.find('}', at));
    cut.replace(cut.find("\"tracks\":-1"), 11, "\"tracks\":2");
    test::write_bytes(path, cut);
    const auto partial = read_manifest((dir / "ds").string());
    EXPECT_EQ(partial.files[0].tracks, -1) << "no drum_pitches: details incomplete";
    EXPECT_EQ(partial.files[1].tracks, -1);
  }
  ImportReport report;
  const auto again = import_reporting_files(dir / "in", dir / "ds", &report);
  EXPECT_EQ(report.tokenized, 3u);
  expect_same_files(again, fresh, "re-tokenized");
  for (const auto& f : read_manifest((dir / "ds").string()).files) EXPECT_EQ(f.tracks, 2);
}
