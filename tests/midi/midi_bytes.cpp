#include "midi/midi_bytes.hpp"

namespace harmonia::test {

TrackBytes& TrackBytes::delta(uint32_t v) {
  uint8_t buf[5];
  int n = 0;
  buf[n++] = v & 0x7F;
  while (v >>= 7) buf[n++] = 0x80 | (v & 0x7F);
  while (n) body.push_back(buf[--n]);
  return *this;
}

TrackBytes& TrackBytes::raw(std::initializer_list<uint8_t> bytes) {
  body.insert(body.end(), bytes);
  return *this;
}

std::vector<uint8_t> smf(int format, uint16_t division, const std::vector<TrackBytes>& tracks) {
  std::vector<uint8_t> out = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, uint8_t(format), 0, uint8_t(tracks.size()),
                              uint8_t(division >> 8), uint8_t(division)};
  for (const auto& t : tracks) {
    const uint32_t n = uint32_t(t.body.size());
    out.insert(out.end(), {'M', 'T', 'r', 'k', uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)});
    out.insert(out.end(), t.body.begin(), t.body.end());
  }
  return out;
}

}  // namespace harmonia::test
