// Tokenizer throughput: files/s and tokens/s per scheme over the shared MIDI corpus, on one
// thread and on all threads, parse + tokenize and tokenize only. Prints the ratio to
// MidiTok 3.0.6.post1 (../shared/perf/BASELINES.md: REMI, pop909, 73.9 files/s parse +
// tokenize, 482,000 tokens/s, 76.1 files/s tokenize only, one process).
//
// usage: bench_tokenizer [--corpus DIR] [--repeat N] [--threads N]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/tokenizer/score_loader.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace fs = std::filesystem;
using namespace harmonia;
using namespace harmonia::tokenizer;

namespace {

constexpr double kMidiTokFilesPerSec = 73.9;      // REMI, parse + tokenize, pop909
constexpr double kMidiTokTokensPerSec = 482000;   // idem
constexpr double kMidiTokTokenizeOnlyFps = 76.1;  // REMI, tokenize only

struct Result {
  double seconds = 0;
  size_t files = 0, tokens = 0;
};

std::vector<std::vector<uint8_t>> read_corpus(const std::vector<fs::path>& files) {
  std::vector<std::vector<uint8_t>> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

// Runs `work(i)` for every file index on `threads` threads; returns tokens produced.
template <class Work>
Result run(size_t n, int threads, int repeat, Work work) {
  Result r;
  const auto t0 = std::chrono::steady_clock::now();
  std::atomic<size_t> next{0}, tokens{0};
  auto worker = [&] {
    size_t local = 0;
    for (size_t i; (i = next.fetch_add(1)) < n * size_t(repeat);) local += work(i % n);
    tokens += local;
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.files = n * size_t(repeat);
  r.tokens = tokens;
  return r;
}

size_t count_tokens(const Encoding& e) {
  size_t n = 0;
  for (const auto& s : e.sequences) n += s.steps();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path corpus = fs::path(HARMONIA_SHARED_DIR) / "data" / "midi";
  int repeat = 3;
  int threads = int(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--corpus") && i + 1 < argc) corpus = argv[++i];
    else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::max(1, std::atoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: %s [--corpus DIR] [--repeat N] [--threads N]\n", argv[0]);
      return 2;
    }
  }
  auto collect = [](const fs::path& dir) {
    std::vector<fs::path> files;
    if (!fs::is_directory(dir)) return files;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      auto ext = e.path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
      if (e.is_regular_file() && (ext == ".mid" || ext == ".midi") && e.path().string().find("corrupted") == std::string::npos)
        files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  };
  const auto all_files = collect(corpus);
  const auto pop909_files = collect(corpus / "pop909");
  if (all_files.empty()) {
    std::fprintf(stderr, "no MIDI files under %s\n", corpus.c_str());
    return 1;
  }
  std::printf("corpus: %s (%zu files; pop909 subset %zu), repeat %d, threads 1 and %d\n", corpus.c_str(),
              all_files.size(), pop909_files.size(), repeat, threads);

  auto bench_set = [&](const char* label, const std::vector<fs::path>& files, bool compare) {
    const auto bytes = read_corpus(files);
    std::vector<midi::Score> scores(files.size());
    std::vector<bool> ok(files.size(), false);
    for (size_t i = 0; i < files.size(); ++i) {
      try {
        scores[i] = load_score_for_tokenizer(bytes[i].data(), bytes[i].size(), files[i].string());
        ok[i] = true;
      } catch (const std::exception&) {
      }
    }
    std::printf("\n== %s: %zu files ==\n", label, files.size());
    std::printf("%-9s %7s | %12s %14s | %12s %14s | %10s\n", "scheme", "threads", "files/s", "tokens/s", "files/s",
                "tokens/s", "x MidiTok");
    std::printf("%-9s %7s | %27s | %27s | %10s\n", "", "", "parse + tokenize", "tokenize only", "files/s");
    for (const char* scheme : {"REMI", "TSD", "MIDILike", "CPWord", "Octuple"}) {
      auto tok = Tokenizer::create(scheme);
      for (int th : {1, threads}) {
        const Result full = run(files.size(), th, repeat, [&](size_t i) -> size_t {
          try {
            const auto s = load_score_for_tokenizer(bytes[i].data(), bytes[i].size(), "bench");
            return count_tokens(tok->encode(s));
          } catch (const std::exception&) {
            return 0;
          }
        });
        const Result only = run(files.size(), th, repeat, [&](size_t i) -> size_t {
          return ok[i] ? count_tokens(tok->encode(scores[i])) : 0;
        });
        const double fps = full.files / full.seconds, tps = full.tokens / full.seconds;
        const double fps_only = only.files / only.seconds, tps_only = only.tokens / only.seconds;
        char ratio[32] = "-";
        if (compare && std::string(scheme) == "REMI") std::snprintf(ratio, sizeof ratio, "%.0fx", fps / kMidiTokFilesPerSec);
        std::printf("%-9s %7d | %12.0f %14.0f | %12.0f %14.0f | %10s\n", scheme, th, fps, tps, fps_only, tps_only, ratio);
        if (compare && std::string(scheme) == "REMI")
          std::printf("%-9s %7s   tokens/s %.0fx MidiTok; tokenize-only files/s %.0fx MidiTok\n", "", "",
                      tps / kMidiTokTokensPerSec, fps_only / kMidiTokTokenizeOnlyFps);
        if (th == threads) break;
      }
    }
  };
  if (!pop909_files.empty()) bench_set("pop909 (the MidiTok baseline corpus)", pop909_files, true);
  bench_set("whole shared corpus", all_files, false);
  return 0;
}
