// External MIDI ports through RtMidi: list them, open one (or a virtual port a DAW can
// record from) as a MidiOutput, and record from an input port.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/audio/midi_output.hpp"

class RtMidiOut;

namespace harmonia::audio {

struct MidiPortInfo {
  int index = 0;
  std::string name;
  std::string api;  // "alsa", "jack", ...
};

struct MidiPortList {
  std::vector<MidiPortInfo> outputs;
  std::vector<MidiPortInfo> inputs;
  std::vector<std::string> problems;  // why an API could not be asked (no ALSA sequencer, no JACK server)
};

// Never throws: a machine without MIDI gives empty lists and the reasons in `problems`.
MidiPortList list_midi_ports();

// RtMidi APIs (RtMidi::Api values) compiled in and worth trying on this machine; the
// reason for each one left out is appended to `problems`.
std::vector<int> usable_midi_apis(std::vector<std::string>& problems);

class RtMidiOutput : public MidiOutput {
 public:
  // Opens the output whose name equals `name`, else the only one containing it.
  // Throws DeviceUnavailableError listing the ports there are.
  static std::unique_ptr<RtMidiOutput> open_port(const std::string& name);
  // A port other programs connect to (ALSA, JACK; not every API supports it).
  static std::unique_ptr<RtMidiOutput> open_virtual(const std::string& port_name = "Harmonia Studio");

  ~RtMidiOutput() override;
  void send(const MidiMessage& message) override;
  std::string description() const override { return description_; }

 private:
  RtMidiOutput(std::unique_ptr<RtMidiOut> out, std::string description);
  std::unique_ptr<RtMidiOut> out_;
  std::string description_;
};

}  // namespace harmonia::audio
