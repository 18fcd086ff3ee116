#include "core/audio/score_player.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/audio/audio_error.hpp"

#ifdef __linux__
#include <pthread.h>
#include <sys/prctl.h>
#endif

namespace harmonia::audio {
namespace {

// Ask for precise wake-ups: 1 ns timer slack instead of Linux's default 50 us, and a
// real-time priority when the system grants one (it usually does not: that is fine).
void tune_scheduler_thread() {
#ifdef __linux__
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  sched_param param{};
  param.sched_priority = 10;
  pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
#endif
}

}  // namespace

const char* to_string(PlayerState state) {
  switch (state) {
    case PlayerState::Stopped: return "stopped";
    case PlayerState::Playing: return "playing";
    case PlayerState::Paused: return "paused";
    case PlayerState::Finished: return "finished";
  }
  return "?";
}

ScorePlayer::ScorePlayer(std::shared_ptr<MidiOutput> output) : output_(std::move(output)) {
  if (!output_) throw AudioError("player: no MIDI output given");
  events_ = std::make_shared<PlaybackEvents>();
  thread_ = std::thread([this] { run(); });
}

ScorePlayer::~ScorePlayer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    quit_ = true;
    wake();
  }
  thread_.join();
}

void ScorePlayer::wake() {
  ++serial_;
  wake_cv_.notify_all();
  state_cv_.notify_all();
}

double ScorePlayer::position_at(Clock::time_point t) const {
  if (state_ != PlayerState::Playing) return pos_;
  const double p = anchor_pos_ + std::chrono::duration<double>(t - anchor_time_).count() * scale_;
  const double end = loop_ ? loop_->end : events_->duration_seconds;
  return std::clamp(p, 0.0, std::max(end, 0.0));
}

ScorePlayer::Clock::time_point ScorePlayer::deadline_of(double score_seconds) const {
  return anchor_time_ + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>((score_seconds - anchor_pos_) / scale_));
}

bool ScorePlayer::audible(int track) const {
  if (track < 0 || size_t(track) >= muted_.size()) return true;
  if (muted_[track]) return false;
  const bool any_solo = std::find(solo_.begin(), solo_.end(), true) != solo_.end();
  return !any_solo || solo_[track];
}

void ScorePlayer::restart_at(double seconds, Clock::time_point when) {
  anchor_time_ = when;
  anchor_pos_ = seconds;
  pos_ = seconds;
  next_ = first_event_at(*events_, seconds);
  chase_pending_ = true;
}

void ScorePlayer::load(std::shared_ptr<const PlaybackEvents> events) {
  if (!events) throw AudioError("player: no events to load");
  std::lock_guard<std::mutex> lock(mutex_);
  events_ = std::move(events);
  state_ = PlayerState::Stopped;
  pos_ = 0.0;
  next_ = 0;
  loop_.reset();
  muted_.assign(events_->tracks.size(), false);
  solo_.assign(events_->tracks.size(), false);
  panic_pending_ = true;
  wake();
}

void ScorePlayer::play() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (state_ == PlayerState::Playing) return;
  if (state_ == PlayerState::Finished) pos_ = loop_ ? loop_->start : 0.0;
  state_ = PlayerState::Playing;
  timing_ = SchedulerTiming{};
  late_sum_ms_ = 0.0;
  restart_at(pos_, Clock::now());
  next_position_report_ = anchor_time_;
  wake();
}

void ScorePlayer::pause() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (state_ != PlayerState::Playing) return;
  pos_ = position_at(Clock::now());
  state_ = PlayerState::Paused;
  panic_pending_ = true;
  position_report_pending_ = true;
  wake();
}

void ScorePlayer::stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  state_ = PlayerState::Stopped;
  pos_ = loop_ ? loop_->start : 0.0;
  next_ = first_event_at(*events_, pos_);
  panic_pending_ = true;
  position_report_pending_ = true;
  wake();
}

void ScorePlayer::seek(double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!std::isfinite(seconds)) seconds = 0.0;
  seconds = std::clamp(seconds, 0.0, events_->duration_seconds);
  if (state_ == PlayerState::Finished) state_ = PlayerState::Paused;
  if (state_ == PlayerState::Playing) {
    panic_pending_ = true;  // notes of the old position must not hang on
    restart_at(seconds, Clock::now());
  } else {
    pos_ = seconds;
    next_ = first_event_at(*events_, seconds);
  }
  position_report_pending_ = true;
  wake();
}

