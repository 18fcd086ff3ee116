// Live playback through FluidSynth: the synth as a MidiOutput, heard through an audio
// driver FluidSynth picks (PulseAudio/PipeWire, ALSA, JACK...) or the one asked for.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/audio/fluid_synth_engine.hpp"
#include "core/audio/midi_output.hpp"

typedef struct _fluid_audio_driver_t fluid_audio_driver_t;

namespace harmonia::audio {

struct LiveSynthOptions {
  SynthOptions synth;
  // Empty: try pulseaudio, then alsa, then jack, then FluidSynth's own default.
  // "file" writes to `file_name` instead of a sound card (useful on headless machines).
  std::string driver;
  std::string file_name = "harmonia-live.wav";
};

// Audio drivers this FluidSynth build offers.
std::vector<std::string> available_audio_drivers();

class LiveSynthOutput : public MidiOutput {
 public:
  // Throws DeviceUnavailableError, naming each driver tried and why it failed, when no
  // audio output can be opened (machines without a sound card); SoundFontError as usual.
  explicit LiveSynthOutput(const LiveSynthOptions& options);
  ~LiveSynthOutput() override;

  void send(const MidiMessage& message) override { engine_.send(message); }
  void panic() override { engine_.all_notes_off(true); }
  std::string description() const override { return description_; }
  const std::string& driver() const { return driver_; }

 private:
  FluidSynthEngine engine_;
  fluid_audio_driver_t* audio_driver_ = nullptr;
  std::string driver_;
  std::string description_;
};

}  // namespace harmonia::audio
