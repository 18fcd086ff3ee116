#include "core/data/import_job.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <unordered_map>

#include "core/data/atomic_file.hpp"
#include "core/data/dataset_lock.hpp"
#include "core/data/default_corpus.hpp"
#include "core/data/mapped_file.hpp"
#include "core/data/quick_index.hpp"
#include "core/data/score_tidy.hpp"
#include "core/data/token_cache.hpp"
#include "core/data/token_file_format.hpp"
#include "core/midi/midi_file.hpp"
#include "core/tokenizer/score_loader.hpp"

namespace harmonia::data {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Whole file into memory (one file at a time per worker). Empty optional + reason on failure.
std::optional<std::vector<uint8_t>> read_bytes(const std::string& path, std::string& reason) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    reason = "cannot read: " + ec.message();
    return std::nullopt;
  }
  if (size > midi::kMaxMidiFileBytes) {
    reason = "file too large for a MIDI file (" + std::to_string(size) + " bytes)";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes(size);
  if (!in || (size && !in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size)))) {
    reason = "cannot read the file";
    return std::nullopt;
  }
  return bytes;
}

// The previous cache of the dataset folder, when it is valid and made with this tokenizer.
struct PreviousCache {
  CacheManifest manifest;
  MappedFile tokens;
  std::unordered_map<uint64_t, size_t> file_by_hash;
  std::unordered_map<uint64_t, size_t> rejected_by_hash;
  struct Stamp {
    uint64_t bytes;
    int64_t mtime_ns;
    uint64_t hash;
  };
  std::unordered_map<std::string, Stamp> stamp_by_path;  // what each path was at the last import
};

// The tokens file holds what its manifest says: right header, generation and length.
bool tokens_header_matches(const uint8_t* data, uint64_t size, uint64_t generation, uint64_t total_ids) {
  TokenFileHeader h;
  if (size < sizeof h) return false;
  std::memcpy(&h, data, sizeof h);
  return header_magic_ok(h) && h.generation == generation && h.ids == total_ids && size == sizeof h + h.ids * 4;
}

bool tokens_file_intact(const std::string& path, uint64_t generation, uint64_t total_ids) {
  const auto stamp = stat_file(path);
  std::ifstream in(path, std::ios::binary);
  uint8_t header[sizeof(TokenFileHeader)];
  if (!stamp || !in || !in.read(reinterpret_cast<char*>(header), sizeof header)) return false;
  return tokens_header_matches(header, stamp->bytes, generation, total_ids);
}

std::optional<PreviousCache> load_previous(const std::string& dir, uint64_t tokenizer_hash,
                                           const std::string& preparation) {
  if (!fs::exists(manifest_path(dir))) return std::nullopt;
  try {
    PreviousCache prev;
    prev.manifest = read_manifest(dir);
    if (prev.manifest.tokenizer_hash != tokenizer_hash || prev.manifest.preparation != preparation) return std::nullopt;
    prev.tokens = MappedFile((fs::path(dir) / prev.manifest.tokens_file).string());
    if (!tokens_header_matches(prev.tokens.data(), prev.tokens.size(), prev.manifest.generation,
                               prev.manifest.total_ids))
      return std::nullopt;
    // A file recorded before tracks and drum pitches were (tracks < 0) is tokenized again: a
    // reused file must report the same details as a newly tokenized one.
    for (size_t i = 0; i < prev.manifest.files.size(); ++i)
      if (prev.manifest.files[i].tracks >= 0) prev.file_by_hash[prev.manifest.files[i].content_hash] = i;
    for (size_t i = 0; i < prev.manifest.rejected.size(); ++i)
      prev.rejected_by_hash[prev.manifest.rejected[i].content_hash] = i;
    for (const auto& f : prev.manifest.files)
      if (f.mtime_ns && f.tracks >= 0) prev.stamp_by_path[f.source] = {f.bytes, f.mtime_ns, f.content_hash};
    for (const auto& r : prev.manifest.rejected)
      if (r.mtime_ns) prev.stamp_by_path[r.source] = {r.bytes, r.mtime_ns, r.content_hash};
    return prev;
  } catch (const DatasetError&) {
    return std::nullopt;  // an unreadable old cache is simply rebuilt
  }
}

