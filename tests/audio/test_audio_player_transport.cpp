// Transport of the ScorePlayer against a fake port: pause, seek (with controller chase),
// loop, tempo scale, mute/solo, stop/panic, play-head and state callbacks, thread safety.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>
#include <memory>
#include <random>
#include <thread>

#include "audio_fixtures.hpp"
#include "core/audio/score_player.hpp"
#include "recording_output.hpp"

using namespace harmonia;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Wall-clock tolerance for transport checks: generous enough for a loaded shared VM (its
// spikes reach ~25 ms), tight next to the intervals tested (100 ms and more). Precise
// timing is test_audio_scheduler_timing's job.
constexpr double kSlack = 0.03;

namespace {

std::shared_ptr<audio::PlaybackEvents> events_of(const midi::Score& score) {
  return std::make_shared<audio::PlaybackEvents>(audio::build_playback_events(score));
}

double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

struct Rig {
  std::shared_ptr<test::RecordingOutput> port = std::make_shared<test::RecordingOutput>();
  audio::ScorePlayer player{port};
  explicit Rig(const midi::Score& score) {
    player.load(events_of(score));
    std::this_thread::sleep_for(10ms);
    port->clear();
  }
};

}  // namespace

TEST(AudioPlayerTransport, PauseKeepsThePositionAndResumeContinues) {
  Rig rig(test::score_of_notes({{60, 0.0, 0.1}, {62, 0.3, 0.1}, {64, 0.5, 0.1}}));
  rig.player.play();
  std::this_thread::sleep_for(150ms);
  rig.player.pause();
  EXPECT_EQ(rig.player.state(), audio::PlayerState::Paused);
  const double paused_at = rig.player.position();
  EXPECT_NEAR(paused_at, 0.15, 0.05);
  std::this_thread::sleep_for(250ms);  // past the second note's time: it must wait for resume
  EXPECT_EQ(rig.port->note_ons().size(), 1u);
  EXPECT_DOUBLE_EQ(rig.player.position(), paused_at);
  EXPECT_GE(rig.port->panics(), 1) << "pause must release sounding notes";

  const auto resumed = Clock::now();
  rig.player.play();
  ASSERT_TRUE(rig.player.wait_while_playing(3s));
  const auto ons = rig.port->note_ons();
  ASSERT_EQ(ons.size(), 3u);
  EXPECT_EQ(ons[1].message.bytes[1], 62);
  EXPECT_NEAR(seconds_between(resumed, ons[1].at), 0.3 - paused_at, kSlack);
  EXPECT_NEAR(seconds_between(resumed, ons[2].at), 0.5 - paused_at, kSlack);
}

TEST(AudioPlayerTransport, SeekSkipsEarlierNotesAndChasesProgramsAndControllers) {
  auto score = test::score_of_notes({{60, 0.0, 0.2}, {62, 0.5, 0.2}, {64, 1.0, 0.2}}, /*program=*/41);
  score.tracks[0].controls.push_back({480, 7, 90});  // volume at 0.5 s
  Rig rig(score);
  rig.player.seek(0.9);
  EXPECT_NEAR(rig.player.position(), 0.9, 1e-9);
  rig.player.play();
  ASSERT_TRUE(rig.player.wait_while_playing(3s));
  const auto got = rig.port->received();
  bool program = false, volume = false;
  for (const auto& r : got) {
    if (r.message == audio::MidiMessage::program(0, 41)) program = true;
    if (r.message == audio::MidiMessage::control(0, 7, 90)) volume = true;
  }
  EXPECT_TRUE(program) << "the program was not restored after the seek";
  EXPECT_TRUE(volume) << "the volume controller was not restored after the seek";
  const auto ons = rig.port->note_ons();
  ASSERT_EQ(ons.size(), 1u);
  EXPECT_EQ(ons[0].message.bytes[1], 64);
}

TEST(AudioPlayerTransport, LoopRepeatsTheRangeWithoutDrift) {
  Rig rig(test::score_of_notes({{60, 0.05, 0.1}, {72, 0.5, 0.1}}));
  rig.player.set_loop(0.0, 0.2);
  rig.player.play();
  std::this_thread::sleep_for(870ms);
  rig.player.stop();
  const auto ons = rig.port->note_ons();
  ASSERT_GE(ons.size(), 4u);
  std::vector<double> errors;
  for (size_t i = 1; i < ons.size(); ++i) errors.push_back(std::abs(seconds_between(ons[0].at, ons[i].at) - 0.2 * double(i)));
  std::sort(errors.begin(), errors.end());
  EXPECT_LT(errors[errors.size() / 2], 0.003) << "the loop period is off";
  for (size_t i = 0; i < ons.size(); ++i) {
    EXPECT_EQ(ons[i].message.bytes[1], 60) << "a note outside the loop played";
    // Measured from the first pass: a loop that drifted would be further off with every pass.
    if (i > 0) EXPECT_NEAR(seconds_between(ons[0].at, ons[i].at), 0.2 * double(i), kSlack) << "loop " << i;
  }
  EXPECT_THROW(rig.player.set_loop(0.5, 0.5), audio::AudioError);
}

TEST(AudioPlayerTransport, TempoScaleChangesSpeed) {
  Rig rig(test::score_of_notes({{60, 0.2, 0.1}, {62, 0.4, 0.1}}));
  rig.player.set_tempo_scale(2.0);
  const auto start = Clock::now();
  rig.player.play();
  ASSERT_TRUE(rig.player.wait_while_playing(3s));
  const auto ons = rig.port->note_ons();
  ASSERT_EQ(ons.size(), 2u);
  EXPECT_NEAR(seconds_between(start, ons[0].at), 0.1, kSlack);
  EXPECT_NEAR(seconds_between(start, ons[1].at), 0.2, kSlack);
  EXPECT_THROW(rig.player.set_tempo_scale(0.0), audio::AudioError);
}

TEST(AudioPlayerTransport, MuteAndSoloSelectTracks) {
  auto score = test::score_of_notes({{60, 0.0, 0.05}, {61, 0.1, 0.05}});
  auto other = test::score_of_notes({{70, 0.0, 0.05}, {71, 0.1, 0.05}}).tracks[0];
  other.channel = 1;
  score.tracks.push_back(other);
  Rig rig(score);
  auto channels_heard = [&] {
    std::set<int> pitches;
    for (const auto& r : rig.port->note_ons()) pitches.insert(r.message.bytes[1]);
    return pitches;
  };
  rig.player.set_track_muted(1, true);
  rig.player.play();
  ASSERT_TRUE(rig.player.wait_while_playing(3s));
  EXPECT_EQ(channels_heard(), (std::set<int>{60, 61}));

  rig.port->clear();
  rig.player.set_track_muted(1, false);
  rig.player.set_track_solo(1, true);
  EXPECT_FALSE(rig.player.track_audible(0));
  rig.player.play();  // from the start again after Finished
  ASSERT_TRUE(rig.player.wait_while_playing(3s));
  EXPECT_EQ(channels_heard(), (std::set<int>{70, 71}));
  // Note-offs of notes that were never started are not sent.
  for (const auto& r : rig.port->received()) {
    if (r.message.is_note_off()) EXPECT_GE(r.message.bytes[1], 70);
  }
}

TEST(AudioPlayerTransport, StopPanicsAndReturnsToTheStart) {
  Rig rig(test::score_of_notes({{60, 0.0, 2.0}}));
  rig.player.play();
  std::this_thread::sleep_for(100ms);
  const int panics_before = rig.port->panics();
  rig.player.stop();
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(rig.player.state(), audio::PlayerState::Stopped);
  EXPECT_EQ(rig.player.position(), 0.0);
  EXPECT_GT(rig.port->panics(), panics_before);
}

TEST(AudioPlayerTransport, CallbacksReportPlayHeadAndState) {
  Rig rig(test::score_of_notes({{60, 0.0, 0.3}}));
  std::mutex m;
  std::vector<double> positions;
  std::vector<audio::PlayerState> states;
  rig.player.set_position_callback([&](double s) { std::lock_guard<std::mutex> l(m); positions.push_back(s); }, 20ms);
  rig.player.set_state_callback([&](audio::PlayerState s) { std::lock_guard<std::mutex> l(m); states.push_back(s); });
  rig.player.play();
  ASSERT_TRUE(rig.player.wait_while_playing(3s));
  std::this_thread::sleep_for(20ms);
  std::lock_guard<std::mutex> l(m);
  ASSERT_GE(positions.size(), 10u);
  EXPECT_TRUE(std::is_sorted(positions.begin(), positions.end()));
  EXPECT_NEAR(positions.back(), 0.3, 1e-9);
  EXPECT_EQ(states, (std::vector<audio::PlayerState>{audio::PlayerState::Playing, audio::PlayerState::Finished}));
}

TEST(AudioPlayerTransport, ConcurrentRequestsNeitherCrashNorHangNotes) {
  std::vector<std::tuple<int, double, double>> notes;
  midi::Score score = test::score_of_notes({});
  for (int i = 0; i < 100; ++i) score.tracks[0].notes.push_back({midi::Tick(i * 10), 40, 40 + i % 40, 100});
  Rig rig(score);
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      while (!done) {
        switch (rng() % 7) {
          case 0: rig.player.play(); break;
          case 1: rig.player.pause(); break;
          case 2: rig.player.seek(double(rng() % 1000) / 1000.0); break;
          case 3: rig.player.set_tempo_scale(0.5 + double(rng() % 30) / 10.0); break;
          case 4: rig.player.set_track_muted(0, rng() % 2); break;
          case 5: rig.player.position(); break;
          default: rig.player.set_loop(0.1, 0.6); break;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
      }
    });
  }
  std::this_thread::sleep_for(400ms);
  done = true;
  for (auto& th : threads) th.join();
  rig.player.stop();
  std::this_thread::sleep_for(30ms);
  // Every note that went out was switched off, by its own note-off or by a later panic.
  const auto got = rig.port->received();
  EXPECT_GT(got.size(), 0u);
  int sounding = 0;
  for (const auto& r : got) {
    if (r.panic) sounding = 0;
    if (r.message.is_note_on()) ++sounding;
    if (r.message.is_note_off()) --sounding;
    EXPECT_GE(sounding, 0) << "a note-off for a note that was not sounding";
  }
  EXPECT_EQ(sounding, 0) << "notes left hanging";
  EXPECT_GE(rig.port->panics(), 1);
}
