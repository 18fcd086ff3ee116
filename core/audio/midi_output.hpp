// Where the playback scheduler sends messages: an external port (RtMidi), the live
// FluidSynth synth, or a recorder in tests. Called from the scheduler thread only.
#pragma once

#include <string>

#include "core/audio/midi_message.hpp"

namespace harmonia::audio {

class MidiOutput {
 public:
  virtual ~MidiOutput() = default;
  virtual void send(const MidiMessage& message) = 0;
  // Silence everything now (stop, panic). The default sends sustain off, all notes off and
  // all sound off on all 16 channels; outputs with a faster way override it.
  virtual void panic();
  virtual std::string description() const = 0;
};

}  // namespace harmonia::audio
