// Parse throughput of the MIDI reader: MB/s and files/s over a corpus, one thread and all
// threads. Compared with symusic (MidiTok 3's C++ parser) from ../shared/perf/BASELINES.md:
// 300 POP909 files parsed in 0.12 s.
//   bench_midi_parse [DIR] [--repeat N]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/data/default_corpus.hpp"
#include "core/midi/midi_file.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  double seconds;
  size_t notes;
};

Run parse_all(const std::vector<std::vector<uint8_t>>& files, int repeat, int threads) {
  std::atomic<size_t> notes{0};
  const auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      size_t local = 0;
      for (int r = 0; r < repeat; ++r) {
        for (size_t i = t; i < files.size(); i += threads) {
          try {
            local += harmonia::midi::read_midi(files[i].data(), files[i].size(), "bench").note_count();
          } catch (const harmonia::midi::MidiError&) {
          }
        }
      }
      notes += local;
    });
  }
  for (auto& th : pool) th.join();
  return {std::chrono::duration<double>(Clock::now() - start).count(), notes.load()};
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = std::string(HARMONIA_SHARED_BENCH_DIR) + "/data/midi/pop909";
  int repeat = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) repeat = std::max(1, std::stoi(argv[++i]));
    else dir = a;
  }
  const auto paths = harmonia::data::list_midi_files(dir);
  if (paths.empty()) {
    std::fprintf(stderr, "no MIDI files under %s\n", dir.c_str());
    return 1;
  }
  std::vector<std::vector<uint8_t>> files;
  size_t bytes = 0;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    files.emplace_back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes += files.back().size();
  }
  std::printf("corpus: %s, %zu files, %.2f MB, %d repeats\n", dir.c_str(), files.size(), bytes / 1e6, repeat);
  parse_all(files, 1, 1);  // warm-up
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  double single_files_per_s = 0;
  for (int threads : {1, cores}) {
    const Run r = parse_all(files, repeat, threads);
    const double n = double(files.size()) * repeat;
    const double files_per_s = n / r.seconds;
    if (threads == 1) single_files_per_s = files_per_s;
    std::printf("%d thread(s): %.0f files/s, %.1f MB/s, %.1f M notes/s\n", threads, files_per_s,
                bytes * repeat / 1e6 / r.seconds, r.notes / 1e6 / r.seconds);
    if (threads > 1) std::printf("  scaling: %.2fx over one thread\n", files_per_s / single_files_per_s);
  }
  // symusic (MidiTok 3.0.6.post1) parse: 300 files in 0.12 s on this machine kind.
  std::printf("vs symusic 0.5.9 parse (2500 files/s, pop909, one thread): %.2fx\n", single_files_per_s / 2500.0);
  return 0;
}
