// The fake port for scheduler tests: records every message with the time it arrived.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "core/audio/midi_output.hpp"

namespace harmonia::test {

class RecordingOutput : public audio::MidiOutput {
 public:
  using Clock = std::chrono::steady_clock;
  struct Received {
    Clock::time_point at;
    audio::MidiMessage message;
    bool panic = false;  // a panic() call, in stream order
  };

  void send(const audio::MidiMessage& message) override {
    const auto now = Clock::now();  // first: the lock must not count as lateness
    std::lock_guard<std::mutex> lock(mutex_);
    received_.push_back({now, message});
  }
  void panic() override {
    const auto now = Clock::now();
    std::lock_guard<std::mutex> lock(mutex_);
    ++panics_;
    received_.push_back({now, audio::MidiMessage{}, true});
  }
  std::string description() const override { return "recording output (test)"; }

  std::vector<Received> received() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }
  std::vector<Received> note_ons() const {
    std::vector<Received> out;
    for (const auto& r : received()) {
      if (r.message.is_note_on()) out.push_back(r);
    }
    return out;
  }
  int panics() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return panics_;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    received_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  int panics_ = 0;
};

}  // namespace harmonia::test
