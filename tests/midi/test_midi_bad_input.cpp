// Hostile and broken input: every case must give a MidiError that names the file and the
// byte offset, never a crash, hang or huge allocation.
#include <gtest/gtest.h>

#include <random>

#include "core/midi/midi_file.hpp"
#include "midi/midi_bytes.hpp"
#include "test_paths.hpp"

using namespace harmonia::midi;
using harmonia::test::smf;
using harmonia::test::TrackBytes;

namespace {

// Returns the error message, or fails the test if parsing succeeded.
std::string error_of(const std::vector<uint8_t>& bytes) {
  try {
    read_midi(bytes.data(), bytes.size(), "bad.mid");
  } catch (const MidiError& e) {
    EXPECT_EQ(e.source(), "bad.mid");
    EXPECT_NE(std::string(e.what()).find("bad.mid: byte "), std::string::npos) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error for bad input";
  return {};
}

std::vector<uint8_t> good_file() {
  TrackBytes t;
  t.event(0, {0x90, 60, 90}).event(96, {0x80, 60, 0}).end();
  return smf(1, 96, {t});
}

}  // namespace

TEST(MidiBadInput, EmptyFile) { EXPECT_NE(error_of({}).find("empty file"), std::string::npos); }

TEST(MidiBadInput, NotAMidiFile) {
  const std::string text = "This is a text file, not music at all.";
  EXPECT_NE(error_of({text.begin(), text.end()}).find("no 'MThd' header"), std::string::npos);
}

TEST(MidiBadInput, TruncatedAtEveryLength) {
  const auto full = good_file();
  for (size_t n = 0; n < full.size() - 4; ++n) {  // cutting only the end-of-track event is tolerated
    std::vector<uint8_t> cut(full.begin(), full.begin() + n);
    EXPECT_FALSE(error_of(cut).empty()) << "length " << n;
  }
}

TEST(MidiBadInput, ChunkLengthPastEndOfFile) {
  auto bytes = good_file();
  bytes[14 + 7] = 0xFF;  // MTrk length low byte far too large
  const std::string e = error_of(bytes);
  EXPECT_NE(e.find("runs past the end of the file"), std::string::npos) << e;
  EXPECT_NE(e.find("byte 18"), std::string::npos) << e;
}

TEST(MidiBadInput, HeaderLengthTooSmall) {
  auto bytes = good_file();
  bytes[7] = 2;
  EXPECT_NE(error_of(bytes).find("below 6"), std::string::npos);
}

TEST(MidiBadInput, VariableLengthQuantityTooLong) {
  TrackBytes t;
  t.raw({0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x90, 60, 90}).end();
  EXPECT_NE(error_of(smf(1, 96, {t})).find("longer than 4 bytes"), std::string::npos);
}

TEST(MidiBadInput, DeltaTimesOverflow) {
  TrackBytes t;
  for (int i = 0; i < 5000; ++i) t.raw({0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0x01, 0x00});  // max delta + text event
  t.end();
  EXPECT_NE(error_of(smf(1, 96, {t})).find("overflow"), std::string::npos);
}

TEST(MidiBadInput, DataByteWithoutRunningStatus) {
  TrackBytes t;
  t.raw({0x00, 60, 90}).end();
  EXPECT_NE(error_of(smf(1, 96, {t})).find("running status"), std::string::npos);
}

TEST(MidiBadInput, MetaLengthPastChunk) {
  TrackBytes t;
  t.raw({0x00, 0xFF, 0x03, 0x7F, 'a'});
  EXPECT_NE(error_of(smf(1, 96, {t})).find("runs past the end of its chunk"), std::string::npos);
}

TEST(MidiBadInput, ZeroDivisionAndUnknownFormat) {
  auto bytes = good_file();
  bytes[12] = 0;
  bytes[13] = 0;
  EXPECT_NE(error_of(bytes).find("division"), std::string::npos);
  bytes = good_file();
  bytes[9] = 7;
  EXPECT_NE(error_of(bytes).find("unknown MIDI format"), std::string::npos);
}

TEST(MidiBadInput, NoTrackChunk) {
  const std::vector<uint8_t> header_only = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 1, 0, 96};
  EXPECT_NE(error_of(header_only).find("no track chunk"), std::string::npos);
}

TEST(MidiBadInput, HundredMegabytesOfJunkFailsFast) {
  std::vector<uint8_t> junk(100u << 20);
  std::mt19937_64 rng(42);
  for (auto& b : junk) b = uint8_t(rng());
  EXPECT_FALSE(error_of(junk).empty());
  // The same junk behind a valid header and one huge track chunk: the parser walks it and stops.
  const uint32_t n = uint32_t(junk.size());
  std::vector<uint8_t> wrapped = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 1, 0, 96,
                                  'M', 'T', 'r', 'k', uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
  junk.insert(junk.begin(), wrapped.begin(), wrapped.end());
  try {
    const Score s = read_midi(junk.data(), junk.size(), "junk.mid");
    SUCCEED() << "junk happened to parse into " << s.note_count() << " notes";
  } catch (const MidiError& e) {
    EXPECT_NE(std::string(e.what()).find("junk.mid"), std::string::npos);
  }
}

TEST(MidiBadInput, MissingFileNamesThePath) {
  try {
    read_midi_file("/nonexistent/dir/song.mid");
    FAIL() << "no error";
  } catch (const MidiError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/song.mid"), std::string::npos);
  }
}

TEST(MidiBadInput, SharedCorruptedFileGivesClearError) {
  HARMONIA_REQUIRE_SHARED();
  const auto dir = harmonia::test::shared_dir() / "data/midi/miditok-tests/MIDIs_corrupted";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "no " << dir;
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++seen;
    try {
      read_midi_file(entry.path().string());
      ADD_FAILURE() << entry.path() << " parsed although it is corrupted";
    } catch (const MidiError& e) {
      EXPECT_NE(std::string(e.what()).find(entry.path().filename().string()), std::string::npos);
    }
  }
  EXPECT_GT(seen, 0);
}
