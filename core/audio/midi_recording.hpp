// Recording a prompt from a MIDI keyboard: timestamped messages in, a Score out.
// MidiRecording is the port-free part (tested alone); MidiInputRecorder feeds it from an
// RtMidi input port on RtMidi's callback thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/midi/score.hpp"

class RtMidiIn;

namespace harmonia::audio {

class MidiRecording {
 public:
  // `seconds` since the recording started; `bytes` one complete MIDI message.
  void add(double seconds, const uint8_t* bytes, size_t size);
  // Notes still held are ended at `end_seconds`. One track per (channel, program), drums
  // on channel 10; time at `qpm` with `ticks_per_quarter` (a tempo event is written).
  midi::Score to_score(double end_seconds, double qpm = 120.0, int ticks_per_quarter = 480) const;
  size_t message_count() const;

 private:
  struct Message {
    double seconds;
    uint8_t bytes[3];
    uint8_t size;
  };
  mutable std::mutex mutex_;  // add() runs on the MIDI thread, to_score() on the caller's
  std::vector<Message> messages_;
};

class MidiInputRecorder {
 public:
  // Opens the input whose name equals or uniquely contains `port_name`; an empty name
  // creates a virtual input port "Harmonia Studio in" that other programs can play into.
  // Throws DeviceUnavailableError naming what exists.
  explicit MidiInputRecorder(const std::string& port_name);
  ~MidiInputRecorder();
  double elapsed_seconds() const;
  // Stops listening and returns what was played.
  midi::Score finish(double qpm = 120.0);
  const std::string& description() const { return description_; }
  size_t message_count() const { return recording_.message_count(); }

 private:
  static void on_message(double delta, std::vector<unsigned char>* message, void* self);
  std::unique_ptr<RtMidiIn> in_;
  MidiRecording recording_;
  int64_t start_ns_ = 0;  // steady clock at open
  std::string description_;
};

}  // namespace harmonia::audio
