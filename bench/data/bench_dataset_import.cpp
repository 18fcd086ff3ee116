// Dataset import throughput: files/s for a cold import (parse + tokenize + write the cache)
// and a warm re-import of the same folder (every file a cache hit), their ratio (target
// >= 20x), and peak memory (RSS) before and after, to show the import streams files
// instead of holding every score.
//
// The corpus: pop909 (300 files) plus transposed copies written here, up to --files (1000);
// synthetic songs when ../shared is absent.
// usage: bench_dataset_import [--files N] [--threads N] [--scheme REMI] [--work DIR] [--keep 1] [--warm-runs 5]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "core/data/default_corpus.hpp"
#include "core/data/import_job.hpp"
#include "core/midi/midi_file.hpp"

namespace fs = std::filesystem;
using namespace harmonia;

namespace {

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

midi::Score fallback_song(int seed) {
  midi::Score s;
  midi::Track t;
  for (int i = 0; i < 1500; ++i) t.notes.push_back({midi::Tick(i * 240), 200, 40 + (seed * 7 + i * 5) % 48, 64 + i % 50});
  s.tracks.push_back(t);
  return s;
}

// Writes `count` distinct MIDI files into dir, one score in memory at a time.
void build_corpus(const fs::path& dir, size_t count) {
  fs::create_directories(dir);
  std::vector<std::string> sources = data::list_midi_files((fs::path(HARMONIA_SHARED_DIR) / "data/midi/pop909").string());
  for (size_t i = 0; i < count; ++i) {
    const fs::path out = dir / ("f" + std::to_string(i) + ".mid");
    if (sources.empty()) {
      midi::write_midi_file(fallback_song(int(i)), out.string());
      continue;
    }
    const auto& src = sources[i % sources.size()];
    const int shift = int(i / sources.size());  // 0 for the originals, then +1, +2 semitones
    if (shift == 0) {
      fs::copy_file(src, out, fs::copy_options::overwrite_existing);
      continue;
    }
    midi::Score s = midi::read_midi_file(src);
    for (auto& t : s.tracks)
      if (!t.is_drum)
        for (auto& n : t.notes) n.pitch = std::min(127, n.pitch + shift);
    midi::write_midi_file(s, out.string());
  }
}

}  // namespace

int main(int argc, char** argv) {
  size_t files = 1000;
  int threads = 0;
  std::string scheme = "REMI";
  fs::path work = fs::temp_directory_path() / "harmonia-bench-dataset";
  bool keep = false;
  int warm_runs = 5;  // the warm import is short: report the best of several
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--files")) files = std::stoul(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::stoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--scheme")) scheme = argv[i + 1];
    else if (!std::strcmp(argv[i], "--work")) work = argv[i + 1];
    else if (!std::strcmp(argv[i], "--keep")) keep = std::strcmp(argv[i + 1], "0") != 0;
    else if (!std::strcmp(argv[i], "--warm-runs")) warm_runs = std::max(1, std::stoi(argv[i + 1]));
  }
  fs::remove_all(work);
  build_corpus(work / "midi", files);
  const double rss_before = peak_rss_mib();
  std::shared_ptr<const tokenizer::Tokenizer> tok = tokenizer::Tokenizer::create(scheme);

  data::ImportOptions o;
  o.input_dir = (work / "midi").string();
  o.dataset_dir = (work / "dataset").string();
  o.threads = threads;
  // Cold: twice from an empty dataset folder, the better run counts (as for warm below).
  auto cold = data::import_dataset(tok, o);
  fs::remove_all(o.dataset_dir);
  if (auto again = data::import_dataset(tok, o); again.seconds < cold.seconds) cold = std::move(again);
  const double rss_cold = peak_rss_mib();
  auto warm = data::import_dataset(tok, o);
  double warm_worst = warm.seconds;
  for (int r = 1; r < warm_runs; ++r) {
    auto again = data::import_dataset(tok, o);
    warm_worst = std::max(warm_worst, again.seconds);
    if (again.seconds < warm.seconds) warm = std::move(again);
  }
  const double rss_warm = peak_rss_mib();

  uint64_t corpus_bytes = 0;
  for (const auto& e : fs::directory_iterator(work / "midi")) corpus_bytes += e.file_size();
  const double cold_fps = double(cold.files_found) / cold.seconds, warm_fps = double(warm.files_found) / warm.seconds;
  const int used_threads = threads > 0 ? threads : int(std::thread::hardware_concurrency());
  std::printf("corpus: %zu files, %.1f MiB, %s, %d threads\n", cold.files_found, double(corpus_bytes) / (1 << 20),
              scheme.c_str(), used_threads);
  std::printf("cold import: %.2f s, %.0f files/s, %zu tokenized, %zu skipped, %llu tokens (%.1f MiB of ids)\n",
              cold.seconds, cold_fps, cold.tokenized, cold.skipped.size(),
              static_cast<unsigned long long>(cold.total_tokens), double(cold.total_tokens) * 4 / (1 << 20));
  std::printf("warm import: %.3f s (best of %d, worst %.3f s), %.0f files/s, %zu from cache, %zu tokenized\n",
              warm.seconds, warm_runs, warm_worst, warm_fps, warm.reused, warm.tokenized);
  std::printf("warm / cold speed-up: %.1fx (target >= 20x)\n", warm_fps / cold_fps);
  std::printf("peak RSS: %.1f MiB before import, %.1f MiB after cold, %.1f MiB after warm\n", rss_before, rss_cold,
              rss_warm);
  if (!keep) fs::remove_all(work);
  return 0;
}
