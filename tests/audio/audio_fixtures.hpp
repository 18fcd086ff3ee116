// Small scores written by the tests themselves, and the SoundFont to render them with.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <initializer_list>

#include "core/audio/audio_error.hpp"
#include "core/audio/soundfont_locator.hpp"
#include "core/midi/score.hpp"

namespace harmonia::test {

// One track of notes (pitch, start, length in seconds) at 120 qpm, 480 ticks per quarter.
inline midi::Score score_of_notes(std::initializer_list<std::tuple<int, double, double>> notes, int program = 0,
                                  bool drums = false) {
  midi::Score score;
  score.ticks_per_quarter = 480;
  score.tempos.push_back({0, 500000});
  midi::Track track;
  track.name = drums ? "drums" : "piano";
  track.program = program;
  track.channel = drums ? 9 : 0;
  track.is_drum = drums;
  for (const auto& [pitch, start, length] : notes) {
    const midi::Tick t = midi::Tick(start * 960.0 + 0.5), d = midi::Tick(length * 960.0 + 0.5);
    track.notes.push_back({t, d, pitch, 100});
  }
  score.tracks.push_back(track);
  score.sort_events();
  return score;
}

// The system's General MIDI font, or skip naming the package that provides one.
inline std::filesystem::path soundfont_or_skip() {
  try {
    return audio::find_soundfont("");
  } catch (const audio::SoundFontError& e) {
    return {};
  }
}

}  // namespace harmonia::test

#define HARMONIA_REQUIRE_SOUNDFONT(var)                                                    \
  const std::filesystem::path var = harmonia::test::soundfont_or_skip();                   \
  if (var.empty())                                                                          \
    GTEST_SKIP() << "no General MIDI SoundFont installed: sudo apt-get install timgm6mb-soundfont"
