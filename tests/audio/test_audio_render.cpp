// Offline render: length, silence, pitch and chord content measured on the rendered audio.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "audio_fixtures.hpp"
#include "core/audio/offline_renderer.hpp"
#include "core/midi/midi_file.hpp"
#include "spectrum.hpp"
#include "test_paths.hpp"

using namespace harmonia;

namespace {

audio::RenderOptions options_with(const std::filesystem::path& soundfont, double tail = 1.5) {
  audio::RenderOptions o;
  o.synth.soundfont = soundfont;
  o.tail_seconds = tail;
  return o;
}

size_t frame(double seconds) { return size_t(std::lround(seconds * 44100.0)); }

}  // namespace

TEST(AudioRender, SingleA4RendersAt440HzWithTheExpectedLength) {
  HARMONIA_REQUIRE_SOUNDFONT(soundfont);
  const auto dir = test::scratch_dir("audio_render_a4");
  const auto mid = (dir / "a4.mid").string(), wav = (dir / "a4.wav").string();
  midi::write_midi_file(test::score_of_notes({{69, 0.5, 1.0}}, /*program=*/0), mid);

  audio::render_midi_file_to_wav(mid, wav, options_with(soundfont, 1.5), audio::SampleFormat::Int16);
  audio::WavInfo info;
  const audio::AudioBuffer out = audio::read_wav_file(wav, &info);
  EXPECT_EQ(info.format, audio::SampleFormat::Int16);
  EXPECT_EQ(out.sample_rate, 44100);
  EXPECT_EQ(out.channels, 2);
  EXPECT_EQ(out.frames(), frame(0.5 + 1.0 + 1.5)) << "length must be the note's end plus the tail";

  EXPECT_GT(test::rms(out, frame(0.55), frame(0.9)), 0.01) << "the note is silent";
  const auto spectrum = test::spectrum_of(out, frame(0.6), frame(0.8));
  const double hz = spectrum.dominant_hz(30.0, 8000.0);
  std::printf("A4 (MIDI 69) dominant frequency: %.2f Hz\n", hz);
  EXPECT_NEAR(hz, 440.0, 440.0 * 0.02);
}

TEST(AudioRender, CMajorChordShowsEnergyAtItsThreeFundamentals) {
  HARMONIA_REQUIRE_SOUNDFONT(soundfont);
  const auto score = test::score_of_notes({{60, 0.0, 1.5}, {64, 0.0, 1.5}, {67, 0.0, 1.5}});
  const auto out = audio::render_score(score, options_with(soundfont, 0.5));
  const auto spectrum = test::spectrum_of(out, frame(0.1), frame(1.2));
  // Notes outside the chord (D4, F#4, A#4) carry neither a fundamental nor a low harmonic.
  double off_chord = 0.0;
  for (double hz : {293.66, 369.99, 466.16}) off_chord = std::max(off_chord, spectrum.peak_near(hz, 0.01));
  for (double hz : {261.63, 329.63, 392.00}) {
    const double peak = spectrum.peak_near(hz, 0.01);
    std::printf("chord: %.2f Hz magnitude %.1f (strongest off-chord %.1f)\n", hz, peak, off_chord);
    EXPECT_GT(peak, 10.0 * off_chord) << "no clear energy at " << hz << " Hz";
  }
}

TEST(AudioRender, SilenceBeforeTheFirstNoteIsPreserved) {
  HARMONIA_REQUIRE_SOUNDFONT(soundfont);
  const auto out = audio::render_score(test::score_of_notes({{69, 1.0, 0.5}}), options_with(soundfont, 0.5));
  ASSERT_EQ(out.frames(), frame(2.0));
  float before = 0.0f;
  for (size_t i = 0; i < frame(1.0) * 2; ++i) before = std::max(before, std::abs(out.samples[i]));
  EXPECT_LT(before, 1e-6f) << "sound before the first note";
  size_t onset = 0;
  while (onset < out.frames() && std::abs(out.samples[onset * 2]) < 1e-3f) ++onset;
  const double onset_seconds = double(onset) / 44100.0;
  std::printf("onset of a note at 1.000 s: %.4f s\n", onset_seconds);
  EXPECT_GE(onset_seconds, 1.0);
  EXPECT_LT(onset_seconds, 1.03);
}

