// The reader against hand-built files whose every event the test knows.
#include <gtest/gtest.h>

#include "core/midi/midi_file.hpp"
#include "midi/midi_bytes.hpp"

using namespace harmonia::midi;
using harmonia::test::smf;
using harmonia::test::TrackBytes;

namespace {
Score parse(const std::vector<uint8_t>& bytes, MidiFileInfo* info = nullptr) {
  return read_midi(bytes.data(), bytes.size(), "test.mid", info);
}
}  // namespace

TEST(MidiReader, Format1ConductorAndNotesWithRunningStatus) {
  TrackBytes conductor;
  conductor.event(0, {0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20})  // 500000 us = 120 qpm
      .event(0, {0xFF, 0x58, 0x04, 0x03, 0x02, 24, 8})      // 3/4
      .event(0, {0xFF, 0x59, 0x02, 0xFE, 0x01})             // 2 flats, minor
      .event(960, {0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40})     // 1,000,000 us = 60 qpm at tick 960
      .end();
  TrackBytes piano;
  piano.event(0, {0xFF, 0x03, 5, 'P', 'i', 'a', 'n', 'o'})
      .event(0, {0xC0, 5})
      .event(0, {0x90, 60, 100})
      .event(0, {64, 90})      // running status: E4 on
      .event(480, {60, 0})     // running status, velocity 0 = note-off for C4
      .event(0, {0x80, 64, 0}) // explicit off for E4
      .end();
  const Score s = parse(smf(1, 480, {conductor, piano}));
  ASSERT_EQ(s.ticks_per_quarter, 480);
  ASSERT_EQ(s.tracks.size(), 1u);
  const Track& t = s.tracks[0];
  EXPECT_EQ(t.name, "Piano");
  EXPECT_EQ(t.program, 5);
  EXPECT_EQ(t.channel, 0);
  EXPECT_FALSE(t.is_drum);
  ASSERT_EQ(t.notes.size(), 2u);
  EXPECT_EQ(t.notes[0], (Note{0, 480, 60, 100}));
  EXPECT_EQ(t.notes[1], (Note{0, 480, 64, 90}));
  ASSERT_EQ(s.tempos.size(), 2u);
  EXPECT_DOUBLE_EQ(s.tempos[0].qpm(), 120.0);
  EXPECT_EQ(s.tempos[1].time, 960);
  ASSERT_EQ(s.time_signatures.size(), 1u);
  EXPECT_EQ(s.time_signatures[0].numerator, 3);
  EXPECT_EQ(s.time_signatures[0].denominator, 4);
  ASSERT_EQ(s.key_signatures.size(), 1u);
  EXPECT_EQ(s.key_signatures[0].sharps, -2);
  EXPECT_TRUE(s.key_signatures[0].minor);
  // Tempo map: 960 ticks at 120 qpm = 1 s, then 480 ticks at 60 qpm = 1 s.
  EXPECT_DOUBLE_EQ(s.ticks_to_seconds(960), 1.0);
  EXPECT_DOUBLE_EQ(s.ticks_to_seconds(1440), 2.0);
  EXPECT_EQ(s.seconds_to_ticks(2.0), 1440);
  EXPECT_EQ(s.seconds_to_ticks(0.5), 480);
}

TEST(MidiReader, OverlappingSamePitchNotesMatchFirstInFirstOut) {
  TrackBytes t;
  t.event(0, {0x90, 60, 10}).event(100, {0x90, 60, 20}).event(100, {0x80, 60, 0}).event(100, {0x80, 60, 0}).end();
  const Score s = parse(smf(0, 96, {t}));
  ASSERT_EQ(s.tracks.size(), 1u);
  ASSERT_EQ(s.tracks[0].notes.size(), 2u);
  EXPECT_EQ(s.tracks[0].notes[0], (Note{0, 200, 60, 10}));
  EXPECT_EQ(s.tracks[0].notes[1], (Note{100, 200, 60, 20}));
}

TEST(MidiReader, UnclosedNotesEndAtTrackEndAndStrayOffsIgnored) {
  TrackBytes t;
  t.event(0, {0x80, 70, 0}).event(10, {0x90, 61, 50}).end(990);
  const Score s = parse(smf(1, 96, {t}));
  ASSERT_EQ(s.tracks.size(), 1u);
  ASSERT_EQ(s.tracks[0].notes.size(), 1u);
  EXPECT_EQ(s.tracks[0].notes[0], (Note{10, 990, 61, 50}));
}

TEST(MidiReader, SysExAndUnknownMetaAndUnknownChunksSkipped) {
  TrackBytes t;
  t.event(0, {0xF0, 0x03, 0x7E, 0x7F, 0xF7})
      .event(0, {0xFF, 0x7F, 0x02, 0x00, 0x01})  // sequencer-specific
      .event(0, {0xFF, 0x01, 0x02, 'h', 'i'})
      .event(0, {0x91, 62, 80})
      .event(48, {0x81, 62, 0})
      .end();
  auto bytes = smf(1, 96, {t});
  const std::vector<uint8_t> alien = {'X', 'Y', 'Z', 'W', 0, 0, 0, 3, 1, 2, 3};
  bytes.insert(bytes.begin() + 14, alien.begin(), alien.end());
  const Score s = parse(bytes);
  ASSERT_EQ(s.tracks.size(), 1u);
  EXPECT_EQ(s.tracks[0].channel, 1);
  EXPECT_EQ(s.tracks[0].notes.at(0), (Note{0, 48, 62, 80}));
}