enum class Outcome { Pending, Tokenize, Reused, Duplicate, Skipped, Done };

struct FileSlot {
  std::string path;
  uint64_t hash = 0;
  uint64_t bytes = 0;
  int64_t mtime_ns = 0;
  Outcome outcome = Outcome::Pending;
  std::string reason;            // Skipped
  size_t same_as = 0;            // Duplicate: index of the kept file
  std::optional<CachedFile> entry;  // Reused / Done
};

std::string relative_or_absolute(const std::string& path) { return fs::absolute(path).lexically_normal().string(); }

ImportedFile kept_file(const std::string& path, const CachedFile& f) {
  ImportedFile r;
  r.path = path;
  r.tokens = f.steps(), r.duration_s = f.duration_s, r.notes = f.notes, r.tracks = f.tracks;
  r.program_notes = f.program_notes, r.pitch_counts = f.pitch_counts, r.drum_pitch_counts = f.drum_pitch_counts;
  return r;
}

ImportedFile not_kept_file(const std::string& path, FileOutcome outcome, const std::string& reason) {
  ImportedFile r;
  r.path = path, r.outcome = outcome, r.reason = reason;
  return r;
}

ImportedFile file_from_quick(const QuickEntry& e) {
  if (e.kind == QuickKind::Rejected) return not_kept_file(e.source, FileOutcome::Skipped, e.note);
  if (e.kind == QuickKind::Duplicate) return not_kept_file(e.source, FileOutcome::Duplicate, e.note);
  ImportedFile r;
  r.path = e.source;
  r.tokens = e.steps, r.duration_s = e.duration_s, r.notes = e.notes, r.tracks = e.tracks;
  r.program_notes = e.program_notes, r.pitch_counts = e.pitch_counts, r.drum_pitch_counts = e.drum_pitch_counts;
  return r;
}

}  // namespace

struct ImportJob::State {
  std::atomic<size_t> total{0}, done{0}, tokenized{0}, reused{0}, skipped{0};
  Clock::time_point started = Clock::now();
  std::atomic<int64_t> tokenize_started_ns{0};
  std::atomic<size_t> to_tokenize{0};
  std::mutex result_mutex;
  ImportReport report;
  std::exception_ptr error;
};

ImportJob::ImportJob(std::shared_ptr<const tokenizer::Tokenizer> tokenizer, ImportOptions options)
    : tokenizer_(std::move(tokenizer)), options_(std::move(options)), state_(std::make_unique<State>()) {
  if (!tokenizer_) throw DatasetError("import: no tokenizer given");
}

ImportJob::~ImportJob() {
  if (thread_.joinable()) {
    cancel();
    thread_.join();
  }
}

void ImportJob::start() {
  if (thread_.joinable() || finished_) throw DatasetError("import job already started");
  state_->started = Clock::now();
  thread_ = std::thread([this] {
    try {
      run();
    } catch (...) {
      state_->error = std::current_exception();
    }
    finished_ = true;
    if (options_.on_progress) {
      try {
        options_.on_progress(progress());
      } catch (...) {
      }
    }
  });
}

void ImportJob::cancel() { cancel_ = true; }

