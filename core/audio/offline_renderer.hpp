// Score -> audio without a sound card: we drive FluidSynth ourselves, sample by sample,
// so it runs as fast as the CPU allows and every note starts on its exact sample.
#pragma once

#include <string>
#include <vector>

#include "core/audio/fluid_synth_engine.hpp"
#include "core/audio/playback_events.hpp"
#include "core/audio/wav_file.hpp"
#include "core/midi/score.hpp"

namespace harmonia::audio {

struct RenderOptions {
  SynthOptions synth;         // soundfont, sample rate (44.1 kHz), gain, effects
  double tail_seconds = 2.0;  // rendered after the last event so releases and reverb decay
  std::vector<bool> muted_tracks;  // indexed like Score::tracks; missing = audible
};

// Stereo audio of length duration + tail.
AudioBuffer render_events(const PlaybackEvents& events, const RenderOptions& options);
AudioBuffer render_score(const midi::Score& score, const RenderOptions& options);

// Reads `midi_path` (MidiError on bad input), renders, writes `wav_path`. Returns the audio.
AudioBuffer render_midi_file_to_wav(const std::string& midi_path, const std::string& wav_path,
                                    const RenderOptions& options, SampleFormat format);

}  // namespace harmonia::audio
