// FluidSynth's synthesizer with one SoundFont loaded: the sound source shared by offline
// render (we pull samples) and live playback (an audio driver pulls them).
#pragma once

#include <filesystem>
#include <string>

#include "core/audio/midi_message.hpp"

// FluidSynth's opaque types, so users of this header need not include <fluidsynth.h>.
typedef struct _fluid_hashtable_t fluid_settings_t;
typedef struct _fluid_synth_t fluid_synth_t;

namespace harmonia::audio {

struct SynthOptions {
  std::filesystem::path soundfont;  // required (see find_soundfont)
  double sample_rate = 44100.0;
  double gain = 0.5;  // FluidSynth's master gain; its default 0.2 is quiet for solo piano
  bool reverb = true;
  bool chorus = true;
  int polyphony = 256;
};

class FluidSynthEngine {
 public:
  // Throws SoundFontError when the font cannot be loaded, AudioError for other failures.
  explicit FluidSynthEngine(const SynthOptions& options);
  ~FluidSynthEngine();
  FluidSynthEngine(const FluidSynthEngine&) = delete;
  FluidSynthEngine& operator=(const FluidSynthEngine&) = delete;

  // Thread-safe (FluidSynth serialises its API calls).
  void send(const MidiMessage& message);
  // Releases every note on every channel (notes sounding, sustain pedal) and silences tails.
  void all_notes_off(bool cut_sound);

  // Renders `frames` stereo frames, interleaved L R, into `out` (size >= 2 * frames).
  void render_float(float* out, int frames);

  fluid_settings_t* settings() { return settings_; }
  fluid_synth_t* synth() { return synth_; }
  const SynthOptions& options() const { return options_; }

 private:
  SynthOptions options_;
  fluid_settings_t* settings_ = nullptr;
  fluid_synth_t* synth_ = nullptr;
};

// FluidSynth reports problems through its log; we keep the last error here (and keep it
// off stderr) so exceptions can say what FluidSynth said.
void install_fluidsynth_log_capture();
std::string last_fluidsynth_error();
void clear_fluidsynth_error();

}  // namespace harmonia::audio