ImportProgress ImportJob::progress() const {
  const State& s = *state_;
  ImportProgress p;
  p.total = s.total;
  p.done = s.done;
  p.tokenized = s.tokenized;
  p.reused = s.reused;
  p.skipped = s.skipped;
  p.finished = finished_;
  const auto now = Clock::now();
  p.elapsed_s = std::chrono::duration<double>(now - s.started).count();
  // ETA from the tokenization rate: hashing and cache hits are nearly free.
  const int64_t t0 = s.tokenize_started_ns;
  const size_t todo = s.to_tokenize;
  if (t0 > 0 && p.tokenized > 0 && todo >= p.tokenized) {
    const double since = std::chrono::duration<double>(now.time_since_epoch()).count() - double(t0) * 1e-9;
    p.eta_s = since / double(p.tokenized) * double(todo - p.tokenized);
  } else if (p.finished) {
    p.eta_s = 0;
  }
  return p;
}

ImportReport ImportJob::wait() {
  if (thread_.joinable()) thread_.join();
  if (state_->error) std::rethrow_exception(state_->error);
  return state_->report;
}

ImportReport import_dataset(std::shared_ptr<const tokenizer::Tokenizer> tokenizer, ImportOptions options) {
  ImportJob job(std::move(tokenizer), std::move(options));
  job.start();
  return job.wait();
}

