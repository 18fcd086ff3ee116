#include "core/data/token_cache.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/data/atomic_file.hpp"

namespace harmonia::data {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

uint64_t CachedFile::steps() const {
  uint64_t n = 0;
  for (const auto& s : sequences) n += s.steps;
  return n;
}

std::string manifest_path(const std::string& dataset_dir) { return (fs::path(dataset_dir) / "manifest.json").string(); }
std::string tokenizer_path(const std::string& dataset_dir) { return (fs::path(dataset_dir) / "tokenizer.json").string(); }

uint64_t content_hash(const uint8_t* data, size_t size) {
  // FNV-1a over 8-byte words with a final avalanche: fast enough that hashing a file costs
  // far less than reading it, and the length is mixed in so prefixes differ.
  constexpr uint64_t kPrime = 0x100000001b3ULL;
  uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t(size) * 0x9e3779b97f4a7c15ULL);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    h = (h ^ w) * kPrime;
    h ^= h >> 29;
  }
  for (; i < size; ++i) h = (h ^ data[i]) * kPrime;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t content_hash(const std::string& text) {
  return content_hash(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

namespace {

// 64-bit values as hex strings: JSON numbers lose precision above 2^53 in most readers.
std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

uint64_t parse_hex64(const ordered_json& j, const char* key) {
  const std::string s = j.at(key).get<std::string>();
  if (s.size() != 16 || s.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw DatasetError(std::string("bad hexadecimal value for \"") + key + "\": " + s);
  return std::stoull(s, nullptr, 16);
}

// Per-file lists are stored as compact strings ("36:140 38:12"): a manifest of thousands of
// files then parses in milliseconds, which is what makes a warm re-import cheap.
std::string pairs_to_text(const std::vector<std::pair<int, uint64_t>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out += ' ';
    out += std::to_string(k) + ':' + std::to_string(v);
  }
  return out;
}

std::vector<std::pair<int, uint64_t>> pairs_from_text(const std::string& text) {
  std::vector<std::pair<int, uint64_t>> out;
  const char* p = text.c_str();
  while (*p) {
    char* end = nullptr;
    const long k = std::strtol(p, &end, 10);
    if (end == p || *end != ':') throw DatasetError("bad count list \"" + text + "\"");
    p = end + 1;
    const unsigned long long v = std::strtoull(p, &end, 10);
    if (end == p) throw DatasetError("bad count list \"" + text + "\"");
    out.emplace_back(int(k), uint64_t(v));
    p = end;
    while (*p == ' ') ++p;
  }
  return out;
}

// "offset,steps,program,drum" per sequence, space separated.
std::string sequences_to_text(const std::vector<CachedSequence>& seqs) {
  std::string out;
  for (const auto& s : seqs) {
    if (!out.empty()) out += ' ';
    out += std::to_string(s.offset) + ',' + std::to_string(s.steps) + ',' + std::to_string(s.program) + ',' +
           (s.is_drum ? '1' : '0');
  }
  return out;
}

std::vector<CachedSequence> sequences_from_text(const std::string& text) {
  std::vector<CachedSequence> out;
  const char* p = text.c_str();
  auto fail = [&] { return DatasetError("bad sequence list \"" + text.substr(0, 80) + "\""); };
  while (*p) {
    CachedSequence s;
    char* end = nullptr;
    s.offset = std::strtoull(p, &end, 10);
    if (end == p || *end != ',') throw fail();
    p = end + 1;
    s.steps = std::strtoull(p, &end, 10);
    if (end == p || *end != ',') throw fail();
    p = end + 1;
    s.program = int(std::strtol(p, &end, 10));
    if (end == p || *end != ',') throw fail();
    p = end + 1;
    if (*p != '0' && *p != '1') throw fail();
    s.is_drum = *p == '1';
    ++p;
    out.push_back(s);
    while (*p == ' ') ++p;
  }
  return out;
}

}  // namespace

CacheManifest read_manifest(const std::string& dataset_dir) {
  const std::string path = manifest_path(dataset_dir);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DatasetError(path + ": no dataset here (manifest.json missing); run `harmonia dataset import` first");
  // One read, then parse from memory: nlohmann's istream adapter reads a character at a time
  // and made this the slowest part of a warm re-import.
  std::string text;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw DatasetError(path + ": cannot read");
  if (uint64_t(size) > kMaxManifestBytes)
    throw DatasetError(path + ": " + std::to_string(size) + " bytes, larger than any dataset manifest (limit " +
                       std::to_string(kMaxManifestBytes >> 20) + " MiB); re-import the folder");
  text.resize(size_t(size));
  in.seekg(0);
  if (size && !in.read(text.data(), size)) throw DatasetError(path + ": cannot read");
  CacheManifest m;
  try {
    const ordered_json j = ordered_json::parse(text);
    m.version = j.at("format_version").get<int>();
    if (m.version != kCacheFormatVersion)
      throw DatasetError("format version " + std::to_string(m.version) + " (this build reads " +
                         std::to_string(kCacheFormatVersion) + "); re-import the folder");
    m.tokenizer_name = j.at("tokenizer").get<std::string>();
    m.tokenizer_hash = parse_hex64(j, "tokenizer_hash");
    m.tokenizer_json = j.at("tokenizer_config").dump();
    if (content_hash(m.tokenizer_json) != m.tokenizer_hash) throw DatasetError("tokenizer_config does not match its hash");
    m.preparation = j.value("preparation", std::string());
    m.fields = j.at("fields").get<size_t>();
    if (m.fields < 1) throw DatasetError("fields must be >= 1");
    m.tokens_file = j.at("tokens_file").get<std::string>();
    if (m.tokens_file.find('/') != std::string::npos) throw DatasetError("tokens_file must be a plain file name");
    m.generation = parse_hex64(j, "generation");
    m.total_ids = j.at("total_ids").get<uint64_t>();
    for (const auto& f : j.at("files")) {
      CachedFile cf;
      cf.source = f.at("source").get<std::string>();
      cf.content_hash = parse_hex64(f, "hash");
      cf.bytes = f.at("bytes").get<uint64_t>();
      cf.mtime_ns = f.value("mtime_ns", int64_t(0));
      cf.notes = f.at("notes").get<uint64_t>();
      cf.duration_s = f.at("duration_s").get<double>();
      cf.tracks = f.value("tracks", -1);  // optional: older caches lack it
      cf.sequences = sequences_from_text(f.at("sequences").get_ref<const std::string&>());
      for (const auto& cs : cf.sequences)
        if (cs.offset + cs.steps * m.fields > m.total_ids)
          throw DatasetError("sequence of " + cf.source + " lies outside the tokens file");
      cf.pitch_counts = pairs_from_text(f.at("pitches").get_ref<const std::string&>());
      cf.program_notes = pairs_from_text(f.at("programs").get_ref<const std::string&>());
      // Recorded together with "tracks": an entry without both is tokenized again on import.
      if (f.contains("drum_pitches"))
        cf.drum_pitch_counts = pairs_from_text(f.at("drum_pitches").get_ref<const std::string&>());
      else
        cf.tracks = -1;
      m.files.push_back(std::move(cf));
    }
    for (const auto& r : j.at("rejected")) {
      m.rejected.push_back({r.at("source").get<std::string>(), parse_hex64(r, "hash"), r.value("bytes", uint64_t(0)),
                            r.value("mtime_ns", int64_t(0)), r.at("reason").get<std::string>()});
    }
  } catch (const DatasetError& e) {
    throw DatasetError(path + ": " + e.what());
  } catch (const std::exception& e) {
    throw DatasetError(path + ": not a valid dataset manifest (" + e.what() + ")");
  }
  return m;
}

void write_manifest(const std::string& dataset_dir, const CacheManifest& m) {
  ordered_json j;
  j["format_version"] = m.version;
  j["tokenizer"] = m.tokenizer_name;
  j["tokenizer_hash"] = hex64(m.tokenizer_hash);
  j["tokenizer_config"] = ordered_json::parse(m.tokenizer_json);
  if (!m.preparation.empty()) j["preparation"] = m.preparation;
  j["fields"] = m.fields;
  j["tokens_file"] = m.tokens_file;
  j["generation"] = hex64(m.generation);
  j["total_ids"] = m.total_ids;
  ordered_json files = ordered_json::array();
  for (const auto& f : m.files) {
    files.push_back({{"source", f.source},
                     {"hash", hex64(f.content_hash)},
                     {"bytes", f.bytes},
                     {"mtime_ns", f.mtime_ns},
                     {"notes", f.notes},
                     {"duration_s", f.duration_s},
                     {"tracks", f.tracks},
                     {"tokens", f.steps()},
                     {"sequences", sequences_to_text(f.sequences)},
                     {"pitches", pairs_to_text(f.pitch_counts)},
                     {"programs", pairs_to_text(f.program_notes)},
                     {"drum_pitches", pairs_to_text(f.drum_pitch_counts)}});
  }
  j["files"] = std::move(files);
  ordered_json rejected = ordered_json::array();
  for (const auto& r : m.rejected) rejected.push_back({{"source", r.source},
                                                       {"hash", hex64(r.content_hash)},
                                                       {"bytes", r.bytes},
                                                       {"mtime_ns", r.mtime_ns},
                                                       {"reason", r.reason}});
  j["rejected"] = std::move(rejected);
  write_file_atomically(manifest_path(dataset_dir), j.dump() + "\n");
}

uint64_t cache_identity(uint64_t tokenizer_hash, const std::string& tokenizer_json, const std::string& preparation) {
  return preparation.empty() ? tokenizer_hash : content_hash(tokenizer_json + "\n" + preparation);
}

}  // namespace harmonia::data
