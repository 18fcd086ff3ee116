// Where to play: the one place that turns a user's choice (CLI flags, GUI combo box) into
// an opened MidiOutput, so every front end opens outputs the same way.
#pragma once

#include <memory>
#include <string>

#include "core/audio/midi_output.hpp"

namespace harmonia::audio {

struct OutputChoice {
  enum class Kind { Synth, Port, VirtualPort };
  Kind kind = Kind::Synth;
  std::string port_name;  // Port: name or unique part; VirtualPort: the name to create
  std::string soundfont;  // Synth: empty = discovery (see find_soundfont)
  std::string driver;     // Synth: empty = first audio driver that works
  std::string file_name = "harmonia-live.wav";  // Synth with driver "file"
};

// Throws DeviceUnavailableError (no sound card / port) or SoundFontError, with messages
// meant for the user.
std::shared_ptr<MidiOutput> open_output(const OutputChoice& choice);

}  // namespace harmonia::audio