void ScorePlayer::set_loop(double start, double end) {
  if (!std::isfinite(start) || !std::isfinite(end) || start < 0.0 || end <= start) {
    throw AudioError("player: loop range " + std::to_string(start) + " .. " + std::to_string(end) +
                     " s is empty or negative");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  loop_ = LoopRange{start, end};
  if (state_ == PlayerState::Playing) {
    const auto now = Clock::now();
    const double p = anchor_pos_ + std::chrono::duration<double>(now - anchor_time_).count() * scale_;
    if (p >= end || p < start) {  // outside the new range: jump in
      panic_pending_ = true;
      restart_at(start, now);
    }
  }
  wake();
}

void ScorePlayer::clear_loop() {
  std::lock_guard<std::mutex> lock(mutex_);
  loop_.reset();
  wake();
}

void ScorePlayer::set_tempo_scale(double scale) {
  if (!(scale >= 0.05 && scale <= 20.0)) {
    throw AudioError("player: tempo scale " + std::to_string(scale) + " is outside 0.05 .. 20");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (state_ == PlayerState::Playing) {
    // Re-anchor at the current position so the change does not make the music jump.
    const auto now = Clock::now();
    anchor_pos_ = position_at(now);
    anchor_time_ = now;
  }
  scale_ = scale;
  wake();
}

void ScorePlayer::set_track_muted(int track, bool muted) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (track < 0 || size_t(track) >= muted_.size()) return;
  muted_[track] = muted;
  mute_release_pending_ = true;
  wake();
}

void ScorePlayer::set_track_solo(int track, bool solo) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (track < 0 || size_t(track) >= solo_.size()) return;
  solo_[track] = solo;
  mute_release_pending_ = true;
  wake();
}

void ScorePlayer::set_position_callback(PositionCallback callback, std::chrono::milliseconds interval) {
  std::lock_guard<std::mutex> lock(mutex_);
  position_callback_ = callback ? std::make_shared<PositionCallback>(std::move(callback)) : nullptr;
  position_interval_ = std::max(interval, std::chrono::milliseconds(1));
  wake();
}

void ScorePlayer::set_state_callback(StateCallback callback) {
  std::lock_guard<std::mutex> lock(mutex_);
  state_callback_ = callback ? std::make_shared<StateCallback>(std::move(callback)) : nullptr;
}

PlayerState ScorePlayer::state() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_;
}

double ScorePlayer::position() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return position_at(Clock::now());
}

double ScorePlayer::duration() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_->duration_seconds;
}

double ScorePlayer::tempo_scale() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return scale_;
}

std::optional<LoopRange> ScorePlayer::loop() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return loop_;
}

bool ScorePlayer::track_audible(int track) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return audible(track);
}

SchedulerTiming ScorePlayer::timing() const {
  std::lock_guard<std::mutex> lock(mutex_);
  SchedulerTiming t = timing_;
  t.mean_late_ms = t.events ? late_sum_ms_ / double(t.events) : 0.0;
  return t;
}

bool ScorePlayer::wait_while_playing(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return state_cv_.wait_for(lock, timeout, [this] { return state_ != PlayerState::Playing; });
}

void ScorePlayer::dispatch(const PlaybackEvent& e, std::vector<MidiMessage>& batch) {
  const MidiMessage& m = e.message;
  if (m.is_note_on()) {
    if (!audible(e.track)) return;
    active_.push_back({e.track, m.channel(), m.bytes[1]});
    batch.push_back(m);
  } else if (m.is_note_off()) {
    // Only notes we started: muted notes and notes already released by a pause, seek or
    // mute are not switched off twice.
    auto it = std::find_if(active_.begin(), active_.end(), [&](const ActiveNote& a) {
      return a.channel == m.channel() && a.pitch == m.bytes[1];
    });
    if (it == active_.end()) return;
    active_.erase(it);
    batch.push_back(m);
  } else {
    batch.push_back(m);
  }
}

void ScorePlayer::release_notes(std::vector<MidiMessage>& batch, bool only_inaudible) {
  auto keep = std::remove_if(active_.begin(), active_.end(), [&](const ActiveNote& a) {
    if (only_inaudible && audible(a.track)) return false;
    batch.push_back(MidiMessage::note_off(a.channel, a.pitch));
    return true;
  });
  active_.erase(keep, active_.end());
}

