// Standard MIDI File reader. Every read goes through ByteCursor, which knows the end of
// its chunk, so a lying length can never take us past the buffer.
#include <algorithm>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <sstream>

#include "core/midi/byte_cursor.hpp"
#include "core/midi/midi_file.hpp"

namespace harmonia::midi {

namespace {

// Upper bound on absolute tick positions: keeps tick arithmetic (and tick->seconds) sane.
constexpr Tick kMaxTick = Tick(1) << 40;

std::string describe(const std::string& source, size_t offset, const std::string& problem) {
  std::ostringstream s;
  s << source << ": byte " << offset << ": " << problem;
  return s.str();
}


struct OpenNote {
  Tick start;
  int velocity;
  int program;  // program current when the note started: decides its track
};

// Events of one MTrk chunk, split by (channel, program) the way symusic/MidiTok see tracks.
struct TrackBuilder {
  std::string name;
  std::map<std::pair<int, int>, size_t> index;  // (channel, program) -> tracks slot
  std::vector<Track> tracks;
  // Controls and bends belong to the channel's current program's track.
  Track& get(int channel, int program) {
    auto key = std::make_pair(channel, program);
    auto it = index.find(key);
    if (it != index.end()) return tracks[it->second];
    Track t;
    t.channel = channel;
    t.program = program;
    t.is_drum = channel == 9;
    index.emplace(key, tracks.size());
    tracks.push_back(std::move(t));
    return tracks.back();
  }
};

void derive_pedals(Track& t) {
  // CC64 press/release pairs; a press held at the end lasts to the track's end.
  Tick down = -1;
  for (const auto& c : t.controls) {
    if (c.number != 64) continue;
    if (c.value >= 64) {
      if (down < 0) down = c.time;
    } else if (down >= 0) {
      t.pedals.push_back({down, c.time - down});
      down = -1;
    }
  }
  if (down >= 0) t.pedals.push_back({down, std::max<Tick>(0, t.end_tick() - down)});
}

// note_ons counts the file's notes across tracks (kMaxMidiNotes).
void read_track(ByteCursor& cur, Score& score, std::vector<Track>& out, bool smpte, size_t& note_ons) {
  TrackBuilder builder;
  int programs[16] = {0};
  std::map<std::tuple<int, int>, std::deque<OpenNote>> open;  // (channel, pitch)
  Tick tick = 0;
  uint8_t running = 0;
  bool ended = false;

  auto close_note = [&](int channel, int pitch, Tick at) {
    auto it = open.find({channel, pitch});
    if (it == open.end() || it->second.empty()) return;  // stray note-off: ignore
    const OpenNote on = it->second.front();  // FIFO, as miditoolkit/MidiTok match them
    it->second.pop_front();
    builder.get(channel, on.program).notes.push_back({on.start, at - on.start, pitch, on.velocity});
  };

  while (!cur.at_end() && !ended) {
    const uint32_t delta = cur.vlq("delta time");
    tick += delta;
    if (tick > kMaxTick) cur.fail("delta times add up past the supported length (overflow)");
    uint8_t status = cur.peek("event status");
    if (status & 0x80) {
      cur.u8("status");
    } else {
      if (!running) cur.fail("data byte without a running status");
      status = running;
    }

    if (status == 0xFF) {
      const uint8_t type = cur.u8("meta event type");
      const uint32_t len = cur.vlq("meta event length");
      const uint8_t* p = cur.take(len, "meta event");
      switch (type) {
        case 0x2F:
          ended = true;
          break;
        case 0x03:
          if (builder.name.empty()) builder.name.assign(reinterpret_cast<const char*>(p), len);
          break;
        case 0x51:
          if (len >= 3 && !smpte) {
            const int32_t us = (int32_t(p[0]) << 16) | (int32_t(p[1]) << 8) | p[2];
            if (us > 0) score.tempos.push_back({tick, us});  // 0 would mean infinite speed
          }
          break;
        case 0x58:
          // Denominator is a power of two; 0/x and absurd powers cannot be timed, skip them.
          if (len >= 2 && p[0] > 0 && p[1] <= 6) score.time_signatures.push_back({tick, p[0], 1 << p[1]});
          break;
        case 0x59:
          if (len >= 2) {
            const int sf = int8_t(p[0]);
            if (sf >= -7 && sf <= 7 && p[1] <= 1) score.key_signatures.push_back({tick, sf, p[1] == 1});
          }
          break;
        default:
          break;  // text, markers, sequencer-specific...: not needed
      }
      continue;
    }
    if (status == 0xF0 || status == 0xF7) {
      const uint32_t len = cur.vlq("SysEx length");
      cur.take(len, "SysEx message");
      running = 0;
      continue;
    }
    if (status >= 0xF1) cur.fail("system common/real-time status byte inside a track");

    running = status;
    const int channel = status & 0x0F;
    switch (status & 0xF0) {
      case 0x80: {
        const int pitch = cur.data_byte("note-off");
        cur.data_byte("note-off velocity");
        close_note(channel, pitch, tick);
        break;
      }
      case 0x90: {
        const int pitch = cur.data_byte("note-on");
        const int velocity = cur.data_byte("note-on velocity");
        if (velocity == 0) {
          close_note(channel, pitch, tick);
        } else {
          if (++note_ons > kMaxMidiNotes)
            cur.fail("more than " + std::to_string(kMaxMidiNotes) + " notes, the limit for one file");
          open[{channel, pitch}].push_back({tick, velocity, programs[channel]});
        }
        break;
      }
      case 0xA0:
        cur.data_byte("aftertouch");
        cur.data_byte("aftertouch value");
        break;
      case 0xB0: {
        const int number = cur.data_byte("control change");
        const int value = cur.data_byte("control change value");
        builder.get(channel, programs[channel]).controls.push_back({tick, number, value});
        break;
      }
      case 0xC0:
        programs[channel] = cur.data_byte("program change");
        break;
      case 0xD0:
        cur.data_byte("channel pressure");
        break;
      case 0xE0: {
        const int lsb = cur.data_byte("pitch bend");
        const int msb = cur.data_byte("pitch bend");
        builder.get(channel, programs[channel]).pitch_bends.push_back({tick, ((msb << 7) | lsb) - 8192});
        break;
      }
    }
  }

  // Notes never closed end where the track ends.
  for (auto& [key, queue] : open) {
    for (const auto& on : queue) {
      builder.get(std::get<0>(key), on.program).notes.push_back({on.start, tick - on.start, std::get<1>(key), on.velocity});
    }
  }
  for (auto& t : builder.tracks) {
    if (t.empty()) continue;
    t.name = builder.name;
    out.push_back(std::move(t));
  }
}

}  // namespace

MidiError::MidiError(const std::string& source, size_t offset, const std::string& problem)
    : std::runtime_error(describe(source, offset, problem)), source_(source), offset_(offset), problem_(problem) {}

Score read_midi(const uint8_t* data, size_t size, const std::string& source, MidiFileInfo* info) {
  if (size == 0) throw MidiError(source, 0, "empty file (0 bytes), not a MIDI file");
  if (size > kMaxMidiFileBytes) throw MidiError(source, 0, "file is larger than 256 MiB, not a MIDI file");
  ByteCursor file(data, 0, size, source);
  if (size < 14 || std::memcmp(data, "MThd", 4) != 0) {
    // RIFF-wrapped MIDI (.rmi) is the one common wrapper; everything else is not MIDI.
    file.fail("not a Standard MIDI File (no 'MThd' header)");
  }
  file.take(4, "header id");
  const uint32_t header_len = file.be(4, "header length");
  if (header_len < 6) file.fail("header chunk length " + std::to_string(header_len) + " is below 6");
  if (header_len > file.remaining()) file.fail("header chunk length runs past the end of the file");
  const size_t header_end = file.pos() + header_len;
  MidiFileInfo meta;
  meta.format = int(file.be(2, "format"));
  meta.track_chunks = int(file.be(2, "track count"));
  const uint16_t division = uint16_t(file.be(2, "division"));
  if (meta.format > 2) throw MidiError(source, 8, "unknown MIDI format " + std::to_string(meta.format));

  Score score;
  if (division & 0x8000) {
    // SMPTE: ticks per second = fps * ticks per frame. Expressed as ticks per quarter at
    // a fixed 120 qpm, so seconds stay exact; tempo events are then meaningless and dropped.
    const int fps = -int8_t(division >> 8);
    const int per_frame = division & 0xFF;
    if (fps <= 0 || per_frame == 0) throw MidiError(source, 12, "invalid SMPTE division");
    const int per_second = (fps == 29 ? 30 : fps) * per_frame;
    score.ticks_per_quarter = std::max(1, per_second / 2);
    meta.smpte = true;
  } else {
    if (division == 0) throw MidiError(source, 12, "division of 0 ticks per quarter");
    score.ticks_per_quarter = division;
  }

  ByteCursor chunks(data, header_end, size, source);
  int tracks_read = 0;
  size_t note_ons = 0;
  while (!chunks.at_end()) {
    if (chunks.remaining() < 8) {
      // Fewer bytes than a chunk header: padding or junk some writers append (symusic and
      // miditoolkit ignore it too). A cut inside a real chunk is caught by its length below.
      break;
    }
    const size_t chunk_start = chunks.pos();
    const uint8_t* id = chunks.take(4, "chunk id");
    const uint32_t len = chunks.be(4, "chunk length");
    if (len > chunks.remaining()) {
      throw MidiError(source, chunk_start + 4,
                      "chunk length " + std::to_string(len) + " runs past the end of the file (" +
                          std::to_string(chunks.remaining()) + " bytes left): truncated or corrupt file");
    }
    const size_t body = chunks.pos();
    chunks.take(len, "chunk");
    if (std::memcmp(id, "MTrk", 4) != 0) continue;  // unknown chunks are skipped, per the spec
    ByteCursor track(data, body, body + len, source);
    read_track(track, score, score.tracks, meta.smpte, note_ons);
    ++tracks_read;
  }
  if (tracks_read == 0) throw MidiError(source, header_end, "no track chunk (MTrk) in the file");
  meta.track_chunks = tracks_read;

  // Format 2 tracks are independent sequences; we still keep them side by side.
  for (auto& t : score.tracks) derive_pedals(t);
  score.sort_events();
  // A tempo/time signature repeated at the same tick: the last one wins, like players do.
  auto dedupe = [](auto& v) {
    for (size_t i = 0; i + 1 < v.size();) {
      if (v[i].time == v[i + 1].time) v.erase(v.begin() + i);
      else ++i;
    }
  };
  dedupe(score.tempos);
  dedupe(score.time_signatures);
  dedupe(score.key_signatures);
  if (info) *info = meta;
  return score;
}

Score read_midi_file(const std::string& path, MidiFileInfo* info) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw MidiError(path, 0, "cannot open file");
  const std::streamoff size = in.tellg();
  if (size < 0) throw MidiError(path, 0, "cannot read file size");
  if (size_t(size) > kMaxMidiFileBytes) throw MidiError(path, 0, "file is larger than 256 MiB, not a MIDI file");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size)) throw MidiError(path, 0, "read error");
  return read_midi(bytes.data(), bytes.size(), path, info);
}

}  // namespace harmonia::midi
