// symusic-compatible Standard MIDI File loading (see score_loader.hpp for why it exists).
// Every read is bounds-checked against its chunk; problems raise midi::MidiError.
#include "core/tokenizer/score_loader.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "core/midi/byte_cursor.hpp"
#include "core/midi/midi_file.hpp"

namespace harmonia::tokenizer {

namespace {

using midi::MidiError;
using midi::Tick;

constexpr Tick kMaxTick = Tick(1) << 40;


// One MTrk becomes several tracks keyed by (channel, program), ordered by that key (std::map),
// as symusic does. A track only exists once it received a note.
struct TrackSplitter {
  std::map<std::pair<int, int>, midi::Track> tracks;
  std::array<int, 16> program{};
  // FIFO of open notes per (channel, pitch): the track and the note's index in it.
  struct OpenRef {
    midi::Track* track;
    size_t index;
  };
  struct Slot {
    std::vector<OpenRef> queue;
    size_t head = 0;
  };
  std::array<Slot, 16 * 128> open;
  std::pair<int, int> last_key{-1, -1};
  midi::Track* last_track = nullptr;
  // The last control change / pitch bend per (channel, program): tokens never carry them,
  // but MidiTok's bar and beat splitting of trained tokenizers counts their time.
  std::map<std::pair<int, int>, midi::ControlChange> last_control;
  std::map<std::pair<int, int>, midi::PitchBend> last_bend;

