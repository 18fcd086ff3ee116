#include "core/audio/rtmidi_ports.hpp"

#include <dlfcn.h>
#include <rtmidi/RtMidi.h>

#include <filesystem>
#include <sstream>

#include "core/audio/alsa_error_silencer.hpp"
#include "core/audio/audio_error.hpp"

namespace harmonia::audio {
namespace {

constexpr const char* kClientName = "Harmonia Studio";

// RtMidi prints errors to stderr before throwing unless a callback takes them; we turn
// them into messages of our own instead.
void quiet_errors(RtMidiError::Type, const std::string&, void*) {}

extern "C" void ignore_jack_message(const char*) {}

// RtMidi's JACK backend crashes in openVirtualPort() when no JACK server runs, and prints
// warnings for every probe, so we ask libjack (already loaded by RtMidi) ourselves first.
bool jack_server_reachable() {
  using Open = void* (*)(const char*, int, int*, ...);
  using Close = int (*)(void*);
  using SetPrinter = void (*)(void (*)(const char*));
  auto open = reinterpret_cast<Open>(dlsym(RTLD_DEFAULT, "jack_client_open"));
  auto close = reinterpret_cast<Close>(dlsym(RTLD_DEFAULT, "jack_client_close"));
  if (!open || !close) return true;  // cannot tell: let RtMidi try
  for (const char* name : {"jack_set_error_function", "jack_set_info_function"}) {
    if (auto set = reinterpret_cast<SetPrinter>(dlsym(RTLD_DEFAULT, name))) set(ignore_jack_message);
  }
  constexpr int kJackNoStartServer = 0x01;  // never spawn a server just to look
  int status = 0;
  void* client = open("harmonia-probe", kJackNoStartServer, &status);
  if (!client) return false;
  close(client);
  return true;
}

// Why an API is not worth trying here (empty: try it). Probing ALSA without its sequencer
// device only makes alsa-lib print noise.
std::string api_unavailable_reason(RtMidi::Api api) {
  std::error_code ec;
  if (api == RtMidi::LINUX_ALSA && !std::filesystem::exists("/dev/snd/seq", ec)) {
    return "ALSA sequencer not available (/dev/snd/seq is missing: no sound driver loaded on this machine)";
  }
  if (api == RtMidi::UNIX_JACK && !jack_server_reachable()) return "JACK MIDI not available (no JACK server running)";
  return {};
}


template <class Port>
void collect(RtMidi::Api api, std::vector<MidiPortInfo>& out, std::vector<std::string>& problems, const char* kind) {
  silence_alsa_lib_errors();
  try {
    Port port(api, kClientName);
    port.setErrorCallback(quiet_errors, nullptr);
    const unsigned count = port.getPortCount();
    for (unsigned i = 0; i < count; ++i) {
      out.push_back({int(i), port.getPortName(i), RtMidi::getApiName(api)});
    }
  } catch (const RtMidiError& e) {
    problems.push_back(RtMidi::getApiName(api) + " MIDI " + kind + ": " + e.getMessage());
  }
}

std::string port_names(const MidiPortList& list) {
  if (list.outputs.empty()) {
    std::string s = "there are no MIDI output ports";
    for (const auto& p : list.problems) s += "; " + p;
    return s;
  }
  std::string s = "available outputs:";
  for (const auto& p : list.outputs) s += " \"" + p.name + "\" (" + p.api + ")";
  return s;
}

}  // namespace

std::vector<int> usable_midi_apis(std::vector<std::string>& problems) {
  std::vector<RtMidi::Api> compiled;
  RtMidi::getCompiledApi(compiled);
  std::vector<int> usable;
  for (auto api : compiled) {
    const std::string reason = api_unavailable_reason(api);
    if (reason.empty()) usable.push_back(int(api));
    else problems.push_back(reason);
  }
  return usable;
}

MidiPortList list_midi_ports() {
  MidiPortList list;
  for (int api_value : usable_midi_apis(list.problems)) {
    const auto api = RtMidi::Api(api_value);
    collect<RtMidiOut>(api, list.outputs, list.problems, "output");
    collect<RtMidiIn>(api, list.inputs, list.problems, "input");
  }
  if (list.outputs.empty() && list.inputs.empty() && list.problems.empty()) {
    list.problems.push_back("no MIDI ports found (no MIDI devices connected and no MIDI software running)");
  }
  return list;
}

RtMidiOutput::RtMidiOutput(std::unique_ptr<RtMidiOut> out, std::string description)
    : out_(std::move(out)), description_(std::move(description)) {}

RtMidiOutput::~RtMidiOutput() = default;

std::unique_ptr<RtMidiOutput> RtMidiOutput::open_port(const std::string& name) {
  const MidiPortList list = list_midi_ports();
  const MidiPortInfo* chosen = nullptr;
  int partial_matches = 0;
  for (const auto& p : list.outputs) {
    if (p.name == name) {
      chosen = &p;
      partial_matches = 1;
      break;
    }
    if (p.name.find(name) != std::string::npos) {
      chosen = &p;
      ++partial_matches;
    }
  }
  if (!chosen) throw DeviceUnavailableError("MIDI output \"" + name + "\" not found: " + port_names(list));
  if (partial_matches > 1) {
    throw DeviceUnavailableError("MIDI output \"" + name + "\" matches several ports; use the full name. " +
                                 port_names(list));
  }
  try {
    auto out = std::make_unique<RtMidiOut>(RtMidi::getCompiledApiByName(chosen->api), kClientName);
    out->setErrorCallback(quiet_errors, nullptr);
    // Indexes can shift when devices come and go: find the name again on this client.
    for (unsigned i = 0; i < out->getPortCount(); ++i) {
      if (out->getPortName(i) == chosen->name) {
        out->openPort(i, "Harmonia out");
        if (!out->isPortOpen()) break;
        return std::unique_ptr<RtMidiOutput>(new RtMidiOutput(std::move(out), chosen->name + " (" + chosen->api + ")"));
      }
    }
  } catch (const RtMidiError& e) {
    throw DeviceUnavailableError("MIDI output \"" + chosen->name + "\": " + e.getMessage());
  }
  throw DeviceUnavailableError("MIDI output \"" + chosen->name + "\" could not be opened (was it unplugged?)");
}

std::unique_ptr<RtMidiOutput> RtMidiOutput::open_virtual(const std::string& port_name) {
  std::vector<std::string> skipped;
  std::ostringstream problems;
  for (int api_value : usable_midi_apis(skipped)) {
    const auto api = RtMidi::Api(api_value);
    try {
      auto out = std::make_unique<RtMidiOut>(api, kClientName);
      out->setErrorCallback(quiet_errors, nullptr);
      out->openVirtualPort(port_name);  // isPortOpen() stays false for virtual ports
      return std::unique_ptr<RtMidiOutput>(
          new RtMidiOutput(std::move(out), "virtual port \"" + port_name + "\" (" + RtMidi::getApiName(api) + ")"));
    } catch (const RtMidiError& e) {
      problems << "; " << RtMidi::getApiName(api) << ": " << e.getMessage();
    }
  }
  for (const auto& s : skipped) problems << "; " << s;
  throw DeviceUnavailableError("cannot create a virtual MIDI output" + problems.str());
}

void RtMidiOutput::send(const MidiMessage& message) {
  if (message.size == 0) return;
  try {
    out_->sendMessage(message.bytes, message.size);
  } catch (const RtMidiError&) {
    // A port that vanished mid-song must not kill the scheduler thread; the notes are lost.
  }
}

}  // namespace harmonia::audio
