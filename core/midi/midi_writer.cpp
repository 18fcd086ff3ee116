// Standard MIDI File writer: format 1, a conductor track then one MTrk per Track.
// Event order within a tick is chosen so that the reader's FIFO note matching gets
// back exactly the notes that were written.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>

#include "core/midi/midi_file.hpp"
#include "core/data/write_failure.hpp"

namespace harmonia::midi {

namespace {

struct Event {
  Tick time;
  int order;  // tie-break within a tick, see write_track
  size_t seq;  // then insertion order, for stability
  std::vector<uint8_t> bytes;
};

void put_vlq(std::vector<uint8_t>& out, uint32_t v) {
  uint8_t buf[5];
  int n = 0;
  buf[n++] = v & 0x7F;
  while (v >>= 7) buf[n++] = 0x80 | (v & 0x7F);
  while (n) out.push_back(buf[--n]);
}

void put_be(std::vector<uint8_t>& out, uint32_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(uint8_t(v >> (8 * i)));
}

void put_chunk(std::vector<uint8_t>& out, std::vector<Event>& events) {
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.order != b.order) return a.order < b.order;
    return a.seq < b.seq;
  });
  std::vector<uint8_t> body;
  Tick last = 0;
  for (const auto& e : events) {
    const Tick delta = e.time - last;
    if (delta < 0 || delta > 0x0FFFFFFF) throw std::runtime_error("event time out of range for a MIDI file");
    put_vlq(body, uint32_t(delta));
    body.insert(body.end(), e.bytes.begin(), e.bytes.end());
    last = e.time;
  }
  const uint8_t eot[] = {0x00, 0xFF, 0x2F, 0x00};
  body.insert(body.end(), eot, eot + 4);
  out.insert(out.end(), {'M', 'T', 'r', 'k'});
  put_be(out, uint32_t(body.size()), 4);
  out.insert(out.end(), body.begin(), body.end());
}

uint8_t clamp7(int v) { return uint8_t(std::clamp(v, 0, 127)); }

// Order within one tick: note-offs of sounding notes first (a note ending where the next
// same-pitch note starts), then meta/program/controls, then note-ons, then the offs of
// zero-length notes (which must come after their own on).
enum Order { kOff = 0, kMeta = 1, kProgram = 2, kControl = 3, kOn = 4, kZeroOff = 5 };

}  // namespace

std::vector<uint8_t> write_midi(const Score& score) {
  if (score.ticks_per_quarter <= 0 || score.ticks_per_quarter > 0x7FFF) {
    throw std::runtime_error("ticks per quarter must be 1..32767 to be written to a MIDI file");
  }
  std::vector<uint8_t> out;
  out.insert(out.end(), {'M', 'T', 'h', 'd'});
  put_be(out, 6, 4);
  put_be(out, 1, 2);
  put_be(out, uint32_t(score.tracks.size() + 1), 2);
  put_be(out, uint32_t(score.ticks_per_quarter), 2);

  size_t seq = 0;
  std::vector<Event> conductor;
  for (const auto& t : score.tempos) {
    const uint32_t us = uint32_t(std::clamp<int32_t>(t.us_per_quarter, 1, 0xFFFFFF));
    conductor.push_back({t.time, kMeta, seq++, {0xFF, 0x51, 0x03, uint8_t(us >> 16), uint8_t(us >> 8), uint8_t(us)}});
  }
  for (const auto& ts : score.time_signatures) {
    int power = 0;
    while ((1 << power) < ts.denominator && power < 6) ++power;
    conductor.push_back({ts.time, kMeta, seq++, {0xFF, 0x58, 0x04, uint8_t(ts.numerator), uint8_t(power), 24, 8}});
  }
  for (const auto& k : score.key_signatures) {
    conductor.push_back({k.time, kMeta, seq++, {0xFF, 0x59, 0x02, uint8_t(int8_t(k.sharps)), uint8_t(k.minor ? 1 : 0)}});
  }
  put_chunk(out, conductor);

  int next_channel = 0;
  for (const auto& track : score.tracks) {
    int channel = track.channel;
    if (track.is_drum) channel = 9;
    if (channel < 0 || channel > 15) {
      channel = next_channel++ % 15;
      if (channel >= 9) ++channel;  // never give a melodic track the drum channel
    }
    std::vector<Event> events;
    if (!track.name.empty()) {
      std::vector<uint8_t> name = {0xFF, 0x03};
      put_vlq(name, uint32_t(track.name.size()));
      name.insert(name.end(), track.name.begin(), track.name.end());
      events.push_back({0, kMeta, seq++, std::move(name)});
    }
    events.push_back({0, kProgram, seq++, {uint8_t(0xC0 | channel), clamp7(track.program)}});
    for (const auto& c : track.controls) {
      events.push_back({c.time, kControl, seq++, {uint8_t(0xB0 | channel), clamp7(c.number), clamp7(c.value)}});
    }
    for (const auto& b : track.pitch_bends) {
      const int v = std::clamp(b.value + 8192, 0, 16383);
      events.push_back({b.time, kControl, seq++, {uint8_t(0xE0 | channel), uint8_t(v & 0x7F), uint8_t(v >> 7)}});
    }
    for (const auto& n : track.notes) {
      events.push_back({n.time, kOn, seq++, {uint8_t(0x90 | channel), clamp7(n.pitch), uint8_t(std::clamp(n.velocity, 1, 127))}});
      events.push_back({n.end(), n.duration == 0 ? kZeroOff : kOff, seq++, {uint8_t(0x80 | channel), clamp7(n.pitch), 0x40}});
    }
    put_chunk(out, events);
  }
  return out;
}

void write_midi_file(const Score& score, const std::string& path) {
  const std::vector<uint8_t> bytes = write_midi(score);
  const std::string tmp = path + ".tmp";
  // The reason the system gave (ENOSPC, EROFS, ...), not a guess; and on any failure the
  // half-written temporary goes, so the previous file is the only one left.
  const auto failed = [&](const std::string& what) {
    const std::string why = data::write_failure(what.c_str());
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": " + why);
  };
  errno = 0;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) failed("cannot create " + tmp);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    out.flush();
    if (!out) failed("write failed");
    out.close();
    if (!out) failed("write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) failed("cannot replace the file");
}

}  // namespace harmonia::midi
