// A small mutation fuzzer for machines without libFuzzer: starts from seed files and
// hand-made valid MIDI, applies random byte edits, splices and length lies, and feeds each
// input to LLVMFuzzerTestOneInput. Run under ASan/UBSan, any memory error aborts. Linked
// with other targets too (tokenizer.json, dataset folders): --ext picks the seed files of
// folders (a comma-separated list such as .json,.bin).
//   <driver> [--iterations N] [--seconds S] [--seed K] [--ext .mid] [--name midi] SEED_FILES_OR_DIRS...
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using Bytes = std::vector<uint8_t>;

Bytes builtin_seed() {
  // Format 1, two tracks: tempo/time signature, then notes with running status, a SysEx,
  // a pitch bend and a sustain pedal.
  const uint8_t conductor[] = {0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20, 0x00, 0xFF, 0x58, 0x04, 0x04,
                               0x02, 0x18, 0x08, 0x00, 0xFF, 0x2F, 0x00};
  const uint8_t notes[] = {0x00, 0xC0, 0x05, 0x00, 0x90, 0x3C, 0x64, 0x00, 0x40, 0x50, 0x83, 0x60, 0x3C, 0x00,
                           0x00, 0xF0, 0x02, 0x7E, 0xF7, 0x00, 0xE0, 0x00, 0x50, 0x00, 0xB0, 0x40, 0x7F,
                           0x10, 0x80, 0x40, 0x00, 0x00, 0xB0, 0x40, 0x00, 0x00, 0xFF, 0x2F, 0x00};
  Bytes out = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 2, 0x01, 0xE0};
  for (auto [data, n] : {std::pair<const uint8_t*, size_t>{conductor, sizeof conductor}, {notes, sizeof notes}}) {
    out.insert(out.end(), {'M', 'T', 'r', 'k', 0, 0, 0, uint8_t(n)});
    out.insert(out.end(), data, data + n);
  }
  return out;
}

void mutate(Bytes& b, std::mt19937_64& rng, const std::vector<Bytes>& seeds) {
  auto pick = [&](size_t n) { return n ? size_t(rng() % n) : 0; };
  const int edits = 1 + int(rng() % 8);
  static const uint8_t interesting[] = {0x00, 0x7F, 0x80, 0xFF, 0xF0, 0xF7, 0x2F, 0x51, 0x90, 0x4D, 0x54};
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 9) {
      case 0: if (!b.empty()) b[pick(b.size())] ^= uint8_t(1u << (rng() % 8)); break;
      case 1: if (!b.empty()) b[pick(b.size())] = uint8_t(rng()); break;
      case 2: if (!b.empty()) b[pick(b.size())] = interesting[rng() % sizeof interesting]; break;
      case 3: b.insert(b.begin() + pick(b.size() + 1), uint8_t(rng())); break;
      case 4: if (!b.empty()) b.erase(b.begin() + pick(b.size())); break;
      case 5: if (!b.empty()) b.resize(pick(b.size())); break;  // truncate
      case 6: {  // overwrite a 32-bit big-endian field (chunk lengths) with a lie
        if (b.size() >= 4) {
          const size_t at = pick(b.size() - 3);
          const uint32_t v = (rng() % 2) ? uint32_t(rng()) : uint32_t(rng() % 64);
          for (int i = 0; i < 4; ++i) b[at + i] = uint8_t(v >> (24 - 8 * i));
        }
        break;
      }
      case 7: {  // splice a piece of another seed in
        const Bytes& other = seeds[pick(seeds.size())];
        if (!other.empty()) {
          const size_t from = pick(other.size()), n = std::min<size_t>(1 + pick(64), other.size() - from);
          b.insert(b.begin() + pick(b.size() + 1), other.begin() + from, other.begin() + from + n);
        }
        break;
      }
      case 8: {  // duplicate a run (long VLQs, repeated events)
        if (!b.empty()) {
          const size_t from = pick(b.size()), n = std::min<size_t>(1 + pick(16), b.size() - from);
          Bytes run(b.begin() + from, b.begin() + from + n);
          b.insert(b.begin() + pick(b.size() + 1), run.begin(), run.end());
        }
        break;
      }
    }
  }
}

void add_seed(const std::filesystem::path& p, std::vector<Bytes>& seeds) {
  std::ifstream in(p, std::ios::binary);
  Bytes b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (b.size() <= (1u << 20)) seeds.push_back(std::move(b));  // keep iterations fast
}

}  // namespace

int main(int argc, char** argv) {
  long long iterations = 100000;
  double seconds = 0;
  uint64_t seed = 1;
  std::vector<Bytes> seeds = {builtin_seed()};
  std::string ext = ".mid", name = "midi";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--iterations" && i + 1 < argc) iterations = std::stoll(argv[++i]);
    else if (a == "--seconds" && i + 1 < argc) seconds = std::stod(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::stoull(argv[++i]);
    else if (a == "--ext" && i + 1 < argc) ext = argv[++i];
    else if (a == "--name" && i + 1 < argc) name = argv[++i];
    else if (std::filesystem::is_directory(a)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(a))
        if (e.is_regular_file() && ("," + ext + ",").find("," + e.path().extension().string() + ",") != std::string::npos)
          add_seed(e.path(), seeds);
    } else if (std::filesystem::is_regular_file(a)) add_seed(a, seeds);
  }
  std::mt19937_64 rng(seed);
  const auto start = std::chrono::steady_clock::now();
  long long done = 0;
  for (const auto& s : seeds) LLVMFuzzerTestOneInput(s.data(), s.size());
  for (; done < iterations; ++done) {
    if (seconds > 0 && (done & 255) == 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > seconds) break;
    Bytes input = seeds[rng() % seeds.size()];
    mutate(input, rng, seeds);
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("%s fuzz: %lld mutated inputs from %zu seeds (seed %llu), no crash\n", name.c_str(), done, seeds.size(),
              (unsigned long long)seed);
  return 0;
}
