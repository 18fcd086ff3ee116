// Evaluation metrics on hand-built scores whose values are known.
#include <gtest/gtest.h>

#include <cmath>

#include "core/generate/music_metrics.hpp"

using namespace harmonia;
using namespace harmonia::generate;

namespace {
midi::Score scale_score(const std::vector<int>& pitches, midi::Tick step, midi::Tick dur) {
  midi::Score s;
  s.ticks_per_quarter = 480;
  midi::Track t;
  midi::Tick time = 0;
  for (int p : pitches) {
    t.notes.push_back({time, dur, p, 80});
    time += step;
  }
  s.tracks.push_back(t);
  return s;
}
}  // namespace

TEST(GenerateMetrics, CMajorScaleMonophonic) {
  // C major up an octave, one quarter each: 8 notes over 2 bars of 4/4.
  const auto m = compute_metrics(scale_score({60, 62, 64, 65, 67, 69, 71, 72}, 480, 480));
  EXPECT_EQ(m.notes, 8u);
  EXPECT_EQ(m.bars, 2u);
  EXPECT_EQ(m.pitch_range, 12);
  EXPECT_DOUBLE_EQ(m.polyphony, 1.0);
  EXPECT_DOUBLE_EQ(m.notes_per_bar, 4.0);
  EXPECT_EQ(m.key, "C:major");
  EXPECT_DOUBLE_EQ(m.in_key_share, 1.0);
  EXPECT_DOUBLE_EQ(m.groove_consistency, 1.0);  // same onset grid in both bars
  // 7 pitch classes, C twice: entropy just under log2(7).
  EXPECT_GT(m.pitch_class_entropy, 2.7);
  EXPECT_LT(m.pitch_class_entropy, std::log2(7.0));
}

TEST(GenerateMetrics, ChordsChromaticAndIrregularGroove) {
  midi::Score s = scale_score({60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71}, 480, 960);
  const auto m = compute_metrics(s);
  EXPECT_NEAR(m.pitch_class_entropy, std::log2(12.0), 1e-9);
  EXPECT_GT(m.polyphony, 1.5);  // each note overlaps the next
  EXPECT_LT(m.in_key_share, 0.6);
  // Bar 1: onsets on every beat; bar 2: a single onset.
  const auto g = compute_metrics(scale_score({60, 62, 64, 65, 67}, 480, 240));
  EXPECT_NEAR(g.groove_consistency, 1.0 - 3.0 / 16.0, 1e-9);
  EXPECT_EQ(compute_metrics(midi::Score{}).notes, 0u);
}