TEST(MidiReader, Format0SplitsByChannelAndProgramAndDrums) {
  TrackBytes t;
  t.event(0, {0xC0, 33})
      .event(0, {0x90, 40, 90})
      .event(0, {0x99, 36, 100})   // drums on channel 10
      .event(0, {0xC2, 0})
      .event(0, {0x92, 72, 70})
      .event(96, {0x80, 40, 0})
      .event(0, {0x89, 36, 0})
      .event(0, {0x82, 72, 0})
      .event(0, {0xC0, 34})        // program change mid-track: a new (channel, program) track
      .event(0, {0x90, 41, 90})
      .event(96, {0x80, 41, 0})
      .end();
  const Score s = parse(smf(0, 96, {t}));
  ASSERT_EQ(s.tracks.size(), 4u);
  EXPECT_EQ(s.tracks[0].program, 33);
  EXPECT_EQ(s.tracks[0].notes.at(0).pitch, 40);
  EXPECT_TRUE(s.tracks[1].is_drum);
  EXPECT_EQ(s.tracks[1].channel, 9);
  EXPECT_EQ(s.tracks[2].channel, 2);
  EXPECT_EQ(s.tracks[3].program, 34);
  EXPECT_EQ(s.tracks[3].notes.at(0), (Note{96, 96, 41, 90}));
  EXPECT_EQ(s.note_count(), 4u);
}

TEST(MidiReader, SustainPedalAndPitchBendKept) {
  TrackBytes t;
  t.event(0, {0xB0, 64, 127})
      .event(0, {0x90, 60, 90})
      .event(0, {0xE0, 0x00, 0x40})  // centre
      .event(10, {0xE0, 0x7F, 0x7F}) // max
      .event(90, {0x80, 60, 0})
      .event(100, {0xB0, 64, 0})
      .end();
  const Score s = parse(smf(1, 96, {t}));
  const Track& tr = s.tracks.at(0);
  ASSERT_EQ(tr.pedals.size(), 1u);
  EXPECT_EQ(tr.pedals[0], (Pedal{0, 200}));
  ASSERT_EQ(tr.pitch_bends.size(), 2u);
  EXPECT_EQ(tr.pitch_bends[0].value, 0);
  EXPECT_EQ(tr.pitch_bends[1].value, 8191);
  EXPECT_EQ(tr.controls.size(), 2u);
}

TEST(MidiReader, SmpteDivisionConvertedToSeconds) {
  // 25 fps x 40 ticks per frame = 1000 ticks per second.
  TrackBytes t;
  t.event(0, {0x90, 60, 90}).event(1000, {0x80, 60, 0}).end();
  MidiFileInfo info;
  const Score s = parse(smf(1, uint16_t((uint8_t(-25) << 8) | 40), {t}), &info);
  EXPECT_TRUE(info.smpte);
  EXPECT_NEAR(s.ticks_to_seconds(s.tracks.at(0).notes.at(0).end()), 1.0, 1e-9);
}

TEST(MidiReader, Format2TracksKept) {
  TrackBytes a, b;
  a.event(0, {0x90, 60, 90}).event(10, {0x80, 60, 0}).end();
  b.event(0, {0x90, 62, 90}).event(10, {0x80, 62, 0}).end();
  MidiFileInfo info;
  const Score s = parse(smf(2, 96, {a, b}), &info);
  EXPECT_EQ(info.format, 2);
  EXPECT_EQ(s.tracks.size(), 2u);
}

TEST(MidiWriter, HandBuiltScoreRoundTrips) {
  Score s;
  s.ticks_per_quarter = 384;
  s.tempos = {{0, 600000}, {1536, 400000}};
  s.time_signatures = {{0, 6, 8}, {3072, 4, 4}};
  s.key_signatures = {{0, 3, false}};
  Track piano;
  piano.name = "Lead";
  piano.program = 0;
  piano.channel = 0;
  piano.notes = {{0, 384, 60, 64}, {0, 0, 61, 1}, {384, 384, 60, 127}, {400, 10, 62, 33}};
  piano.controls = {{0, 64, 127}, {700, 64, 0}, {800, 7, 100}};
  piano.pitch_bends = {{5, -8192}, {6, 8191}};
  Track drums;
  drums.name = "Drums";
  drums.channel = 9;
  drums.is_drum = true;
  drums.notes = {{0, 24, 36, 100}, {192, 24, 38, 90}};
  s.tracks = {piano, drums};
  s.sort_events();
  // Pedals are derived from CC64 when reading: derive them the same way here.
  s.tracks[0].pedals = {{0, 700}};
  const auto bytes = write_midi(s);
  const Score back = read_midi(bytes.data(), bytes.size(), "roundtrip.mid");
  EXPECT_EQ(back.ticks_per_quarter, 384);
  EXPECT_EQ(back.tempos, s.tempos);
  EXPECT_EQ(back.time_signatures, s.time_signatures);
  EXPECT_EQ(back.key_signatures, s.key_signatures);
  ASSERT_EQ(back.tracks.size(), 2u);
  EXPECT_EQ(back.tracks[0].notes, s.tracks[0].notes);
  EXPECT_EQ(back.tracks[0], s.tracks[0]);
  EXPECT_EQ(back.tracks[1], s.tracks[1]);
  EXPECT_EQ(back, s);
}
