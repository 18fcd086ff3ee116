#include "core/audio/output_choice.hpp"

#include "core/audio/live_synth_output.hpp"
#include "core/audio/rtmidi_ports.hpp"
#include "core/audio/soundfont_locator.hpp"

namespace harmonia::audio {

std::shared_ptr<MidiOutput> open_output(const OutputChoice& choice) {
  switch (choice.kind) {
    case OutputChoice::Kind::Port: return RtMidiOutput::open_port(choice.port_name);
    case OutputChoice::Kind::VirtualPort:
      return RtMidiOutput::open_virtual(choice.port_name.empty() ? "Harmonia Studio" : choice.port_name);
    case OutputChoice::Kind::Synth: break;
  }
  LiveSynthOptions options;
  options.synth.soundfont = find_soundfont(choice.soundfont);
  options.driver = choice.driver;
  options.file_name = choice.file_name;
  return std::make_shared<LiveSynthOutput>(options);
}

}  // namespace harmonia::audio
