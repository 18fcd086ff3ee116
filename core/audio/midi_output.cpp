#include "core/audio/midi_output.hpp"

namespace harmonia::audio {

void MidiOutput::panic() {
  for (int ch = 0; ch < 16; ++ch) {
    send(MidiMessage::control(ch, kCcSustain, 0));
    send(MidiMessage::control(ch, kCcAllNotesOff, 0));
    send(MidiMessage::control(ch, kCcAllSoundOff, 0));
  }
}

}  // namespace harmonia::audio
