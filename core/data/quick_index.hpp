// The quick-check index of a dataset folder ("quick-index.bin"): for every path the last
// import found, its size, modification time, content hash, outcome (kept / rejected /
// duplicate), token count and the file's details (duration, notes, tracks, programs, pitches). A re-import whose folder lists exactly those paths with
// exactly those stamps has nothing to do, and answers from this small binary file without
// parsing the JSON manifest (which dominated a warm re-import). Anything else falls back to
// the manifest.
//
// The manifest stays the commit point: the index records the manifest's identity (device,
// inode, size, mtime) and the cache generation, and is ignored as soon as either disagrees,
// so a crash between writing the manifest and the index only costs one slow re-import.
// See docs/dataset.md ("Formats").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace harmonia::data {

// What a single stat() of a file says; enough for the make/rsync quick check.
struct FileStamp {
  uint64_t bytes = 0;
  int64_t mtime_ns = 0;
  uint64_t device = 0;
  uint64_t inode = 0;
};

// One stat() (follows symlinks). Empty when the file cannot be stat'ed.
std::optional<FileStamp> stat_file(const std::string& path);

enum class QuickKind : uint8_t { Kept = 0, Rejected = 1, Duplicate = 2 };

struct QuickEntry {
  std::string source;  // path as imported (absolute, normalized)
  QuickKind kind = QuickKind::Kept;
  uint64_t bytes = 0;
  int64_t mtime_ns = 0;
  uint64_t content_hash = 0;
  uint64_t steps = 0;  // Kept: tokens in the cache
  std::string note;    // Rejected: the reason; Duplicate: the path of the file kept
  // Kept: the manifest's per-file details, so the fast path reports what the full one does.
  double duration_s = 0;
  uint64_t notes = 0;
  int32_t tracks = 0;
  std::vector<std::pair<int, uint64_t>> program_notes;
  std::vector<std::pair<int, uint64_t>> pitch_counts;
  std::vector<std::pair<int, uint64_t>> drum_pitch_counts;
};

struct QuickIndex {
  uint64_t tokenizer_hash = 0;
  uint64_t generation = 0;  // of the manifest and tokens file it summarizes
  uint64_t total_ids = 0;
  std::string tokens_file;
  FileStamp manifest;           // manifest.json as it was when the index was written
  std::vector<QuickEntry> entries;  // in the order the import listed the files
};

std::string quick_index_path(const std::string& dataset_dir);

// Written atomically; `index.manifest` is filled here from the manifest now on disk, so call
// it right after the manifest is committed.
void write_quick_index(const std::string& dataset_dir, QuickIndex index);

// The index when it is present, intact (every length checked, checksum verified) and still
// describes the manifest on disk; empty otherwise. Never throws for a bad index. Without
// `details` the program and pitch lists are checked but left empty (a warm import that
// reports no files need not build them).
std::optional<QuickIndex> read_quick_index(const std::string& dataset_dir, bool details = true);

}  // namespace harmonia::data
