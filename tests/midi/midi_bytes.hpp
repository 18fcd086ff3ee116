// Builds Standard MIDI Files byte by byte, so tests know exactly what a file contains
// without trusting our own writer.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace harmonia::test {

struct TrackBytes {
  std::vector<uint8_t> body;
  TrackBytes& delta(uint32_t ticks);  // variable-length quantity
  TrackBytes& raw(std::initializer_list<uint8_t> bytes);
  TrackBytes& event(uint32_t ticks, std::initializer_list<uint8_t> bytes) { return delta(ticks).raw(bytes); }
  TrackBytes& end(uint32_t ticks = 0) { return event(ticks, {0xFF, 0x2F, 0x00}); }
};

// Header + tracks. `division` is the raw 16-bit field.
std::vector<uint8_t> smf(int format, uint16_t division, const std::vector<TrackBytes>& tracks);

}  // namespace harmonia::test
