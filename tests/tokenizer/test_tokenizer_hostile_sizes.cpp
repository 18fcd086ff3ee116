// Hostile sizes on the way from a file to tokens: a MIDI file with millions of notes reads and
// tokenizes in memory proportional to its notes (figures in docs/fuzzing.md), one over the
// 10 M-note cap is refused by both readers, and a MIDI file over the 256 MiB cap and a 1 GB
// tokenizer.json are refused by their size before being read.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/midi/midi_file.hpp"
#include "core/tokenizer/score_loader.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "test_paths.hpp"

using namespace harmonia;

namespace {

// Peak resident memory of this process in KiB (VmHWM), and a reset of that peak.
long peak_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}
bool reset_peak_rss() { return bool(std::ofstream("/proc/self/clear_refs") << "5"); }

// One track of `notes` notes, each 1 tick after the last, with running status and note-offs as
// velocity-0 note-ons: 6 bytes a note, the densest a file can hold.
std::vector<uint8_t> dense_midi(size_t notes) {
  std::vector<uint8_t> track = {0x00, 0x90, 60, 100};
  track.reserve(notes * 8 + 16);
  for (size_t i = 0; i < notes; ++i) {
    const uint8_t pitch = uint8_t(36 + i % 48);
    if (i) track.insert(track.end(), {0x00, pitch, 100});
    track.insert(track.end(), {0x01, pitch, 0x00});
  }
  track.insert(track.end(), {0x00, 0xFF, 0x2F, 0x00});
  std::vector<uint8_t> out = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xE0, 'M', 'T', 'r', 'k'};
  const uint32_t n = uint32_t(track.size());
  out.insert(out.end(), {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)});
  out.insert(out.end(), track.begin(), track.end());
  return out;
}

TEST(HostileSizes, MillionsOfNotesReadAndTokenizeInBoundedMemory) {
  constexpr size_t kNotes = 3'000'000;
  const auto bytes = dense_midi(kNotes);
  const bool can_measure = reset_peak_rss();
  const long before = peak_rss_kib();
  auto t0 = std::chrono::steady_clock::now();
  const midi::Score score = midi::read_midi(bytes.data(), bytes.size(), "dense.mid");
  const double read_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(score.note_count(), kNotes);
  const long read_peak = peak_rss_kib() - before;
  t0 = std::chrono::steady_clock::now();
  auto tok = tokenizer::Tokenizer::create("REMI");
  const auto enc = tok->encode(score);
  const double encode_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const long total_peak = peak_rss_kib() - before;
  ASSERT_EQ(enc.sequences.size(), 1u);
  EXPECT_GE(enc.sequences[0].ids.size(), 3 * kNotes);  // pitch, velocity, duration at least
  std::printf("%zu notes (%zu-byte file): read %.2f s, peak +%ld MiB; REMI %zu tokens in %.2f s, peak +%ld MiB\n",
              kNotes, bytes.size(), read_s, read_peak / 1024, enc.sequences[0].ids.size(), encode_s,
              total_peak / 1024);
  if (!can_measure) GTEST_SKIP() << "no /proc/self/clear_refs: memory not measured";
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's redzones and quarantine change the memory figures (scripts/sanitized-tests)";
#endif
  // Bounds with room for the VM's noise: reading keeps a Note (24 bytes) per note plus vector
  // growth; tokenizing keeps a few tokens, and their bookkeeping, per note.
  EXPECT_LT(read_peak, long(kNotes * 80 / 1024)) << "reading used more than 80 bytes a note";
  EXPECT_LT(total_peak, long(kNotes * 400 / 1024)) << "read + tokenize used more than 400 bytes a note";
}

// One note over kMaxMidiNotes (a 60 MB file): both readers stop with a clear error; before the
// cap they read all of it (and tokenizing ~10^7 notes took ~1.6 GB).
TEST(HostileSizes, MidiOverTheNoteCapIsRefusedByBothReaders) {
  const auto bytes = dense_midi(midi::kMaxMidiNotes + 1);
  const std::string expected = "more than 10000000 notes, the limit for one file";
  try {
    (void)midi::read_midi(bytes.data(), bytes.size(), "black.mid");
    ADD_FAILURE() << "midi reader accepted " << midi::kMaxMidiNotes + 1 << " notes";
  } catch (const midi::MidiError& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("black.mid"), std::string::npos) << e.what();
  }
  try {
    (void)tokenizer::load_score_for_tokenizer(bytes.data(), bytes.size(), "black.mid");
    ADD_FAILURE() << "tokenizer's score loader accepted " << midi::kMaxMidiNotes + 1 << " notes";
  } catch (const midi::MidiError& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
  }
}

TEST(HostileSizes, MidiFileOverTheCapIsRefusedBeforeReading) {
  const auto path = test::scratch_dir("hostile_midi") / "huge.mid";
  { std::ofstream(path, std::ios::binary) << "MThd"; }
  std::filesystem::resize_file(path, midi::kMaxMidiFileBytes + 1);  // sparse: no disk used
  const auto t0 = std::chrono::steady_clock::now();
  try {
    (void)midi::read_midi_file(path.string());
    FAIL() << "read a file over the cap";
  } catch (const midi::MidiError& e) {
    EXPECT_NE(std::string(e.what()).find("larger than 256 MiB"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("huge.mid"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
  std::filesystem::remove(path);
}

// A 1 GB tokenizer.json (sparse) is refused by its size; before the cap it was read and parsed.
TEST(HostileSizes, GigabyteTokenizerJsonIsRefusedBeforeReading) {
  const auto path = test::scratch_dir("hostile_tokenizer") / "tokenizer.json";
  { std::ofstream(path) << "{\"tokenization\": \"REMI\", \"config\": {}, \"pad\": \""; }
  std::filesystem::resize_file(path, 1ull << 30);
  const bool can_measure = reset_peak_rss();
  const long before = peak_rss_kib();
  try {
    (void)tokenizer::Tokenizer::load(path.string());
    FAIL() << "loaded a 1 GB tokenizer.json";
  } catch (const tokenizer::TokenizerError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("larger than any tokenizer.json (limit 64 MiB)"), std::string::npos)
        << e.what();
  }
  if (can_measure) EXPECT_LT(peak_rss_kib() - before, 16 * 1024) << "refusing it took memory";
  std::filesystem::remove(path);
}

}  // namespace
