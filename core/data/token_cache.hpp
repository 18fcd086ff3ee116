// The on-disk token cache of a dataset folder:
//   manifest.json     what is in the cache (files, sequences, offsets, tokenizer hash)
//   tokenizer.json    the tokenizer used (MidiTok format)
//   tokens-<gen>.bin  header + all token ids (int32, little endian) back to back
// The manifest is the commit point: it is written to a temporary file, fsynced and renamed
// over the old one only after the tokens file it names is complete and fsynced. A crash or
// cancel at any moment leaves either the old cache or the new one, never a mix.
// See docs/dataset.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace harmonia::data {

class DatasetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

constexpr int kCacheFormatVersion = 1;
constexpr size_t kTokenFileHeaderBytes = 32;  // "HMTOKENS", version, generation, id count

struct CachedSequence {
  uint64_t offset = 0;  // in int32 ids from the start of the id area
  uint64_t steps = 0;   // ids = steps * fields
  int program = 0;      // -1 = drums, as MidiTok's programs
  bool is_drum = false;
};

struct CachedFile {
  std::string source;  // path as imported
  uint64_t content_hash = 0;
  uint64_t bytes = 0;
  int64_t mtime_ns = 0;  // with `bytes`, lets a re-import trust the hash without reading the file
  uint64_t notes = 0;
  double duration_s = 0;
  int tracks = -1;  // tracks with notes; -1 in manifests written before it (and drum pitches) were recorded
  std::vector<CachedSequence> sequences;
  std::vector<std::pair<int, uint64_t>> pitch_counts;  // (pitch, notes), non-drum and drum together
  std::vector<std::pair<int, uint64_t>> drum_pitch_counts;  // the drum tracks' share of pitch_counts
  std::vector<std::pair<int, uint64_t>> program_notes;  // (program, notes), -1 = drums
  uint64_t steps() const;
};

// A file that could not be imported, remembered so a warm re-import need not parse it again.
struct RejectedFile {
  std::string source;
  uint64_t content_hash = 0;
  uint64_t bytes = 0;
  int64_t mtime_ns = 0;
  std::string reason;
};

struct CacheManifest {
  int version = kCacheFormatVersion;
  std::string tokenizer_name;
  uint64_t tokenizer_hash = 0;  // content_hash(tokenizer_json)
  std::string tokenizer_json;   // the tokenizer, embedded so manifest and tokenizer never disagree
  // How scores were prepared before tokenizing (TidyOptions::fingerprint(); "" = as read).
  // Part of the cache's identity: a cache made with other rules is never reused.
  std::string preparation;
  size_t fields = 1;
  std::string tokens_file;      // file name inside the dataset folder
  uint64_t generation = 0;      // also in the tokens file header: they must agree
  uint64_t total_ids = 0;
  std::vector<CachedFile> files;  // sorted by source
  std::vector<RejectedFile> rejected;
};

std::string manifest_path(const std::string& dataset_dir);
std::string tokenizer_path(const std::string& dataset_dir);

// ~165 bytes a file (909 pop909 files: 150 KB), so 256 MiB holds over a million files; a
// larger manifest.json is refused before it is read rather than allocated whole.
constexpr uint64_t kMaxManifestBytes = 256ull << 20;
// Throws DatasetError naming the file and the problem.
CacheManifest read_manifest(const std::string& dataset_dir);
// Atomic: temp file + fsync + rename + fsync of the folder.
void write_manifest(const std::string& dataset_dir, const CacheManifest& manifest);

// 64-bit content hash of a byte range (FNV-1a style over 8-byte words), stable across runs.
uint64_t content_hash(const uint8_t* data, size_t size);
uint64_t content_hash(const std::string& text);
// What identifies a cache's contents besides its files: the tokenizer and the preparation.
// Equal to the tokenizer's hash when scores are used as read (caches made before
// preparations existed keep matching).
uint64_t cache_identity(uint64_t tokenizer_hash, const std::string& tokenizer_json, const std::string& preparation);

}  // namespace harmonia::data