  midi::Track& track(int ch) {
    const auto key = std::make_pair(ch, program[ch]);
    if (last_track && key == last_key) return *last_track;
    auto [it, created] = tracks.try_emplace(key);
    if (created) {
      it->second.channel = ch;
      it->second.program = program[ch];
      it->second.is_drum = ch == 9;
    }
    last_key = key;
    last_track = &it->second;  // std::map nodes never move
    return it->second;
  }
  void note_on(int ch, int pitch, int vel, Tick t) {
    midi::Track& tr = track(ch);
    tr.notes.push_back({t, -1, pitch, vel});
    open[size_t(ch * 128 + pitch)].queue.push_back({&tr, tr.notes.size() - 1});
  }
  void note_off(int ch, int pitch, Tick t) {
    Slot& slot = open[size_t(ch * 128 + pitch)];
    if (slot.head >= slot.queue.size()) return;  // stray note-off
    const OpenRef ref = slot.queue[slot.head++];
    if (slot.head == slot.queue.size()) {
      slot.queue.clear();
      slot.head = 0;
    }
    auto& n = ref.track->notes[ref.index];
    n.duration = t - n.time;
  }
};

// note_ons counts the file's notes across tracks (midi::kMaxMidiNotes).
void read_track(midi::ByteCursor& r, midi::Score& score, size_t& note_ons) {
  auto holder = std::make_unique<TrackSplitter>();  // 2048 FIFO slots: keep them off the stack
  TrackSplitter& split = *holder;
  std::string name;
  Tick tick = 0;
  uint8_t running = 0;
  while (!r.at_end()) {
    tick += r.vlq("delta time");
    if (tick > kMaxTick) r.fail("delta times add up past the supported length");
    uint8_t status = r.peek("status");
    if (status & 0x80) {
      r.u8("status");
    } else {
      if (!running) r.fail("data byte without a running status");
      status = running;
    }
    if (status == 0xFF) {
      const uint8_t type = r.u8("meta type");
      const uint32_t len = r.vlq("meta length");
      const uint8_t* p = r.take(len, "meta event");
      if (type == 0x2F) break;
      if (type == 0x03) {
        name.assign(reinterpret_cast<const char*>(p), len);
      } else if (type == 0x51 && len >= 3) {
        score.tempos.push_back({tick, int32_t((p[0] << 16) | (p[1] << 8) | p[2])});
      } else if (type == 0x58 && len >= 2) {
        // Kept as written (0/x included): MidiTok filters unsupported ones itself.
        score.time_signatures.push_back({tick, p[0], p[1] < 31 ? (1 << p[1]) : 0});
      } else if (type == 0x59 && len >= 2) {
        score.key_signatures.push_back({tick, int8_t(p[0]), p[1] == 1});
      }
      continue;
    }
    if (status == 0xF0 || status == 0xF7) {
      r.take(r.vlq("SysEx length"), "SysEx message");
      running = 0;
      continue;
    }
    if (status > 0xF0) r.fail("system common/real-time status byte inside a track");
    running = status;
    const int ch = status & 0x0F;
    auto data = [&](const char* what) { return int(r.data_byte(what)); };
    switch (status & 0xF0) {
      case 0x80: {
        const int pitch = data("note-off");
        data("note-off velocity");
        split.note_off(ch, pitch, tick);
        break;
      }
      case 0x90: {
        const int pitch = data("note-on");
        const int vel = data("note-on velocity");
        if (vel == 0) split.note_off(ch, pitch, tick);
        else {
          if (++note_ons > midi::kMaxMidiNotes)
            r.fail("more than " + std::to_string(midi::kMaxMidiNotes) + " notes, the limit for one file");
          split.note_on(ch, pitch, vel, tick);
        }
        break;
      }
      case 0xA0:
        data("channel message");
        data("channel message");
        break;
      case 0xB0: {
        const int number = data("control change");
        const int value = data("control change value");
        split.last_control[{ch, split.program[ch]}] = {tick, number, value};
        break;
      }
      case 0xE0: {
        const int lsb = data("pitch bend");
        const int msb = data("pitch bend");
        split.last_bend[{ch, split.program[ch]}] = {tick, ((msb << 7) | lsb) - 8192};
        break;
      }
      case 0xC0:
        split.program[ch] = data("program change");
        break;
      case 0xD0:
        data("channel pressure");
        break;
    }
  }
  for (auto& [key, tr] : split.tracks) {
    // Notes never closed have no duration: symusic drops them.
    std::vector<midi::Note> kept;
    kept.reserve(tr.notes.size());
    for (const auto& n : tr.notes)
      if (n.duration >= 0) kept.push_back(n);
    tr.notes = std::move(kept);
    if (const auto c = split.last_control.find(key); c != split.last_control.end()) tr.controls = {c->second};
    if (const auto b = split.last_bend.find(key); b != split.last_bend.end()) tr.pitch_bends = {b->second};
    tr.name = name;
    score.tracks.push_back(std::move(tr));
  }
}

}  // namespace

midi::Score load_score_for_tokenizer(const uint8_t* data, size_t size, const std::string& source) {
  if (size < 14 || std::memcmp(data, "MThd", 4) != 0)
    throw MidiError(source, 0, "not a Standard MIDI File (no 'MThd' header)");
  if (size > midi::kMaxMidiFileBytes) throw MidiError(source, 0, "file is larger than 256 MiB");
  midi::ByteCursor file(data, 4, size, source);
  const uint32_t header_len = file.be(4, "header length");
  if (header_len < 6 || header_len > file.remaining()) file.fail("bad header chunk length " + std::to_string(header_len));
  const size_t header_end = file.pos() + header_len;
  const int format = int(file.be(2, "format"));
  file.be(2, "track count");
  const uint16_t division = uint16_t(file.be(2, "division"));
  if (format > 2) throw MidiError(source, 8, "unknown MIDI format " + std::to_string(format));
  if (division & 0x8000) throw MidiError(source, 12, "SMPTE time division is not supported for tokenization");
  if (division == 0) throw MidiError(source, 12, "division of 0 ticks per quarter");

  midi::Score score;
  score.ticks_per_quarter = division;
  midi::ByteCursor chunks(data, header_end, size, source);
  int tracks = 0;
  size_t note_ons = 0;
  while (chunks.remaining() >= 8) {
    const size_t at = chunks.pos();
    const uint8_t* id = chunks.take(4, "chunk id");
    const uint32_t len = chunks.be(4, "chunk length");
    if (len > chunks.remaining()) throw MidiError(source, at + 4, "chunk length " + std::to_string(len) + " runs past the end of the file");
    const size_t body = chunks.pos();
    chunks.take(len, "chunk");
    if (std::memcmp(id, "MTrk", 4) != 0) continue;
    midi::ByteCursor tr(data, body, body + len, source);
    read_track(tr, score, note_ons);
    ++tracks;
  }
  if (tracks == 0) throw MidiError(source, header_end, "no track chunk (MTrk) in the file");
  // symusic sorts these by time (stable for the sizes seen in practice).
  auto by_time = [](const auto& a, const auto& b) { return a.time < b.time; };
  std::stable_sort(score.tempos.begin(), score.tempos.end(), by_time);
  std::stable_sort(score.time_signatures.begin(), score.time_signatures.end(), by_time);
  std::stable_sort(score.key_signatures.begin(), score.key_signatures.end(), by_time);
  return score;
}

midi::Score load_score_file_for_tokenizer(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw MidiError(path, 0, "cannot open file");
  const std::streamoff size = in.tellg();
  if (size < 0) throw MidiError(path, 0, "cannot read file size");
  if (size_t(size) > midi::kMaxMidiFileBytes) throw MidiError(path, 0, "file is larger than 256 MiB");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size)) throw MidiError(path, 0, "read error");
  return load_score_for_tokenizer(bytes.data(), bytes.size(), path);
}

}  // namespace harmonia::tokenizer
