#include "core/data/quick_index.hpp"

#include <sys/stat.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/data/atomic_file.hpp"
#include "core/data/token_cache.hpp"

namespace harmonia::data {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'H', 'M', 'Q', 'U', 'I', 'C', 'K', '1'};
// 4: per-file details (duration, notes, tracks, programs, pitches, drum pitches) in compact
// pairs (2 and 3 had no drum pitches or wide pairs); an older index is ignored, so the next
// import reads the manifest and writes a new one.
constexpr uint32_t kVersion = 4;
constexpr uint32_t kMaxString = 1u << 16;  // paths and reasons; anything longer is corruption
constexpr uint32_t kMaxPairs = 256;        // 128 pitches, 129 programs at most
// The fixed part of an entry: kind, bytes, mtime, hash, steps, duration, notes, tracks and
// the five length fields (source, note, programs, pitches, drum pitches).
constexpr size_t kMinEntryBytes = 1 + 8 * 4 + 8 + 8 + 4 + 4 * 5;

// Little-endian host layout, as the tokens file.
class Writer {
 public:
  template <class T>
  void put(T v) {
    const size_t at = out_.size();
    out_.resize(at + sizeof v);
    std::memcpy(&out_[at], &v, sizeof v);
  }
  void put_string(const std::string& s) {
    put(uint32_t(s.size()));
    out_ += s;
  }
  // (pitch or program, notes) as int16 + uint32: half the bytes of the in-memory pair, and
  // these lists are most of the index. Values that do not fit (never from a MIDI file) throw,
  // and the import then writes no index.
  void put_pairs(const std::vector<std::pair<int, uint64_t>>& pairs) {
    put(uint32_t(pairs.size()));
    for (const auto& [key, n] : pairs) {
      if (key < INT16_MIN || key > INT16_MAX || n > UINT32_MAX) throw DatasetError("quick index: count out of range");
      put(int16_t(key)), put(uint32_t(n));
    }
  }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

// Every read checks the remaining length; a short or inconsistent file just fails.
class Reader {
 public:
  Reader(const char* data, size_t size) : p_(data), end_(data + size) {}
  template <class T>
  bool get(T& v) {
    if (size_t(end_ - p_) < sizeof v) return false;
    std::memcpy(&v, p_, sizeof v);
    p_ += sizeof v;
    return true;
  }
  bool get_string(std::string& s) {
    uint32_t n = 0;
    if (!get(n) || n > kMaxString || size_t(end_ - p_) < n) return false;
    s.assign(p_, n);
    p_ += n;
    return true;
  }
  // Without `keep` the pairs are only skipped (lengths still checked): no allocation.
  bool get_pairs(std::vector<std::pair<int, uint64_t>>& pairs, bool keep) {
    uint32_t n = 0;
    if (!get(n) || n > kMaxPairs) return false;
    if (size_t(end_ - p_) < size_t(n) * 6) return false;
    if (!keep) {
      p_ += size_t(n) * 6;
      return true;
    }
    pairs.resize(n);
    for (auto& [key, count] : pairs) {
      int16_t k = 0;
      uint32_t c = 0;
      get(k), get(c);
      key = k, count = c;
    }
    return true;
  }
  bool at_end() const { return p_ == end_; }

 private:
  const char* p_;
  const char* end_;
};

bool same_stamp(const FileStamp& a, const FileStamp& b) {
  return a.bytes == b.bytes && a.mtime_ns == b.mtime_ns && a.device == b.device && a.inode == b.inode;
}

}  // namespace

std::optional<FileStamp> stat_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  FileStamp s;
  s.bytes = uint64_t(st.st_size);
  s.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000LL + int64_t(st.st_mtim.tv_nsec);
  s.device = uint64_t(st.st_dev);
  s.inode = uint64_t(st.st_ino);
  return s;
}

std::string quick_index_path(const std::string& dataset_dir) {
  return (fs::path(dataset_dir) / "quick-index.bin").string();
}

