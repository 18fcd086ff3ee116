#include "core/audio/midi_recording.hpp"

#include <rtmidi/RtMidi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "core/audio/alsa_error_silencer.hpp"
#include "core/audio/audio_error.hpp"
#include "core/audio/midi_message.hpp"
#include "core/audio/rtmidi_ports.hpp"

namespace harmonia::audio {
namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void quiet_errors(RtMidiError::Type, const std::string&, void*) {}

}  // namespace

void MidiRecording::add(double seconds, const uint8_t* bytes, size_t size) {
  if (size == 0 || size > 3 || bytes[0] < 0x80 || bytes[0] >= 0xF0) return;  // only channel messages
  Message m{std::max(seconds, 0.0), {bytes[0], size > 1 ? bytes[1] : uint8_t(0), size > 2 ? bytes[2] : uint8_t(0)}, uint8_t(size)};
  std::lock_guard<std::mutex> lock(mutex_);
  messages_.push_back(m);
}

size_t MidiRecording::message_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return messages_.size();
}

midi::Score MidiRecording::to_score(double end_seconds, double qpm, int ticks_per_quarter) const {
  std::vector<Message> messages;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    messages = messages_;
  }
  std::stable_sort(messages.begin(), messages.end(), [](const Message& a, const Message& b) { return a.seconds < b.seconds; });
  midi::Score score;
  score.ticks_per_quarter = ticks_per_quarter;
  const int32_t us_per_quarter = int32_t(std::lround(60e6 / qpm));
  score.tempos.push_back({0, us_per_quarter});
  const double ticks_per_second = ticks_per_quarter * 1e6 / us_per_quarter;
  auto tick_of = [&](double s) { return midi::Tick(std::llround(s * ticks_per_second)); };

  std::map<std::pair<int, int>, size_t> track_of;  // (channel, program) -> index
  auto track = [&](int channel, int program) -> midi::Track& {
    auto [it, added] = track_of.try_emplace({channel, program}, score.tracks.size());
    if (added) {
      midi::Track t;
      t.channel = channel;
      t.program = program;
      t.is_drum = channel == kDrumChannel;
      t.name = t.is_drum ? "Drums" : "Recorded";
      score.tracks.push_back(t);
    }
    return score.tracks[it->second];
  };
  int program[16] = {0};
  struct Held {
    midi::Tick start;
    int velocity;
    int program;
  };
  std::map<std::pair<int, int>, std::vector<Held>> held;  // (channel, pitch)
  auto release = [&](int ch, int pitch, midi::Tick at) {
    auto it = held.find({ch, pitch});
    if (it == held.end() || it->second.empty()) return;  // an off without its on: ignore
    const Held h = it->second.front();
    it->second.erase(it->second.begin());
    track(ch, h.program).notes.push_back({h.start, std::max<midi::Tick>(at - h.start, 1), pitch, h.velocity});
  };
  for (const auto& m : messages) {
    const int ch = m.bytes[0] & 0x0F, type = m.bytes[0] & 0xF0;
    const midi::Tick t = tick_of(m.seconds);
    if (type == 0x90 && m.bytes[2] > 0) held[{ch, m.bytes[1]}].push_back({t, m.bytes[2], program[ch]});
    else if (type == 0x80 || type == 0x90) release(ch, m.bytes[1], t);
    else if (type == 0xC0) program[ch] = m.bytes[1];
    else if (type == 0xB0) track(ch, program[ch]).controls.push_back({t, m.bytes[1], m.bytes[2]});
    else if (type == 0xE0) track(ch, program[ch]).pitch_bends.push_back({t, ((m.bytes[2] << 7) | m.bytes[1]) - 8192});
  }
  const midi::Tick end = tick_of(end_seconds);
  for (auto& [key, notes] : held) {
    while (!notes.empty()) release(key.first, key.second, std::max(end, notes.front().start + 1));
  }
  // Pedals from CC64, as the file reader derives them.
  for (auto& t : score.tracks) {
    midi::Tick down = -1;
    for (const auto& c : t.controls) {
      if (c.number != kCcSustain) continue;
      if (c.value >= 64 && down < 0) down = c.time;
      if (c.value < 64 && down >= 0) {
        t.pedals.push_back({down, c.time - down});
        down = -1;
      }
    }
    if (down >= 0) t.pedals.push_back({down, std::max<midi::Tick>(end - down, 0)});
  }
  score.tracks.erase(std::remove_if(score.tracks.begin(), score.tracks.end(), [](const midi::Track& t) { return t.empty(); }),
                     score.tracks.end());
  score.sort_events();
  return score;
}

