#include "core/audio/offline_renderer.hpp"

#include <algorithm>
#include <cmath>

#include "core/audio/audio_error.hpp"
#include "core/midi/midi_file.hpp"

namespace harmonia::audio {
namespace {

constexpr int kMaxBlockFrames = 4096;

int64_t frame_at(double seconds, double sample_rate) { return int64_t(std::llround(seconds * sample_rate)); }

// Renders frames [cursor, target) into the sink.
void render_until(FluidSynthEngine& synth, std::vector<float>& block, const AudioSink& sink, int64_t& cursor,
                  int64_t target) {
  while (cursor < target) {
    const int frames = int(std::min<int64_t>(kMaxBlockFrames, target - cursor));
    synth.render_float(block.data(), frames);
    sink(block.data(), size_t(frames));
    cursor += frames;
  }
}

}  // namespace

size_t render_events_to(const PlaybackEvents& events, const RenderOptions& options, const AudioSink& sink) {
  if (!(options.tail_seconds >= 0.0) || options.tail_seconds > 600.0) {
    throw AudioError("render: tail must be between 0 and 600 seconds");
  }
  if (!(options.synth.sample_rate >= 8000.0 && options.synth.sample_rate <= 192000.0)) {
    throw AudioError("render: sample rate must be between 8000 and 192000 Hz");
  }
  FluidSynthEngine synth(options.synth);
  const double rate = options.synth.sample_rate;
  const int64_t total = frame_at(events.duration_seconds + options.tail_seconds, rate);
  std::vector<float> block(size_t(kMaxBlockFrames) * 2);
  int64_t cursor = 0;
  for (const auto& e : events.events) {
    const bool muted = e.track >= 0 && size_t(e.track) < options.muted_tracks.size() && options.muted_tracks[e.track];
    if (muted && e.message.is_note_on()) continue;
    // Everything up to the event's own frame first: notes start on their exact sample
    // (FluidSynth applies them at its next 64-frame block).
    render_until(synth, block, sink, cursor, std::min(frame_at(e.seconds, rate), total));
    synth.send(e.message);
  }
  render_until(synth, block, sink, cursor, total);
  return size_t(total);
}

AudioBuffer render_events(const PlaybackEvents& events, const RenderOptions& options) {
  AudioBuffer out;
  out.sample_rate = int(options.synth.sample_rate);
  out.channels = 2;
  out.samples.reserve(size_t(std::max(0.0, (events.duration_seconds + options.tail_seconds) * options.synth.sample_rate + 1)) * 2);
  render_events_to(events, options, [&](const float* data, size_t frames) {
    out.samples.insert(out.samples.end(), data, data + frames * 2);
  });
  return out;
}

AudioBuffer render_score(const midi::Score& score, const RenderOptions& options) {
  return render_events(build_playback_events(score), options);
}

RenderSummary render_midi_file_to_wav(const std::string& midi_path, const std::string& wav_path,
                                      const RenderOptions& options, SampleFormat format) {
  const midi::Score score = midi::read_midi_file(midi_path);
  const auto events = build_playback_events(score);
  RenderSummary summary;
  summary.sample_rate = int(options.synth.sample_rate);
  WavWriter writer(wav_path, summary.sample_rate, 2, format);
  summary.frames = render_events_to(events, options, [&](const float* data, size_t frames) { writer.write(data, frames); });
  writer.finish();
  return summary;
}

}  // namespace harmonia::audio