void write_quick_index(const std::string& dataset_dir, QuickIndex index) {
  const auto manifest = stat_file(manifest_path(dataset_dir));
  if (!manifest) throw DatasetError(manifest_path(dataset_dir) + ": missing right after it was written");
  index.manifest = *manifest;
  Writer w;
  w.bytes().append(kMagic, sizeof kMagic);
  w.put(kVersion);
  w.put(index.tokenizer_hash);
  w.put(index.generation);
  w.put(index.total_ids);
  w.put(index.manifest.bytes);
  w.put(index.manifest.mtime_ns);
  w.put(index.manifest.device);
  w.put(index.manifest.inode);
  w.put_string(index.tokens_file);
  w.put(uint64_t(index.entries.size()));
  for (const auto& e : index.entries) {
    w.put(uint8_t(e.kind));
    w.put(e.bytes);
    w.put(e.mtime_ns);
    w.put(e.content_hash);
    w.put(e.steps);
    w.put_string(e.source);
    w.put_string(e.note);
    w.put(e.duration_s);
    w.put(e.notes);
    w.put(e.tracks);
    w.put_pairs(e.program_notes);
    w.put_pairs(e.pitch_counts);
    w.put_pairs(e.drum_pitch_counts);
  }
  w.put(content_hash(w.bytes()));  // over everything before it
  write_file_atomically(quick_index_path(dataset_dir), w.bytes());
}

std::optional<QuickIndex> read_quick_index(const std::string& dataset_dir, bool details) {
  std::ifstream in(quick_index_path(dataset_dir), std::ios::binary | std::ios::ate);
  if (!in) return std::nullopt;
  const std::streamoff size = in.tellg();
  if (size < 0) return std::nullopt;
  std::string text(size_t(size), '\0');  // one read: a char-by-char copy cost more than parsing
  in.seekg(0);
  if (size && !in.read(text.data(), size)) return std::nullopt;
  if (text.size() < sizeof kMagic + sizeof(uint64_t) || std::memcmp(text.data(), kMagic, sizeof kMagic) != 0)
    return std::nullopt;
  const size_t body = text.size() - sizeof(uint64_t);
  uint64_t stored = 0;
  std::memcpy(&stored, text.data() + body, sizeof stored);
  if (stored != content_hash(reinterpret_cast<const uint8_t*>(text.data()), body)) return std::nullopt;

  Reader r(text.data() + sizeof kMagic, body - sizeof kMagic);
  QuickIndex index;
  uint32_t version = 0;
  uint64_t count = 0;
  if (!r.get(version) || version != kVersion || !r.get(index.tokenizer_hash) || !r.get(index.generation) ||
      !r.get(index.total_ids) || !r.get(index.manifest.bytes) || !r.get(index.manifest.mtime_ns) ||
      !r.get(index.manifest.device) || !r.get(index.manifest.inode) || !r.get_string(index.tokens_file) ||
      !r.get(count))
    return std::nullopt;
  // A count the file cannot hold is corruption.
  if (count > body / kMinEntryBytes) return std::nullopt;
  index.entries.resize(size_t(count));
  for (auto& e : index.entries) {
    uint8_t kind = 0;
    if (!r.get(kind) || kind > uint8_t(QuickKind::Duplicate) || !r.get(e.bytes) || !r.get(e.mtime_ns) ||
        !r.get(e.content_hash) || !r.get(e.steps) || !r.get_string(e.source) || !r.get_string(e.note) ||
        !r.get(e.duration_s) || !r.get(e.notes) || !r.get(e.tracks) || !r.get_pairs(e.program_notes, details) ||
        !r.get_pairs(e.pitch_counts, details) || !r.get_pairs(e.drum_pitch_counts, details))
      return std::nullopt;
    e.kind = QuickKind(kind);
  }
  if (!r.at_end()) return std::nullopt;
  if (index.tokens_file.empty() || index.tokens_file.find('/') != std::string::npos) return std::nullopt;

  // Stale as soon as the manifest it summarizes was replaced.
  const auto manifest = stat_file(manifest_path(dataset_dir));
  if (!manifest || !same_stamp(*manifest, index.manifest)) return std::nullopt;
  return index;
}

}  // namespace harmonia::data
