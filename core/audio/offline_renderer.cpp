#include "core/audio/offline_renderer.hpp"

#include <algorithm>
#include <cmath>

#include "core/audio/audio_error.hpp"
#include "core/midi/midi_file.hpp"

namespace harmonia::audio {
namespace {

constexpr int kMaxBlockFrames = 4096;

int64_t frame_at(double seconds, double sample_rate) { return int64_t(std::llround(seconds * sample_rate)); }

// Renders frames [cursor, target) into `out`.
void render_until(FluidSynthEngine& synth, AudioBuffer& out, int64_t& cursor, int64_t target) {
  while (cursor < target) {
    const int frames = int(std::min<int64_t>(kMaxBlockFrames, target - cursor));
    synth.render_float(out.samples.data() + cursor * 2, frames);
    cursor += frames;
  }
}

}  // namespace

AudioBuffer render_events(const PlaybackEvents& events, const RenderOptions& options) {
  if (!(options.tail_seconds >= 0.0) || options.tail_seconds > 600.0) {
    throw AudioError("render: tail must be between 0 and 600 seconds");
  }
  if (!(options.synth.sample_rate >= 8000.0 && options.synth.sample_rate <= 192000.0)) {
    throw AudioError("render: sample rate must be between 8000 and 192000 Hz");
  }
  FluidSynthEngine synth(options.synth);
  const double rate = options.synth.sample_rate;
  AudioBuffer out;
  out.sample_rate = int(rate);
  out.channels = 2;
  const int64_t total = frame_at(events.duration_seconds + options.tail_seconds, rate);
  out.samples.assign(size_t(total) * 2, 0.0f);

  int64_t cursor = 0;
  for (const auto& e : events.events) {
    const bool muted = e.track >= 0 && size_t(e.track) < options.muted_tracks.size() && options.muted_tracks[e.track];
    if (muted && e.message.is_note_on()) continue;
    render_until(synth, out, cursor, std::min(frame_at(e.seconds, rate), total));
    synth.send(e.message);
  }
  render_until(synth, out, cursor, total);
  return out;
}

AudioBuffer render_score(const midi::Score& score, const RenderOptions& options) {
  return render_events(build_playback_events(score), options);
}

AudioBuffer render_midi_file_to_wav(const std::string& midi_path, const std::string& wav_path,
                                    const RenderOptions& options, SampleFormat format) {
  const midi::Score score = midi::read_midi_file(midi_path);
  AudioBuffer audio = render_score(score, options);
  write_wav_file(wav_path, audio, format);
  return audio;
}

}  // namespace harmonia::audio
