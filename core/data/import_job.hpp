// Importing a folder of MIDI files into a token cache, as a background job that the CLI and
// the GUI drive the same way: start(), poll progress() or get callbacks, cancel(), wait().
// Files are parsed and tokenized in parallel (one worker per core), each worker holding one
// score at a time, and their tokens are streamed to disk: memory stays bounded whatever the
// folder size. Re-importing a folder with the same tokenizer only tokenizes new or changed
// files (matched by content hash). Broken files are skipped and listed with the reason.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/data/score_tidy.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::data {

struct ImportProgress {
  size_t done = 0;      // files finished (tokenized, reused, duplicate or skipped)
  size_t total = 0;     // files found (0 while the folder is still being listed)
  size_t tokenized = 0;
  size_t reused = 0;    // cache hits
  size_t skipped = 0;   // broken / empty / unsupported
  double elapsed_s = 0;
  double eta_s = -1;    // -1 until it can be estimated
  bool finished = false;
};

struct SkippedFile {
  std::string path;
  std::string reason;
};

struct DuplicateFile {
  std::string path;
  std::string same_as;  // the file kept
};

struct ImportReport {
  std::string dataset_dir;
  size_t files_found = 0;
  size_t tokenized = 0;   // parsed and tokenized in this run
  size_t reused = 0;      // taken from the existing cache unchanged
  size_t files_in_dataset = 0;
  size_t total_tokens = 0;  // steps over all sequences in the dataset
  std::vector<SkippedFile> skipped;
  std::vector<DuplicateFile> duplicates;
  double seconds = 0;
  bool cancelled = false;  // when true the previous cache (if any) is left untouched
  bool from_quick_index = false;  // nothing changed: answered by the quick index, no file read
  TidyStats tidied;  // bars the preparation removed, over the files tokenized in this run
};

// What the import decided for one file, with the details a file list or statistics need.
// The same for a file tokenized now, taken from the cache or answered by the quick index.
enum class FileOutcome : uint8_t { Kept, Skipped, Duplicate };

struct ImportedFile {
  std::string path;  // absolute, normalized (as in the manifest)
  FileOutcome outcome = FileOutcome::Kept;
  std::string reason;  // Skipped: why; Duplicate: the path of the file kept
  // Kept files only (zero otherwise: a skipped file may not even parse):
  uint64_t tokens = 0;  // steps over all its sequences
  double duration_s = 0;
  uint64_t notes = 0;
  int tracks = 0;                                       // tracks with notes
  std::vector<std::pair<int, uint64_t>> program_notes;  // (program, notes), -1 = drums
  std::vector<std::pair<int, uint64_t>> pitch_counts;   // (pitch, notes), drums included
  std::vector<std::pair<int, uint64_t>> drum_pitch_counts;  // the drum tracks' share of pitch_counts
  bool operator==(const ImportedFile& o) const {
    return path == o.path && outcome == o.outcome && reason == o.reason && tokens == o.tokens &&
           duration_s == o.duration_s && notes == o.notes && tracks == o.tracks && program_notes == o.program_notes &&
           pitch_counts == o.pitch_counts && drum_pitch_counts == o.drum_pitch_counts;
  }
};

struct ImportOptions {
  std::string input_dir;    // scanned recursively for .mid/.midi/.kar (any case)
  // When not empty: import exactly these files, in this order, instead of listing input_dir
  // (the GUI's default corpus spans several package folders).
  std::vector<std::string> input_files;
  std::string dataset_dir;  // where the cache is written (created if missing)
  // Scores are tidied before tokenizing when enabled (silence cut; see score_tidy.hpp). Part
  // of the cache's identity: changing it re-tokenizes every file.
  TidyOptions tidy;
  int threads = 0;          // <= 0: all cores
  // Called from worker threads after each file, never while the job holds a lock; it must
  // return quickly (e.g. store the numbers or post them to the GUI thread).
  std::function<void(const ImportProgress&)> on_progress;
  // Called once per file as soon as its outcome is known (files not reached before a cancel
  // are not reported), from the job's threads, never while it holds a lock, in no particular
  // order; must return quickly and not throw.
  std::function<void(const ImportedFile&)> on_file;
};

class ImportJob {
 public:
  ImportJob(std::shared_ptr<const tokenizer::Tokenizer> tokenizer, ImportOptions options);
  ~ImportJob();  // cancels and joins a job still running
  ImportJob(const ImportJob&) = delete;
  ImportJob& operator=(const ImportJob&) = delete;

  void start();                     // returns at once; the work runs on its own threads
  void cancel();                    // thread-safe, non-blocking; takes effect after current files
  bool cancel_requested() const { return cancel_.load(); }
  ImportProgress progress() const;  // thread-safe snapshot
  bool finished() const { return finished_.load(); }
  // Blocks until the job ends; rethrows a fatal error (unreadable input folder, cache not
  // writable). Per-file problems are never fatal: they are in report().skipped.
  ImportReport wait();

 private:
  struct State;
  void run();

  std::shared_ptr<const tokenizer::Tokenizer> tokenizer_;
  ImportOptions options_;
  std::unique_ptr<State> state_;
  std::thread thread_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> finished_{false};
};

// start() + wait() in one call.
ImportReport import_dataset(std::shared_ptr<const tokenizer::Tokenizer> tokenizer, ImportOptions options);

}  // namespace harmonia::data
