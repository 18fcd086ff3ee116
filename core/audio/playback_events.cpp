#include "core/audio/playback_events.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

namespace harmonia::audio {
namespace {

// Order of events sharing a tick: a note that ends where the next one starts must be
// released before it is struck again, and programs/controllers apply to the notes they
// precede. Zero-length notes are switched off after every note-on of their tick.
enum Priority { kProgramPriority = 0, kControlPriority = 1, kOffPriority = 2, kOnPriority = 3, kZeroOffPriority = 4 };

struct Pending {
  midi::Tick tick;
  int priority;
  size_t sequence;  // stable order within (tick, priority)
  int track;
  MidiMessage message;
};

int clamp7(int v) { return std::clamp(v, 0, 127); }

// Converts ascending ticks to seconds by walking the tempo map once.
class TempoWalker {
 public:
  explicit TempoWalker(const midi::Score& score) : score_(score) {}
  double seconds(midi::Tick tick) {
    while (next_ < score_.tempos.size() && score_.tempos[next_].time <= tick) {
      const auto& t = score_.tempos[next_];
      base_seconds_ += double(t.time - base_tick_) * us_per_quarter_ / 1e6 / score_.ticks_per_quarter;
      base_tick_ = t.time;
      us_per_quarter_ = t.us_per_quarter;
      ++next_;
    }
    return base_seconds_ + double(tick - base_tick_) * us_per_quarter_ / 1e6 / score_.ticks_per_quarter;
  }

 private:
  const midi::Score& score_;
  size_t next_ = 0;
  midi::Tick base_tick_ = 0;
  double base_seconds_ = 0.0;
  double us_per_quarter_ = 500000.0;
};

}  // namespace

std::vector<int> assign_playback_channels(const midi::Score& score) {
  std::vector<int> channels(score.tracks.size(), -1);
  std::array<int, 16> program_on_channel;
  program_on_channel.fill(-1);
  // First pass: tracks keep their own channel when nobody with another program has it.
  for (size_t i = 0; i < score.tracks.size(); ++i) {
    const auto& t = score.tracks[i];
    if (t.is_drum) {
      channels[i] = kDrumChannel;
      continue;
    }
    const int c = t.channel;
    if (c < 0 || c > 15 || c == kDrumChannel) continue;
    if (program_on_channel[c] == -1 || program_on_channel[c] == t.program) {
      program_on_channel[c] = t.program;
      channels[i] = c;
    }
  }
  // Second pass: the rest take a free melodic channel, else share one (round robin).
  int share = 0;
  for (size_t i = 0; i < score.tracks.size(); ++i) {
    if (channels[i] != -1) continue;
    const int program = score.tracks[i].program;
    int chosen = -1;
    for (int c = 0; c < 16 && chosen < 0; ++c) {
      if (c != kDrumChannel && program_on_channel[c] == program) chosen = c;
    }
    for (int c = 0; c < 16 && chosen < 0; ++c) {
      if (c != kDrumChannel && program_on_channel[c] == -1) chosen = c;
    }
    if (chosen < 0) {
      chosen = share % 15;
      if (chosen >= kDrumChannel) ++chosen;
      ++share;
    } else {
      program_on_channel[chosen] = program;
    }
    channels[i] = chosen;
  }
  return channels;
}

PlaybackEvents build_playback_events(const midi::Score& score) {
  PlaybackEvents out;
  const auto channels = assign_playback_channels(score);
  std::vector<Pending> pending;
  size_t sequence = 0;
  for (size_t i = 0; i < score.tracks.size(); ++i) {
    const auto& t = score.tracks[i];
    const int ch = channels[i];
    const int ti = int(i);
    out.tracks.push_back({t.name, ch, clamp7(t.program), ch == kDrumChannel, t.notes.size()});
    for (const auto& c : t.controls) {
      pending.push_back({c.time, kControlPriority, sequence++, ti, MidiMessage::control(ch, clamp7(c.number), clamp7(c.value))});
    }
    for (const auto& b : t.pitch_bends) {
      pending.push_back({b.time, kControlPriority, sequence++, ti, MidiMessage::pitch_bend(ch, std::clamp(b.value, -8192, 8191))});
    }
    for (const auto& n : t.notes) {
      if (n.pitch < 0 || n.pitch > 127) continue;  // unplayable; the writer would clamp, we skip
      pending.push_back({n.time, kOnPriority, sequence++, ti, MidiMessage::note_on(ch, n.pitch, std::clamp(n.velocity, 1, 127))});
      pending.push_back({n.end(), n.duration > 0 ? kOffPriority : kZeroOffPriority, sequence++, ti, MidiMessage::note_off(ch, n.pitch)});
    }
  }
  std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) {
    return std::tie(a.tick, a.priority, a.sequence) < std::tie(b.tick, b.priority, b.sequence);
  });

  // Programs: each channel starts with the program of the first track heard on it; when
  // tracks share a channel, a program change goes out before a note of the other program.
  std::array<int, 16> current;
  current.fill(-1);
  TempoWalker walker(score);
  for (const auto& p : pending) {
    if (p.message.type() != 0x90) continue;
    const int ch = p.message.channel();
    if (current[ch] != -1) continue;
    current[ch] = out.tracks[p.track].program;
    out.events.push_back({0.0, 0, p.track, MidiMessage::program(ch, current[ch])});
  }
  // Channels with controllers but no notes still get their track's program.
  for (size_t i = 0; i < out.tracks.size(); ++i) {
    const int ch = out.tracks[i].channel;
    if (current[ch] == -1) {
      current[ch] = out.tracks[i].program;
      out.events.push_back({0.0, 0, int(i), MidiMessage::program(ch, current[ch])});
    }
  }
  for (const auto& p : pending) {
    const double seconds = walker.seconds(p.tick);
    const int ch = p.message.channel();
    if (p.message.type() == 0x90 && current[ch] != out.tracks[p.track].program) {
      current[ch] = out.tracks[p.track].program;
      out.events.push_back({seconds, p.tick, p.track, MidiMessage::program(ch, current[ch])});
    }
    out.events.push_back({seconds, p.tick, p.track, p.message});
  }
  out.duration_seconds = score.ticks_to_seconds(score.end_tick());
  if (!out.events.empty()) out.duration_seconds = std::max(out.duration_seconds, out.events.back().seconds);
  return out;
}

