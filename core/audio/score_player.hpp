// Transport for live playback: play/pause/stop/seek/loop/tempo/mute/solo over any
// MidiOutput. A scheduling thread sends each event at an absolute deadline computed from
// one anchor (start time, start position, tempo scale), so timing never drifts the way
// sleep(delta) loops do. Every public method is thread-safe and returns at once: it
// records the request and wakes the thread, which does all sending.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/audio/midi_output.hpp"
#include "core/audio/playback_events.hpp"

namespace harmonia::audio {

enum class PlayerState { Stopped, Playing, Paused, Finished };
const char* to_string(PlayerState state);

struct LoopRange {
  double start = 0.0;  // seconds of score time (tempo scale 1)
  double end = 0.0;
};

// How late the scheduler dispatched events after their deadlines, as it measured them
// itself just before sending (since the last play()).
struct SchedulerTiming {
  size_t events = 0;
  double mean_late_ms = 0.0;
  double max_late_ms = 0.0;
  size_t over_2ms = 0;
};

class ScorePlayer {
 public:
  using Clock = std::chrono::steady_clock;
  // Called on the scheduler thread: a GUI must hand the value over to its own thread.
  using PositionCallback = std::function<void(double seconds)>;
  using StateCallback = std::function<void(PlayerState state)>;

  explicit ScorePlayer(std::shared_ptr<MidiOutput> output);
  ~ScorePlayer();  // stops (all notes off) and joins the thread
  ScorePlayer(const ScorePlayer&) = delete;
  ScorePlayer& operator=(const ScorePlayer&) = delete;

  // Replaces what is played; the player is stopped at position 0, mute/solo cleared.
  void load(std::shared_ptr<const PlaybackEvents> events);

  void play();   // from the current position; from the start after Finished
  void pause();  // keeps the position; sounding notes are released
  void stop();   // back to 0 (or the loop start), panic on the output
  void seek(double seconds);
  // Playback wraps from `end` to `start` until clear_loop(). Throws AudioError when the
  // range is empty or negative.
  void set_loop(double start, double end);
  void clear_loop();
  // 2.0 plays twice as fast. Throws AudioError outside [0.05, 20].
  void set_tempo_scale(double scale);
  void set_track_muted(int track, bool muted);
  void set_track_solo(int track, bool solo);  // any soloed track silences the others

  void set_position_callback(PositionCallback callback,
                             std::chrono::milliseconds interval = std::chrono::milliseconds(30));
  void set_state_callback(StateCallback callback);

  PlayerState state() const;
  double position() const;  // seconds of score time
  double duration() const;
  double tempo_scale() const;
  std::optional<LoopRange> loop() const;
  bool track_audible(int track) const;
  SchedulerTiming timing() const;

  // Blocks until the player is no longer Playing, or the timeout. True when not playing.
  bool wait_while_playing(std::chrono::milliseconds timeout) const;

 private:
  struct ActiveNote {
    int track;
    int channel;
    int pitch;
  };

  void run();
  void wake();  // caller holds mutex_
  double position_at(Clock::time_point t) const;
  Clock::time_point deadline_of(double score_seconds) const;
  bool audible(int track) const;
  void dispatch(const PlaybackEvent& e, std::vector<MidiMessage>& batch);
  void release_notes(std::vector<MidiMessage>& batch, bool only_inaudible);
  void restart_at(double seconds, Clock::time_point when);  // caller holds mutex_

  std::shared_ptr<MidiOutput> output_;
  std::shared_ptr<const PlaybackEvents> events_;

  mutable std::mutex mutex_;
  std::condition_variable wake_cv_;
  mutable std::condition_variable state_cv_;
  uint64_t serial_ = 0;  // bumped by every request so the thread re-plans
  bool quit_ = false;

  PlayerState state_ = PlayerState::Stopped;
  size_t next_ = 0;     // next event to send
  double pos_ = 0.0;    // position while not playing
  Clock::time_point anchor_time_{};
  double anchor_pos_ = 0.0;  // while playing: position(t) = anchor_pos_ + (t - anchor_time_) * scale_
  double scale_ = 1.0;
  std::optional<LoopRange> loop_;
  std::vector<bool> muted_, solo_;
  std::vector<ActiveNote> active_;

  bool panic_pending_ = false;
  bool chase_pending_ = false;
  bool mute_release_pending_ = false;

  std::shared_ptr<PositionCallback> position_callback_;
  Clock::duration position_interval_ = std::chrono::milliseconds(30);
  Clock::time_point next_position_report_{};
  bool position_report_pending_ = false;
  std::shared_ptr<StateCallback> state_callback_;
  PlayerState reported_state_ = PlayerState::Stopped;

  double late_sum_ms_ = 0.0;
  SchedulerTiming timing_;

  std::thread thread_;
};

}  // namespace harmonia::audio
