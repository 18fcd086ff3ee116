// Recording a prompt: timestamped keyboard messages become a Score.
#include <gtest/gtest.h>

#include "core/audio/audio_error.hpp"
#include "core/audio/count_in.hpp"
#include "core/audio/midi_recording.hpp"

using namespace harmonia;

namespace {
void add(audio::MidiRecording& r, double s, std::initializer_list<uint8_t> bytes) {
  std::vector<uint8_t> b(bytes);
  r.add(s, b.data(), b.size());
}
}  // namespace

TEST(AudioMidiRecording, NotesProgramsPedalAndDrumsBecomeTracks) {
  audio::MidiRecording r;
  add(r, 0.50, {0xC0, 5});          // program 6 on channel 1
  add(r, 0.50, {0x90, 60, 100});
  add(r, 0.75, {0xB0, 64, 127});    // pedal down
  add(r, 1.00, {0x90, 60, 0});      // note-on with velocity 0 = off
  add(r, 1.00, {0x90, 64, 90});
  add(r, 1.25, {0xB0, 64, 0});      // pedal up
  add(r, 1.50, {0x80, 64, 0});
  add(r, 1.10, {0x99, 36, 110});    // kick on channel 10, arrives out of order
  add(r, 1.20, {0x89, 36, 0});
  add(r, 1.60, {0x90, 67, 80});     // still held when recording stops
  add(r, 1.70, {0xF8});             // clock: ignored
  add(r, 1.70, {0x80, 50, 0});      // an off without its on: ignored
  EXPECT_EQ(r.message_count(), 11u);

  const midi::Score s = r.to_score(2.0, 120.0, 480);  // 960 ticks per second
  ASSERT_EQ(s.tempos.size(), 1u);
  EXPECT_EQ(s.tempos[0].us_per_quarter, 500000);
  ASSERT_EQ(s.tracks.size(), 2u);
  const auto& piano = s.tracks[0].is_drum ? s.tracks[1] : s.tracks[0];
  const auto& drums = s.tracks[0].is_drum ? s.tracks[0] : s.tracks[1];
  EXPECT_EQ(piano.program, 5);
  EXPECT_EQ(piano.channel, 0);
  const std::vector<midi::Note> expected = {{480, 480, 60, 100}, {960, 480, 64, 90}, {1536, 384, 67, 80}};
  EXPECT_EQ(piano.notes, expected);
  ASSERT_EQ(piano.pedals.size(), 1u);
  EXPECT_EQ(piano.pedals[0].time, 720);
  EXPECT_EQ(piano.pedals[0].duration, 480);
  EXPECT_TRUE(drums.is_drum);
  EXPECT_EQ(drums.channel, 9);
  ASSERT_EQ(drums.notes.size(), 1u);
  EXPECT_EQ(drums.notes[0], (midi::Note{1056, 96, 36, 110}));
}

TEST(AudioMidiRecording, NothingPlayedGivesAnEmptyScore) {
  audio::MidiRecording r;
  const auto s = r.to_score(3.0);
  EXPECT_TRUE(s.tracks.empty());
  EXPECT_EQ(s.note_count(), 0u);
}

TEST(AudioMidiRecording, UnknownInputPortIsAClearError) {
  try {
    audio::MidiInputRecorder recorder("No Such Keyboard 98765");
    FAIL() << "an unknown input opened";
  } catch (const audio::DeviceUnavailableError& e) {
    EXPECT_NE(std::string(e.what()).find("No Such Keyboard 98765"), std::string::npos) << e.what();
  }
}

// The count-in: a bar of clicks, and the take moved so that the bar after it starts at 0.
TEST(AudioMidiRecording, CountInClicksAndTrimming) {
  const midi::Score clicks = audio::count_in_clicks(120.0, 3, 4);
  ASSERT_EQ(clicks.tracks.size(), 1u);
  EXPECT_TRUE(clicks.tracks[0].is_drum);
  ASSERT_EQ(clicks.tracks[0].notes.size(), 3u);
  EXPECT_EQ(clicks.tracks[0].notes[0].pitch, 76);  // the downbeat: high wood block
  EXPECT_EQ(clicks.tracks[0].notes[1].pitch, 77);
  EXPECT_EQ(clicks.tracks[0].notes[2].time, 960);
  EXPECT_DOUBLE_EQ(audio::count_in_seconds(120.0, 3, 4), 1.5);

  audio::MidiRecording r;
  add(r, 0.50, {0x90, 40, 90});  // during the count-in: dropped
  add(r, 0.60, {0x80, 40, 0});
  add(r, 1.95, {0x90, 60, 100});  // 50 ms early: starts on the downbeat
  add(r, 2.30, {0x80, 60, 0});
  add(r, 2.50, {0x90, 62, 100});  // half a second in: 480 ticks at 120 qpm
  add(r, 3.00, {0x80, 62, 0});
  const midi::Score take = audio::trim_count_in(r.to_score(3.5), 2.0);
  ASSERT_EQ(take.tracks.size(), 1u);
  const std::vector<midi::Note> expected = {{0, 288, 60, 100}, {480, 480, 62, 100}};
  EXPECT_EQ(take.tracks[0].notes, expected);
  EXPECT_EQ(audio::trim_count_in(r.to_score(3.5), 3.2).note_count(), 0u);
}