namespace {

// Runs fn(i) for i in [0, n) on `threads` threads, each pulling the next index, until done or
// cancelled. The first exception thrown by fn stops the others and is rethrown.
template <class Fn>
void parallel_for(size_t n, int threads, const std::atomic<bool>& cancel, Fn fn) {
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (;;) {
      if (cancel || failed) return;
      const size_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  const size_t count = std::max<size_t>(1, std::min<size_t>(size_t(threads), n));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < count; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

// Parse + tokenize one file's bytes into a cache entry (ids written through `append`).
// Returns an empty reason on success.
template <class Append>
std::string tokenize_file(const tokenizer::Tokenizer& tok, const TidyOptions& tidy, const std::vector<uint8_t>& bytes,
                          const std::string& path, CachedFile& entry, TidyStats& tidied, Append append) {
  midi::Score score;
  try {
    score = tokenizer::load_score_for_tokenizer(bytes.data(), bytes.size(), path);
  } catch (const midi::MidiError& e) {
    return std::string("not a valid MIDI file: ") + e.problem() + " (byte " + std::to_string(e.offset()) + ")";
  } catch (const std::exception& e) {
    return std::string("cannot parse: ") + e.what();
  }
  if (score.note_count() == 0) return "no notes";
  tidied = tidy_score(score, tidy);
  entry.notes = score.note_count();
  entry.duration_s = score.duration_seconds();
  std::map<int, uint64_t> pitches, programs, drum_pitches;
  entry.tracks = 0;
  for (const auto& track : score.tracks) {
    for (const auto& n : track.notes) ++pitches[n.pitch];
    if (track.is_drum)
      for (const auto& n : track.notes) ++drum_pitches[n.pitch];
    if (!track.notes.empty()) programs[track.is_drum ? -1 : track.program] += track.notes.size(), ++entry.tracks;
  }
  entry.pitch_counts.assign(pitches.begin(), pitches.end());
  entry.program_notes.assign(programs.begin(), programs.end());
  entry.drum_pitch_counts.assign(drum_pitches.begin(), drum_pitches.end());
  tokenizer::Encoding enc;
  try {
    enc = tok.encode(score);
  } catch (const std::exception& e) {
    return std::string("cannot tokenize: ") + e.what();
  }
  const bool per_track = !tok.one_token_stream() && enc.sequences.size() == enc.programs.size();
  std::vector<CachedSequence> seqs;
  for (size_t i = 0; i < enc.sequences.size(); ++i) {
    const auto& s = enc.sequences[i];
    if (s.steps() == 0) continue;
    CachedSequence cs;
    cs.steps = s.steps();
    if (per_track) {
      cs.program = enc.programs[i].first;
      cs.is_drum = enc.programs[i].second;
    }
    seqs.push_back(cs);
  }
  if (seqs.empty()) return "no tokens (nothing the tokenizer can represent)";
  // One locked append per file keeps a file's sequences contiguous.
  size_t k = 0;
  std::vector<const tokenizer::TokSequence*> nonempty;
  for (const auto& s : enc.sequences)
    if (s.steps()) nonempty.push_back(&s);
  const uint64_t base = append(nonempty);
  uint64_t offset = base;
  for (auto& cs : seqs) {
    cs.offset = offset;
    offset += nonempty[k++]->ids.size();
  }
  entry.sequences = std::move(seqs);
  return {};
}

// The warm re-import's fast path: the folder lists exactly the paths of the last import, in
// the same order, each with the size and mtime recorded then, and the tokens file is intact:
// every outcome is what it was, so the cache is already right and nothing is read.
bool quick_index_matches(const QuickIndex& q, const std::string& dataset_dir, std::vector<FileSlot>& slots,
                         int threads, const std::atomic<bool>& cancel) {
  if (q.entries.size() != slots.size()) return false;
  for (size_t i = 0; i < slots.size(); ++i)
    if (q.entries[i].source != slots[i].path) return false;
  if (!tokens_file_intact((fs::path(dataset_dir) / q.tokens_file).string(), q.generation, q.total_ids)) return false;
  std::atomic<bool> changed{false};
  parallel_for(slots.size(), threads, cancel, [&](size_t i) {
    if (changed) return;
    const auto stamp = stat_file(slots[i].path);
    const auto& e = q.entries[i];
    if (!stamp || stamp->bytes != e.bytes || stamp->mtime_ns != e.mtime_ns) changed = true;
  });
  return !changed && !cancel;
}

// What this import decided for each file, for the next import's fast path. Empty when a file
// could not even be read: its outcome may change without its stamp changing (permissions).
std::optional<QuickIndex> quick_index_from(const CacheManifest& manifest, const std::vector<FileSlot>& slots) {
  QuickIndex q;
  q.tokenizer_hash = cache_identity(manifest.tokenizer_hash, manifest.tokenizer_json, manifest.preparation);
  q.generation = manifest.generation;
  q.total_ids = manifest.total_ids;
  q.tokens_file = manifest.tokens_file;
  q.entries.reserve(slots.size());
  for (const auto& s : slots) {
    QuickEntry e;
    e.source = s.path, e.bytes = s.bytes, e.mtime_ns = s.mtime_ns, e.content_hash = s.hash;
    switch (s.outcome) {
      case Outcome::Reused:
      case Outcome::Done:
        e.kind = QuickKind::Kept, e.steps = s.entry->steps();
        e.duration_s = s.entry->duration_s, e.notes = s.entry->notes, e.tracks = s.entry->tracks;
        e.program_notes = s.entry->program_notes, e.pitch_counts = s.entry->pitch_counts;
        e.drum_pitch_counts = s.entry->drum_pitch_counts;
        break;
      case Outcome::Skipped:
        if (s.hash == 0 && s.bytes != 0) return std::nullopt;  // never read
        if (s.mtime_ns == 0) return std::nullopt;                // never stat'ed
        e.kind = QuickKind::Rejected, e.note = s.reason;
        break;
      case Outcome::Duplicate:
        e.kind = QuickKind::Duplicate, e.note = slots[s.same_as].path;
        break;
      default:
        return std::nullopt;
    }
    q.entries.push_back(std::move(e));
  }
  return q;
}

}  // namespace

void ImportJob::run() {
  State& st = *state_;
  ImportReport& report = st.report;
  const auto t_start = Clock::now();
  report.dataset_dir = options_.dataset_dir;
  const int threads = options_.threads > 0 ? options_.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  const auto& tok = *tokenizer_;

  std::error_code ec;
  const bool listed = !options_.input_files.empty();
  if (!listed && !fs::is_directory(options_.input_dir, ec))
    throw DatasetError(options_.input_dir + ": not a folder (nothing to import)");
  if (options_.dataset_dir.empty()) throw DatasetError("import: no dataset folder given");
  fs::create_directories(options_.dataset_dir, ec);
  if (ec) throw DatasetError(options_.dataset_dir + ": cannot create the dataset folder (" + ec.message() + ")");
  // Another import of this folder (another page, another process) finishes first.
  const DatasetLock lock(options_.dataset_dir, &cancel_);
  if (!lock.owns_lock()) {  // cancelled while waiting: nothing read, nothing written
    report.cancelled = true;
    report.seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
    return;
  }

  const std::string tokenizer_json = tok.to_json().dump();
  const uint64_t tokenizer_hash = content_hash(tokenizer_json);
  const std::string preparation = options_.tidy.fingerprint();
  const uint64_t identity = cache_identity(tokenizer_hash, tokenizer_json, preparation);

  std::vector<FileSlot> slots;
  for (auto& p : listed ? options_.input_files : list_midi_files(options_.input_dir)) {
    slots.emplace_back();
    slots.back().path = relative_or_absolute(p);
  }
  st.total = slots.size();
  report.files_found = slots.size();

  auto notify = [this] {
    if (options_.on_progress) options_.on_progress(progress());
  };
  auto report_file = [this](const ImportedFile& f) {
    if (options_.on_file) options_.on_file(f);
  };

  // Nothing changed since the last import: answer from the quick index, read no file.
  if (auto quick = read_quick_index(options_.dataset_dir, bool(options_.on_file));
      quick && quick->tokenizer_hash == identity &&
      quick_index_matches(*quick, options_.dataset_dir, slots, threads, cancel_)) {
    for (const auto& e : quick->entries) {
      if (e.kind == QuickKind::Kept) ++st.reused, report.total_tokens += e.steps;
      if (e.kind == QuickKind::Rejected) ++st.skipped, report.skipped.push_back({e.source, e.note});
      if (e.kind == QuickKind::Duplicate) report.duplicates.push_back({e.source, e.note});
      if (options_.on_file) report_file(file_from_quick(e));
    }
    st.done = slots.size();
    report.reused = st.reused;
    report.files_in_dataset = st.reused;
    report.from_quick_index = true;
    notify();
    report.seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
    return;
  }
  auto previous = load_previous(options_.dataset_dir, tokenizer_hash, preparation);

  // Phase 1: hash every file (cheap), so duplicates and cache hits are known before any parsing.
  // A file whose size and modification time are what the cache recorded keeps its recorded
  // hash without being read (the quick check make and rsync use): a warm re-import then only
  // stats the files.
  parallel_for(slots.size(), threads, cancel_, [&](size_t i) {
    if (const auto stamp = stat_file(slots[i].path)) {
      slots[i].mtime_ns = stamp->mtime_ns;
      if (previous) {
        auto it = previous->stamp_by_path.find(slots[i].path);
        if (it != previous->stamp_by_path.end() && it->second.bytes == stamp->bytes && stamp->bytes > 0 &&
            it->second.mtime_ns == stamp->mtime_ns) {
          slots[i].hash = it->second.hash;
          slots[i].bytes = stamp->bytes;
          return;
        }
      }
    }
    std::string reason;
    auto bytes = read_bytes(slots[i].path, reason);
    if (!bytes) {
      slots[i].outcome = Outcome::Skipped;
      slots[i].reason = reason;
      return;
    }
    slots[i].hash = content_hash(bytes->data(), bytes->size());
    slots[i].bytes = bytes->size();
  });

  // Decide each file's fate in path order, so the kept duplicate is always the first path.
  std::unordered_map<uint64_t, size_t> first_with_hash;
  std::vector<size_t> to_tokenize;
  for (size_t i = 0; i < slots.size() && !cancel_; ++i) {
    auto& s = slots[i];
    if (s.outcome == Outcome::Skipped) {
      ++st.skipped, ++st.done;
      report_file(not_kept_file(s.path, FileOutcome::Skipped, s.reason));
      continue;
    }
    if (s.bytes == 0) {
      s.outcome = Outcome::Skipped, s.reason = "empty file", s.hash = 0;  // nothing worth remembering
      ++st.skipped, ++st.done;
      report_file(not_kept_file(s.path, FileOutcome::Skipped, s.reason));
      continue;
    }
    auto [it, inserted] = first_with_hash.emplace(s.hash, i);
    if (!inserted) {
      s.outcome = Outcome::Duplicate, s.same_as = it->second;
      ++st.done;
      report_file(not_kept_file(s.path, FileOutcome::Duplicate, slots[s.same_as].path));
      continue;
    }
    if (previous) {
      if (auto f = previous->file_by_hash.find(s.hash); f != previous->file_by_hash.end()) {
        s.outcome = Outcome::Reused;
        s.entry = previous->manifest.files[f->second];
        ++st.reused, ++st.done;
        report_file(kept_file(s.path, *s.entry));
        continue;
      }
      if (auto r = previous->rejected_by_hash.find(s.hash); r != previous->rejected_by_hash.end()) {
        s.outcome = Outcome::Skipped, s.reason = previous->manifest.rejected[r->second].reason;
        ++st.skipped, ++st.done;
        report_file(not_kept_file(s.path, FileOutcome::Skipped, s.reason));
        continue;
      }
    }
    s.outcome = Outcome::Tokenize;
    to_tokenize.push_back(i);
  }
  st.to_tokenize = to_tokenize.size();
  notify();

  // Nothing new and the same files as before: the cache is already right, write nothing.
  auto same_as_previous = [&] {
    if (!previous || !to_tokenize.empty()) return false;
    size_t kept = 0, rejected = 0;
    for (const auto& s : slots) {
      if (s.outcome == Outcome::Reused) {
        const auto& old = previous->manifest.files[previous->file_by_hash.at(s.hash)];
        if (old.source != s.path || old.mtime_ns != s.mtime_ns) return false;
        ++kept;
      } else if (s.outcome == Outcome::Skipped && s.hash != 0) {
        ++rejected;
      }
    }
    return kept == previous->manifest.files.size() && rejected == previous->manifest.rejected.size();
  };

  CacheManifest manifest;
  manifest.tokenizer_name = tok.name();
  manifest.tokenizer_hash = tokenizer_hash;
  manifest.tokenizer_json = tokenizer_json;
  manifest.preparation = preparation;
  manifest.fields = tok.num_fields();

  bool committed = false;  // the manifest on disk describes this import's outcome
  if (!cancel_ && same_as_previous()) {
    manifest = previous->manifest;
    committed = true;
  } else if (!cancel_) {
    std::random_device rd;
    manifest.generation = (uint64_t(rd()) << 32) ^ rd() ^ uint64_t(Clock::now().time_since_epoch().count());
    char name[40];
    std::snprintf(name, sizeof name, "tokens-%016llx.bin", static_cast<unsigned long long>(manifest.generation));
    manifest.tokens_file = name;
    StagedFile tokens((fs::path(options_.dataset_dir) / manifest.tokens_file).string());
    TokenFileHeader header;
    header.fields = uint32_t(manifest.fields);
    header.generation = manifest.generation;
    tokens.write(&header, sizeof header);
    std::mutex write_mutex, tidy_mutex;
    auto id_count = [&] { return (tokens.size() - sizeof header) / 4; };

    // Phase 2: parse + tokenize the new files in parallel, streaming ids to the staged file.
    st.tokenize_started_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
    parallel_for(to_tokenize.size(), threads, cancel_, [&](size_t k) {
      FileSlot& s = slots[to_tokenize[k]];
      std::string reason;
      auto bytes = read_bytes(s.path, reason);
      if (bytes && content_hash(bytes->data(), bytes->size()) != s.hash) reason = "file changed during the import";
      CachedFile entry;
      TidyStats tidied;
      if (reason.empty() && bytes) {
        reason = tokenize_file(tok, options_.tidy, *bytes, s.path, entry, tidied,
                               [&](const std::vector<const tokenizer::TokSequence*>& seqs) {
          std::lock_guard<std::mutex> lock(write_mutex);
          const uint64_t base = id_count();
          for (const auto* q : seqs) tokens.write(q->ids.data(), q->ids.size() * sizeof(int32_t));
          return base;
        });
      }
      if (reason.empty()) {
        entry.source = s.path, entry.content_hash = s.hash, entry.bytes = s.bytes, entry.mtime_ns = s.mtime_ns;
        s.entry = std::move(entry);
        s.outcome = Outcome::Done;
        {
          std::lock_guard<std::mutex> lock(tidy_mutex);
          report.tidied.add(tidied);
        }
        ++st.tokenized;
        report_file(kept_file(s.path, *s.entry));
      } else {
        s.outcome = Outcome::Skipped, s.reason = reason;
        ++st.skipped;
        report_file(not_kept_file(s.path, FileOutcome::Skipped, s.reason));
      }
      ++st.done;
      notify();
    });

    if (!cancel_) {
      // Cache hits: copy their ids from the old tokens file (the old file stays valid until
      // the new manifest replaces it).
      for (auto& s : slots) {
        if (s.outcome != Outcome::Reused) continue;
        const uint8_t* old_ids = previous->tokens.data() + sizeof(TokenFileHeader);
        const uint64_t base = id_count();
        uint64_t offset = base;
        for (auto& seq : s.entry->sequences) {
          const uint64_t n = seq.steps * manifest.fields;
          tokens.write(old_ids + seq.offset * 4, n * 4);
          seq.offset = offset;
          offset += n;
        }
        s.entry->source = s.path;
        s.entry->mtime_ns = s.mtime_ns;
      }
      header.ids = id_count();
      tokens.write_at(0, &header, sizeof header);
      tokens.commit();
      manifest.total_ids = header.ids;
      for (auto& s : slots) {
        if (s.outcome == Outcome::Reused || s.outcome == Outcome::Done) manifest.files.push_back(*s.entry);
        else if (s.outcome == Outcome::Skipped && s.hash != 0) manifest.rejected.push_back({s.path, s.hash, s.bytes, s.mtime_ns, s.reason});
      }
      // Commit point: from here on the new cache is the dataset.
      write_file_atomically(tokenizer_path(options_.dataset_dir), tok.to_json().dump(2) + "\n");
      write_manifest(options_.dataset_dir, manifest);
      committed = true;
      if (previous && previous->manifest.tokens_file != manifest.tokens_file) {
        fs::remove(fs::path(options_.dataset_dir) / previous->manifest.tokens_file, ec);  // garbage now
      }
    }
  }
  if (committed) {
    // For the next re-import's fast path. Optional: without it the next import reads the
    // manifest, so a failure here only removes a possibly stale index.
    try {
      if (auto quick = quick_index_from(manifest, slots)) write_quick_index(options_.dataset_dir, std::move(*quick));
      else fs::remove(quick_index_path(options_.dataset_dir), ec);
    } catch (const DatasetError&) {
      fs::remove(quick_index_path(options_.dataset_dir), ec);
    }
  }

  report.cancelled = cancel_;
  report.tokenized = st.tokenized;
  report.reused = st.reused;
  for (const auto& s : slots) {
    if (s.outcome == Outcome::Skipped) report.skipped.push_back({s.path, s.reason});
    if (s.outcome == Outcome::Duplicate) report.duplicates.push_back({s.path, slots[s.same_as].path});
  }
  if (!report.cancelled) {
    report.files_in_dataset = manifest.files.size();
    for (const auto& f : manifest.files) report.total_tokens += f.steps();
  }
  report.seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
}

}  // namespace harmonia::data