size_t first_event_at(const PlaybackEvents& list, double seconds) {
  return size_t(std::lower_bound(list.events.begin(), list.events.end(), seconds,
                                 [](const PlaybackEvent& e, double s) { return e.seconds < s; }) -
                list.events.begin());
}

// Value a controller has before the piece sets it (General MIDI defaults).
int default_controller_value(int number) {
  switch (number) {
    case 7: return 100;   // volume
    case 10: return 64;   // pan: centre
    case 11: return 127;  // expression
    default: return 0;
  }
}

std::vector<MidiMessage> chase_state(const PlaybackEvents& list, double seconds) {
  // Every controller and bend the piece touches anywhere gets a value, so seeking back
  // before a change also undoes it.
  std::array<int, 16> program;
  program.fill(-1);
  std::array<int, 16> bend;
  bend.fill(-1);  // -1: the channel never bends
  std::map<std::pair<int, int>, int> controls;  // (channel, number) -> value, ordered output
  for (const auto& e : list.events) {
    const auto& m = e.message;
    if (m.type() == 0xB0) controls.emplace(std::make_pair(m.channel(), int(m.bytes[1])), default_controller_value(m.bytes[1]));
    if (m.type() == 0xE0) bend[m.channel()] = 8192;
  }
  const size_t end = first_event_at(list, seconds);
  for (size_t i = 0; i < end; ++i) {
    const auto& m = list.events[i].message;
    switch (m.type()) {
      case 0xC0: program[m.channel()] = m.bytes[1]; break;
      case 0xB0: controls[{m.channel(), m.bytes[1]}] = m.bytes[2]; break;
      case 0xE0: bend[m.channel()] = (m.bytes[2] << 7) | m.bytes[1]; break;
      default: break;
    }
  }
  std::vector<MidiMessage> out;
  for (int ch = 0; ch < 16; ++ch) {
    if (program[ch] >= 0) out.push_back(MidiMessage::program(ch, program[ch]));
  }
  for (const auto& [key, value] : controls) out.push_back(MidiMessage::control(key.first, key.second, value));
  for (int ch = 0; ch < 16; ++ch) {
    if (bend[ch] >= 0) out.push_back(MidiMessage::pitch_bend(ch, bend[ch] - 8192));
  }
  return out;
}

}  // namespace harmonia::audio
