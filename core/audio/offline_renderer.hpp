// Score -> audio without a sound card: we drive FluidSynth ourselves, sample by sample,
// so it runs as fast as the CPU allows and every note starts on its exact sample.
#pragma once

#include <functional>
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

// Receives the rendered audio block by block: interleaved stereo, `frames` frames.
using AudioSink = std::function<void(const float* interleaved, size_t frames)>;

// Renders duration + tail of stereo audio into `sink`; returns the number of frames.
size_t render_events_to(const PlaybackEvents& events, const RenderOptions& options, const AudioSink& sink);

// The same, collected in memory.
AudioBuffer render_events(const PlaybackEvents& events, const RenderOptions& options);
AudioBuffer render_score(const midi::Score& score, const RenderOptions& options);

struct RenderSummary {
  size_t frames = 0;
  int sample_rate = 0;
  double seconds() const { return sample_rate ? double(frames) / sample_rate : 0.0; }
};

// Reads `midi_path` (MidiError on bad input), renders and streams to `wav_path` (so long
// pieces need no memory for the whole audio).
RenderSummary render_midi_file_to_wav(const std::string& midi_path, const std::string& wav_path,
                                      const RenderOptions& options, SampleFormat format);

}  // namespace harmonia::audio
