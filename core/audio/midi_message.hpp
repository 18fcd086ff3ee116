// A short (channel voice) MIDI message: what the scheduler sends to any output.
#pragma once

#include <cstdint>

namespace harmonia::audio {

struct MidiMessage {
  uint8_t bytes[3] = {0, 0, 0};
  uint8_t size = 0;

  uint8_t status() const { return bytes[0]; }
  int type() const { return bytes[0] & 0xF0; }  // 0x80 note off, 0x90 note on, ...
  int channel() const { return bytes[0] & 0x0F; }
  bool is_note_on() const { return type() == 0x90 && bytes[2] > 0; }
  bool is_note_off() const { return type() == 0x80 || (type() == 0x90 && bytes[2] == 0); }

  static MidiMessage note_on(int channel, int pitch, int velocity) {
    return make3(0x90 | channel, pitch, velocity);
  }
  static MidiMessage note_off(int channel, int pitch) { return make3(0x80 | channel, pitch, 64); }
  static MidiMessage control(int channel, int number, int value) {
    return make3(0xB0 | channel, number, value);
  }
  static MidiMessage program(int channel, int program) {
    MidiMessage m;
    m.bytes[0] = uint8_t(0xC0 | (channel & 0x0F));
    m.bytes[1] = uint8_t(program & 0x7F);
    m.size = 2;
    return m;
  }
  // `value` -8192..8191, 0 = centre.
  static MidiMessage pitch_bend(int channel, int value) {
    const int raw = value + 8192;
    return make3(0xE0 | channel, raw & 0x7F, (raw >> 7) & 0x7F);
  }
  int pitch_bend_value() const { return ((bytes[2] << 7) | bytes[1]) - 8192; }

  bool operator==(const MidiMessage& o) const {
    return size == o.size && bytes[0] == o.bytes[0] && bytes[1] == o.bytes[1] &&
           bytes[2] == o.bytes[2];
  }

 private:
  static MidiMessage make3(int status, int data1, int data2) {
    MidiMessage m;
    m.bytes[0] = uint8_t(status);
    m.bytes[1] = uint8_t(data1 & 0x7F);
    m.bytes[2] = uint8_t(data2 & 0x7F);
    m.size = 3;
    return m;
  }
};

// Controller numbers used for resets.
constexpr int kCcSustain = 64;
constexpr int kCcAllSoundOff = 120;
constexpr int kCcResetControllers = 121;
constexpr int kCcAllNotesOff = 123;
constexpr int kDrumChannel = 9;  // MIDI channel 10

}  // namespace harmonia::audio