MidiInputRecorder::MidiInputRecorder(const std::string& port_name) {
  silence_alsa_lib_errors();
  try {
    if (port_name.empty()) {
      std::vector<std::string> problems;
      for (int api : usable_midi_apis(problems)) {
        try {
          auto in = std::make_unique<RtMidiIn>(RtMidi::Api(api), "Harmonia Studio");
          in->setErrorCallback(quiet_errors, nullptr);
          in->openVirtualPort("Harmonia Studio in");
          description_ = "virtual input \"Harmonia Studio in\" (" + RtMidi::getApiName(RtMidi::Api(api)) + ")";
          in_ = std::move(in);
          break;
        } catch (const RtMidiError& e) {
          problems.push_back(RtMidi::getApiName(RtMidi::Api(api)) + ": " + e.getMessage());
        }
      }
      if (!in_) {
        std::string why;
        for (const auto& p : problems) why += "; " + p;
        throw DeviceUnavailableError("MIDI input: cannot create a virtual input port" + why);
      }
    } else {
      const auto list = list_midi_ports();
      std::vector<const MidiPortInfo*> matches;
      for (const auto& p : list.inputs) {
        if (p.name == port_name) {
          matches = {&p};
          break;
        }
        if (p.name.find(port_name) != std::string::npos) matches.push_back(&p);
      }
      if (matches.size() != 1) {
        std::string known = list.inputs.empty() ? " there are no MIDI input ports" : " available inputs:";
        for (const auto& p : list.inputs) known += " \"" + p.name + "\"";
        for (const auto& p : list.problems) known += "; " + p;
        throw DeviceUnavailableError("MIDI input \"" + port_name + "\" " +
                                     (matches.empty() ? "not found:" : "matches several ports:") + known);
      }
      in_ = std::make_unique<RtMidiIn>(RtMidi::getCompiledApiByName(matches[0]->api), "Harmonia Studio");
      in_->setErrorCallback(quiet_errors, nullptr);
      bool opened = false;
      for (unsigned i = 0; i < in_->getPortCount() && !opened; ++i) {
        if (in_->getPortName(i) == matches[0]->name) {
          in_->openPort(i, "Harmonia in");
          opened = true;
        }
      }
      if (!opened) throw DeviceUnavailableError("MIDI input \"" + matches[0]->name + "\" could not be opened (unplugged?)");
      description_ = matches[0]->name + " (" + matches[0]->api + ")";
    }
  } catch (const RtMidiError& e) {
    throw DeviceUnavailableError("MIDI input: " + e.getMessage());
  }
  in_->ignoreTypes(true, true, true);  // no sysex, timing clock or active sensing
  start_ns_ = now_ns();
  in_->setCallback(&MidiInputRecorder::on_message, this);
}

MidiInputRecorder::~MidiInputRecorder() {
  if (in_) {
    in_->cancelCallback();
    in_->closePort();
  }
}

void MidiInputRecorder::on_message(double delta, std::vector<unsigned char>* message, void* self) {
  auto* r = static_cast<MidiInputRecorder*>(self);
  // Our own clock, not RtMidi's deltas: the first delta is measured from an unknown point.
  const double seconds = double(now_ns() - r->start_ns_) * 1e-9;
  (void)delta;
  if (message && !message->empty()) r->recording_.add(seconds, message->data(), message->size());
}

double MidiInputRecorder::elapsed_seconds() const { return double(now_ns() - start_ns_) * 1e-9; }

midi::Score MidiInputRecorder::finish(double qpm) {
  const double end = elapsed_seconds();
  if (in_) {
    in_->cancelCallback();
    in_->closePort();
  }
  return recording_.to_score(end, qpm);
}

}  // namespace harmonia::audio
