// Score -> timed event list: order within a tick, tempo map, channels, programs, chase.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "audio_fixtures.hpp"
#include "core/audio/playback_events.hpp"

using namespace harmonia;
using audio::MidiMessage;

namespace {

std::vector<MidiMessage> messages(const audio::PlaybackEvents& list) {
  std::vector<MidiMessage> out;
  for (const auto& e : list.events) out.push_back(e.message);
  return out;
}

midi::Track track_on(int channel, int program, std::vector<midi::Note> notes, bool drum = false) {
  midi::Track t;
  t.channel = channel;
  t.program = program;
  t.is_drum = drum;
  t.notes = std::move(notes);
  return t;
}

}  // namespace

TEST(AudioPlaybackEvents, RepeatedNoteIsReleasedBeforeItIsStruckAgain) {
  midi::Score score;
  score.tracks.push_back(track_on(0, 5, {{0, 480, 60, 100}, {480, 480, 60, 90}, {960, 0, 62, 80}}));
  const auto list = audio::build_playback_events(score);
  const std::vector<MidiMessage> expected = {
      MidiMessage::program(0, 5),
      MidiMessage::note_on(0, 60, 100),
      MidiMessage::note_off(0, 60),  // tick 480: off first...
      MidiMessage::note_on(0, 60, 90),  // ...then on again
      MidiMessage::note_off(0, 60),
      MidiMessage::note_on(0, 62, 80),  // a zero-length note: on, then off
      MidiMessage::note_off(0, 62),
  };
  EXPECT_EQ(messages(list), expected);
  EXPECT_DOUBLE_EQ(list.duration_seconds, 1.0);  // 960 ticks at 120 qpm, 480 tpq
}

TEST(AudioPlaybackEvents, SecondsFollowTheTempoMap) {
  midi::Score score;
  score.ticks_per_quarter = 100;
  score.tempos = {{0, 500000}, {200, 1000000}};  // 0.5 s per quarter, then 1 s per quarter
  score.tracks.push_back(track_on(0, 0, {{100, 10, 60, 100}, {300, 10, 61, 100}}));
  const auto list = audio::build_playback_events(score);
  std::vector<double> on_times;
  for (const auto& e : list.events) {
    if (e.message.is_note_on()) on_times.push_back(e.seconds);
  }
  ASSERT_EQ(on_times.size(), 2u);
  EXPECT_DOUBLE_EQ(on_times[0], 0.5);
  EXPECT_DOUBLE_EQ(on_times[1], 1.0 + 1.0);  // 200 ticks at 0.5 s/q, then 100 at 1 s/q
  EXPECT_TRUE(std::is_sorted(list.events.begin(), list.events.end(),
                             [](const auto& a, const auto& b) { return a.seconds < b.seconds; }));
}

TEST(AudioPlaybackEvents, DrumsGoToChannel10AndProgramsGetTheirOwnChannels) {
  midi::Score score;
  score.tracks.push_back(track_on(0, 0, {{0, 10, 60, 100}}));
  score.tracks.push_back(track_on(0, 40, {{0, 10, 70, 100}}));   // same channel, other program
  score.tracks.push_back(track_on(9, 0, {{0, 10, 36, 100}}, true));
  score.tracks.push_back(track_on(9, 24, {{0, 10, 50, 100}}));   // melodic track on channel 10
  score.tracks.push_back(track_on(-1, 33, {{0, 10, 40, 100}}));  // no channel chosen yet
  const auto channels = audio::assign_playback_channels(score);
  ASSERT_EQ(channels.size(), 5u);
  EXPECT_EQ(channels[0], 0);
  EXPECT_EQ(channels[2], 9);
  std::set<int> distinct(channels.begin(), channels.end());
  EXPECT_EQ(distinct.size(), 5u) << "each program needs its own channel";
  for (size_t i : {0u, 1u, 3u, 4u}) EXPECT_NE(channels[i], 9) << "track " << i << " would play as drums";

  const auto list = audio::build_playback_events(score);
  EXPECT_TRUE(list.tracks[2].is_drum);
  for (const auto& e : list.events) {
    if (e.message.is_note_on()) EXPECT_EQ(e.message.channel(), channels[e.track]);
  }
}

TEST(AudioPlaybackEvents, TracksSharingAChannelGetProgramChangesBeforeTheirNotes) {
  midi::Score score;
  for (int p = 0; p < 17; ++p) score.tracks.push_back(track_on(-1, p, {{midi::Tick(p * 10), 5, 60, 100}}));
  const auto list = audio::build_playback_events(score);
  int current[16];
  std::fill(std::begin(current), std::end(current), -1);
  for (const auto& e : list.events) {
    const auto& m = e.message;
    if (m.type() == 0xC0) current[m.channel()] = m.bytes[1];
    if (m.is_note_on()) EXPECT_EQ(current[m.channel()], list.tracks[e.track].program) << "track " << e.track;
  }
}

TEST(AudioPlaybackEvents, ChaseRestoresProgramControllersAndBend) {
  midi::Score score;
  auto t = track_on(2, 19, {{0, 960, 60, 100}});
  t.controls = {{100, 7, 50}, {200, 7, 60}, {300, 64, 127}, {2000, 7, 10}};
  t.pitch_bends = {{400, 1000}};
  score.tracks.push_back(t);
  const auto list = audio::build_playback_events(score);
  const double at = score.ticks_to_seconds(1000);
  const auto chased = audio::chase_state(list, at);
  auto has = [&](const MidiMessage& m) { return std::find(chased.begin(), chased.end(), m) != chased.end(); };
  EXPECT_TRUE(has(MidiMessage::program(2, 19)));
  EXPECT_TRUE(has(MidiMessage::control(2, 7, 60)));
  EXPECT_FALSE(has(MidiMessage::control(2, 7, 50))) << "only the latest value of a controller";
  EXPECT_FALSE(has(MidiMessage::control(2, 7, 10))) << "a later value leaked into the past";
  EXPECT_TRUE(has(MidiMessage::control(2, 64, 127)));
  EXPECT_TRUE(has(MidiMessage::pitch_bend(2, 1000)));
  EXPECT_EQ(audio::first_event_at(list, at), list.events.size() - 1);  // only the CC at 2000 is left

  // Seeking back before the changes undoes them: defaults for what the piece touches later.
  const auto start = audio::chase_state(list, 0.0);
  auto at_start = [&](const MidiMessage& m) { return std::find(start.begin(), start.end(), m) != start.end(); };
  EXPECT_TRUE(at_start(MidiMessage::control(2, 7, 100)));
  EXPECT_TRUE(at_start(MidiMessage::control(2, 64, 0)));
  EXPECT_TRUE(at_start(MidiMessage::pitch_bend(2, 0)));
  EXPECT_FALSE(at_start(MidiMessage::program(2, 19))) << "the program event at 0 is still ahead";
}

TEST(AudioPlaybackEvents, EmptyScoreGivesNoEvents) {
  const auto list = audio::build_playback_events(midi::Score{});
  EXPECT_TRUE(list.events.empty());
  EXPECT_EQ(list.duration_seconds, 0.0);
}