TEST(AudioRender, MutedTrackIsNotHeard) {
  HARMONIA_REQUIRE_SOUNDFONT(soundfont);
  auto score = test::score_of_notes({{69, 0.0, 1.0}});
  auto low = test::score_of_notes({{45, 0.0, 1.0}}).tracks[0];  // A2, 110 Hz
  low.channel = 1;
  score.tracks.push_back(low);
  auto options = options_with(soundfont, 0.2);
  const auto both = audio::render_score(score, options);
  options.muted_tracks = {false, true};
  const auto muted = audio::render_score(score, options);
  const auto s_both = test::spectrum_of(both, frame(0.1), frame(0.8));
  const auto s_muted = test::spectrum_of(muted, frame(0.1), frame(0.8));
  EXPECT_GT(s_both.peak_near(110.0, 0.02), 10.0 * s_muted.peak_near(110.0, 0.02));
  EXPECT_NEAR(s_muted.dominant_hz(30.0, 8000.0), 440.0, 440.0 * 0.02);
}

TEST(AudioRender, FloatWavKeepsTheRenderedSamples) {
  HARMONIA_REQUIRE_SOUNDFONT(soundfont);
  const auto dir = test::scratch_dir("audio_render_float");
  const auto mid = (dir / "in.mid").string(), wav = (dir / "out.wav").string();
  const auto score = test::score_of_notes({{60, 0.0, 0.5}, {72, 0.25, 0.5}});
  midi::write_midi_file(score, mid);
  const auto summary = audio::render_midi_file_to_wav(mid, wav, options_with(soundfont, 0.5), audio::SampleFormat::Float32);
  const auto in_memory = audio::render_score(midi::read_midi_file(mid), options_with(soundfont, 0.5));
  audio::WavInfo info;
  const auto streamed = audio::read_wav_file(wav, &info);
  EXPECT_EQ(info.format, audio::SampleFormat::Float32);
  EXPECT_EQ(summary.frames, frame(1.25));
  ASSERT_EQ(streamed.samples.size(), in_memory.samples.size());
  EXPECT_TRUE(std::equal(streamed.samples.begin(), streamed.samples.end(), in_memory.samples.begin()))
      << "streaming to the file must give the samples of an in-memory render";
  EXPECT_FALSE(std::filesystem::exists(wav + ".tmp"));
}

TEST(AudioRender, BadInputsGiveClearErrors) {
  const auto dir = test::scratch_dir("audio_render_bad");
  const auto not_midi = (dir / "not.mid").string();
  { std::FILE* f = std::fopen(not_midi.c_str(), "wb"); std::fputs("hello", f); std::fclose(f); }
  audio::RenderOptions o;
  o.synth.soundfont = "/nonexistent/font.sf2";
  try {
    audio::render_midi_file_to_wav(not_midi, (dir / "x.wav").string(), o, audio::SampleFormat::Int16);
    FAIL() << "a non-MIDI file rendered";
  } catch (const midi::MidiError& e) {
    EXPECT_NE(std::string(e.what()).find("not.mid"), std::string::npos) << e.what();
  }
  try {
    audio::render_score(test::score_of_notes({{60, 0.0, 0.5}}), o);
    FAIL() << "a missing SoundFont rendered";
  } catch (const audio::SoundFontError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/font.sf2"), std::string::npos) << e.what();
  }
  o.synth.soundfont = not_midi;  // exists, but is no SoundFont
  EXPECT_THROW(audio::render_score(test::score_of_notes({{60, 0.0, 0.5}}), o), audio::SoundFontError);
}

TEST(AudioRender, DrumTrackPlaysTheDrumKitOnChannel10) {
  HARMONIA_REQUIRE_SOUNDFONT(soundfont);
  // Key 69 on the drum channel is a cabasa (noise); on a piano it is A4 (440 Hz).
  const auto drums = audio::render_score(test::score_of_notes({{69, 0.0, 0.5}}, 0, /*drums=*/true), options_with(soundfont, 0.3));
  const auto piano = audio::render_score(test::score_of_notes({{69, 0.0, 0.5}}, 0, false), options_with(soundfont, 0.3));
  ASSERT_EQ(drums.samples.size(), piano.samples.size());
  EXPECT_GT(test::rms(drums, 0, frame(0.2)), 0.005) << "the drum kit is silent";
  const auto s_piano = test::spectrum_of(piano, 0, frame(0.4)), s_drums = test::spectrum_of(drums, 0, frame(0.4));
  EXPECT_NEAR(s_piano.dominant_hz(30.0, 8000.0), 440.0, 440.0 * 0.02);
  const double drum_hz = s_drums.dominant_hz(30.0, 8000.0);
  std::printf("key 69 on channel 10: dominant %.1f Hz (piano: 440)\n", drum_hz);
  EXPECT_GT(std::abs(drum_hz - 440.0), 440.0 * 0.05) << "channel 10 played the piano instead of the drum kit";
}