void ScorePlayer::run() {
  tune_scheduler_thread();
  std::vector<MidiMessage> batch;
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    batch.clear();
    bool panic = false;
    bool report_position = false;
    double reported_position = 0.0;
    Clock::time_point wake_at = Clock::time_point::max();

    if (quit_) {
      if (state_ == PlayerState::Playing || state_ == PlayerState::Paused || !active_.empty()) {
        lock.unlock();
        output_->panic();
      }
      return;
    }
    if (panic_pending_) {
      panic = true;
      active_.clear();
      panic_pending_ = false;
    }
    if (mute_release_pending_) {
      release_notes(batch, true);
      mute_release_pending_ = false;
    }
    if (chase_pending_) {
      // After a panic (which also lifts the sustain pedal) restore programs/controllers.
      for (const auto& m : chase_state(*events_, anchor_pos_)) batch.push_back(m);
      chase_pending_ = false;
    }

    if (state_ == PlayerState::Playing) {
      const auto now = Clock::now();
      const auto& events = events_->events;
      const double loop_end = loop_ ? loop_->end : std::numeric_limits<double>::infinity();
      while (next_ < events.size() && events[next_].seconds < loop_end) {
        const auto deadline = deadline_of(events[next_].seconds);
        if (deadline > now) {
          wake_at = deadline;
          break;
        }
        dispatch(events[next_], batch);
        const double late_ms = std::chrono::duration<double, std::milli>(Clock::now() - deadline).count();
        ++timing_.events;
        late_sum_ms_ += late_ms;
        timing_.max_late_ms = std::max(timing_.max_late_ms, late_ms);
        if (late_ms > 2.0) ++timing_.over_2ms;
        ++next_;
      }
      const bool all_sent = next_ >= events.size() || events[next_].seconds >= loop_end;
      if (all_sent && loop_) {
        const auto loop_deadline = deadline_of(loop_->end);
        if (loop_deadline <= now) {
          // Wrap at the exact deadline of the loop end (not `now`) so loops do not drift.
          release_notes(batch, false);
          for (int ch = 0; ch < 16; ++ch) batch.push_back(MidiMessage::control(ch, kCcSustain, 0));
          restart_at(loop_->start, loop_deadline);
          wake_at = now;  // events at the loop start may be due already
        } else {
          wake_at = std::min(wake_at, loop_deadline);
        }
      } else if (all_sent) {
        const auto end_deadline = deadline_of(events_->duration_seconds);
        if (end_deadline <= now) {
          state_ = PlayerState::Finished;
          pos_ = events_->duration_seconds;
          release_notes(batch, false);
          position_report_pending_ = true;
        } else {
          wake_at = std::min(wake_at, end_deadline);
        }
      }
      if (position_callback_ && state_ == PlayerState::Playing) {
        if (now >= next_position_report_) {
          report_position = true;
          reported_position = position_at(now);
          next_position_report_ = now + position_interval_;
        }
        wake_at = std::min(wake_at, next_position_report_);
      }
    }
    if (position_report_pending_) {
      position_report_pending_ = false;
      if (position_callback_) {
        report_position = true;
        reported_position = position_at(Clock::now());
      }
    }
    const bool report_state = state_ != reported_state_;
    reported_state_ = state_;
    if (report_state) state_cv_.notify_all();

    if (!batch.empty() || panic || report_position || report_state) {
      auto output = output_;
      auto position_callback = report_position ? position_callback_ : nullptr;
      auto state_callback = report_state ? state_callback_ : nullptr;
      const PlayerState state = state_;
      lock.unlock();
      if (panic) output->panic();
      for (const auto& m : batch) output->send(m);
      if (position_callback) (*position_callback)(reported_position);
      if (state_callback) (*state_callback)(state);
      lock.lock();
      continue;  // requests may have come in meanwhile; more events may be due
    }
    const uint64_t seen = serial_;
    if (wake_at == Clock::time_point::max()) {
      wake_cv_.wait(lock, [&] { return quit_ || serial_ != seen; });
    } else if (wake_at > Clock::now()) {
      wake_cv_.wait_until(lock, wake_at, [&] { return quit_ || serial_ != seen; });
    }
  }
}

}  // namespace harmonia::audio
