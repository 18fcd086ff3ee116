// Evaluation metrics on hand-built scores whose values are worked out by hand in the comments.
// Each case is built so that the usual mistakes give another number: counting drums where MusPy
// skips them (or the reverse), counting overlapping same-pitch notes twice, ending a note's
// beats one early, using the time signature's measure instead of MusPy's 4 quarters.
#include <gtest/gtest.h>

#include <cmath>

#include "core/generate/music_metrics.hpp"
#include "core/generate/muspy_metrics.hpp"

using namespace harmonia;
using namespace harmonia::generate;

namespace {

struct N {
  midi::Tick time, duration;
  int pitch, velocity = 80;
};

midi::Track track(const std::vector<N>& notes, bool drum = false) {
  midi::Track t;
  t.is_drum = drum;
  t.channel = drum ? 9 : 0;
  for (const auto& n : notes) t.notes.push_back({n.time, n.duration, n.pitch, n.velocity});
  return t;
}

midi::Score score(int tpq, std::vector<midi::Track> tracks) {
  midi::Score s;
  s.ticks_per_quarter = tpq;
  s.tracks = std::move(tracks);
  return s;
}

midi::Score scale_score(const std::vector<int>& pitches, midi::Tick step, midi::Tick dur) {
  std::vector<N> notes;
  midi::Tick time = 0;
  for (int p : pitches) notes.push_back({time, dur, p}), time += step;
  return score(480, {track(notes)});
}

}  // namespace

TEST(GenerateMetrics, PitchRangeSkipsDrums) {
  // Piano 55..72 -> 17; the drums' 36 and 81 would make it 45.
  const auto s = score(480, {track({{0, 480, 60}, {480, 480, 72}, {960, 480, 55}}),
                             track({{0, 10, 36}, {480, 10, 81}}, true)});
  EXPECT_EQ(compute_metrics(s).pitch_range, 17);
  // Drums only and no notes at all: 0 (MusPy 0.5 would give -127 for drums only).
  EXPECT_EQ(compute_metrics(score(480, {track({{0, 10, 36}, {0, 10, 81}}, true)})).pitch_range, 0);
  EXPECT_EQ(compute_metrics(midi::Score{}).pitch_range, 0);
}

TEST(GenerateMetrics, PitchClassEntropy) {
  // C E G C: P(C) = 1/2, P(E) = P(G) = 1/4 -> H = 1/2*1 + 2 * 1/4*2 = 1.5 bits. The drum notes
  // on 61 and 62 would add two more classes.
  const auto s = score(480, {track({{0, 480, 60}, {0, 480, 64}, {0, 480, 67}, {480, 480, 72}}),
                             track({{0, 10, 61}, {0, 10, 62}}, true)});
  EXPECT_DOUBLE_EQ(compute_metrics(s).pitch_class_entropy, 1.5);
  // All 12 classes once: log2(12).
  EXPECT_NEAR(compute_metrics(scale_score({60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71}, 480, 480)).pitch_class_entropy,
              std::log2(12.0), 1e-12);
  EXPECT_TRUE(std::isnan(compute_metrics(midi::Score{}).pitch_class_entropy));
  EXPECT_TRUE(std::isnan(compute_metrics(score(480, {track({{0, 10, 36}}, true)})).pitch_class_entropy));
}

TEST(GenerateMetrics, ScaleConsistency) {
  // C D E F G A B + F#: 8 distinct classes, so no 7-note scale holds them all; C major (and G
  // major) hold 7 -> 7/8. A drum C# counted would make it 7/9.
  const auto s = score(480, {track({{0, 480, 60}, {480, 480, 62}, {960, 480, 64}, {1440, 480, 65},
                                    {1920, 480, 67}, {2400, 480, 69}, {2880, 480, 71}, {3360, 480, 66}}),
                             track({{0, 10, 61}}, true)});
  EXPECT_DOUBLE_EQ(compute_metrics(s).scale_consistency, 7.0 / 8.0);
  // A minor pentatonic (A C D E G) lies in C major / A minor -> 1.
  EXPECT_DOUBLE_EQ(compute_metrics(scale_score({57, 60, 62, 64, 67}, 480, 480)).scale_consistency, 1.0);
  // A harmonic minor, A B C D E F G#: not a rotation of the major scale, so no scale holds all
  // 7; A minor / C major hold all but G# -> 6/7.
  EXPECT_DOUBLE_EQ(compute_metrics(scale_score({57, 59, 60, 62, 64, 65, 68}, 480, 480)).scale_consistency, 6.0 / 7.0);
  EXPECT_TRUE(std::isnan(compute_metrics(midi::Score{}).scale_consistency));
}

TEST(GenerateMetrics, PolyphonyCountsPitchesPerSoundingTick) {
  // tpq 4. Pitch 60 on [0,8) and again on [2,6) (inside the first: one piano-roll row, counted
  // once), 64 on [0,4), 67 on [12,16); a drum on [8,12) is skipped.
  // Piano-roll cells: 60 -> 8, 64 -> 4, 67 -> 4 = 16. Ticks with a pitch on: [0,8) + [12,16) = 12.
  // Polyphony 16 / 12 = 4/3. (Drums counted: 20/16; the overlap counted twice: 20/12.)
  const auto s = score(4, {track({{0, 8, 60}, {0, 4, 64}, {2, 4, 60}, {12, 4, 67}}), track({{8, 4, 36}}, true)});
  EXPECT_DOUBLE_EQ(compute_metrics(s).polyphony, 16.0 / 12.0);
  // A monophonic line is exactly 1.
  EXPECT_DOUBLE_EQ(compute_metrics(scale_score({60, 62, 64}, 480, 480)).polyphony, 1.0);
  // No sounding pitched note: undefined.
  EXPECT_TRUE(std::isnan(compute_metrics(midi::Score{}).polyphony));
  EXPECT_TRUE(std::isnan(compute_metrics(score(4, {track({{0, 0, 60}}), track({{0, 4, 36}}, true)})).polyphony));
}

TEST(GenerateMetrics, EmptyBeatRate) {
  // tpq 4. Piano [0,2) touches beat 0; drum [8,12) touches beats 2..3 (ending exactly on beat 3
  // touches it); piano [17,27) spans beats 4..6. Length 27 -> 27/4 + 1 = 7 beats (0..6);
  // untouched: beat 1 -> 1/7. (Drums skipped: beats 1, 2, 3 empty -> 3/7.)
  const auto s = score(4, {track({{0, 2, 60}, {17, 10, 64}}), track({{8, 4, 36}}, true)});
  EXPECT_DOUBLE_EQ(compute_metrics(s).empty_beat_rate, 1.0 / 7.0);
  // A note filling [0,4): length 4 -> 2 beats, both touched (end 4/4 = 1) -> 0.
  EXPECT_DOUBLE_EQ(compute_metrics(score(4, {track({{0, 4, 60}})})).empty_beat_rate, 0.0);
  // Two short notes 3 beats apart: beats 0 and 3 of 0..3 touched -> 2/4.
  EXPECT_DOUBLE_EQ(compute_metrics(score(4, {track({{0, 1, 60}, {12, 1, 60}})})).empty_beat_rate, 0.5);
  // Drums only still count; no notes: undefined.
  EXPECT_DOUBLE_EQ(compute_metrics(score(4, {track({{0, 4, 36}}, true)})).empty_beat_rate, 0.0);
  EXPECT_TRUE(std::isnan(compute_metrics(midi::Score{}).empty_beat_rate));
}

TEST(GenerateMetrics, GrooveConsistencyOverFourQuarterMeasures) {
  // tpq 2 -> a measure is 4 * 2 = 8 ticks even though the file says 3/4. Onsets:
  //   measure 0: ticks 0, 4      -> {0, 4}
  //   measure 1: ticks 8, 12     -> {0, 4}
  //   measure 2: 16, drum at 18  -> {0, 2}
  //   measure 3: none            -> {}
  //   measure 4: 32 (ends at 33) -> {0}; length 33 -> 33/8 + 1 = 5 measures.
  // Hamming distances: 0 + 2 + 2 + 1 = 5 -> 1 - 5 / (8 * 4) = 27/32. Without the drum: 1 + 1 + 1
  // -> 29/32; with 3/4 measures (6 ticks) the grids would be different again.
  auto s = score(2, {track({{0, 1, 60}, {4, 1, 62}, {8, 1, 60}, {12, 1, 62}, {16, 1, 60}, {32, 1, 60}}),
                     track({{18, 1, 38}}, true)});
  s.time_signatures.push_back({0, 3, 4});
  EXPECT_DOUBLE_EQ(muspy::groove_consistency(s, 8), 27.0 / 32.0);
  // compute_metrics measures at 24 ticks per quarter (x12 here): the same 5 differing onsets
  // over 4 pairs of 96-slot measures.
  EXPECT_DOUBLE_EQ(compute_metrics(s).groove_consistency, 1.0 - 5.0 / 384.0);
  // A note ending exactly on the next measure opens a second, empty measure: 1 - 1/8.
  EXPECT_DOUBLE_EQ(muspy::groove_consistency(score(2, {track({{0, 8, 60}})}), 8), 7.0 / 8.0);
  EXPECT_DOUBLE_EQ(compute_metrics(score(2, {track({{0, 8, 60}})})).groove_consistency, 1.0 - 1.0 / 96.0);
  // One quarter note at the start of each of 3 measures (the last ends inside its measure, so
  // no empty measure follows): the same grid every time -> 1.
  EXPECT_DOUBLE_EQ(compute_metrics(scale_score({60, 62, 64}, 1920, 480)).groove_consistency, 1.0);
  // Fewer than two measures: undefined.
  EXPECT_TRUE(std::isnan(compute_metrics(score(2, {track({{0, 7, 60}})})).groove_consistency));
  EXPECT_TRUE(std::isnan(compute_metrics(midi::Score{}).groove_consistency));
}

TEST(GenerateMetrics, NotesPerSecondThroughTheTempoMap) {
  // tpq 480; 120 qpm until tick 960 (2 quarters = 1 s), then 60 qpm; the last note ends at
  // 1920 -> 1 s + 2 quarters at 1 s = 3 s. 4 piano + 2 drum notes -> 6 / 3 = 2 notes/s.
  // (A tempo after the last note does not matter.)
  auto s = score(480, {track({{0, 480, 60}, {480, 480, 62}, {960, 480, 64}, {1440, 480, 65}}),
                       track({{0, 10, 36}, {960, 10, 36}}, true)});
  s.tempos = {{0, 500000}, {960, 1000000}, {5000, 250000}};
  const auto m = compute_metrics(s);
  EXPECT_DOUBLE_EQ(m.seconds, 3.0);
  EXPECT_DOUBLE_EQ(m.notes_per_second, 2.0);
  EXPECT_EQ(m.notes, 4u);
  EXPECT_EQ(m.drum_notes, 2u);
  // No note: a rate of 0; notes without any duration (all ending at tick 0): undefined.
  EXPECT_EQ(compute_metrics(midi::Score{}).notes_per_second, 0.0);
  EXPECT_TRUE(std::isnan(compute_metrics(score(480, {track({{0, 0, 60}})})).notes_per_second));
}

TEST(GenerateMetrics, DistinctVelocities) {
  // 80, 80, 64, 100 on the piano, 127 on the drums -> {64, 80, 100, 127} = 4.
  const auto s = score(480, {track({{0, 480, 60, 80}, {480, 480, 62, 80}, {960, 480, 64, 64}, {1440, 480, 65, 100}}),
                             track({{0, 10, 36, 127}}, true)});
  EXPECT_EQ(compute_metrics(s).distinct_velocities, 4);
  EXPECT_EQ(compute_metrics(midi::Score{}).distinct_velocities, 0);
}

TEST(GenerateMetrics, CMajorScaleKeyAndBars) {
  // C major up an octave, one quarter each: 8 notes over 2 bars of 4/4.
  const auto m = compute_metrics(scale_score({60, 62, 64, 65, 67, 69, 71, 72}, 480, 480));
  EXPECT_EQ(m.notes, 8u);
  EXPECT_EQ(m.bars, 2u);
  EXPECT_EQ(m.pitch_range, 12);
  EXPECT_DOUBLE_EQ(m.notes_per_bar, 4.0);
  EXPECT_EQ(m.key, "C:major");
  EXPECT_DOUBLE_EQ(m.in_key_share, 1.0);
  EXPECT_DOUBLE_EQ(m.scale_consistency, 1.0);
  // Length 8 quarters -> beats 0..8; note i covers [i, i+1) quarters and touches beats i and
  // i+1, so all 9 are touched -> 0.
  EXPECT_DOUBLE_EQ(m.empty_beat_rate, 0.0);
  // Two measures of 4 onsets each, then the empty third measure the last note's end opens:
  // distances 0 + 4 -> 1 - 4 / (96 * 2) at the metrics' 24 ticks per quarter.
  EXPECT_DOUBLE_EQ(m.groove_consistency, 1.0 - 4.0 / 192.0);
}

TEST(GenerateMetrics, JsonWritesUndefinedAsNull) {
  // nlohmann::json holds NaN as a number and writes it as null.
  const auto j = metrics_to_json(compute_metrics(midi::Score{}));
  const auto text = j.dump();
  EXPECT_NE(text.find("\"polyphony\":null"), std::string::npos) << text;
  EXPECT_NE(text.find("\"groove_consistency\":null"), std::string::npos) << text;
  EXPECT_EQ(j.at("notes"), 0);
  const auto k = metrics_to_json(compute_metrics(scale_score({60, 64}, 480, 480)));
  EXPECT_DOUBLE_EQ(k.at("polyphony").get<double>(), 1.0);
  EXPECT_EQ(k.at("distinct_velocities"), 1);
}

TEST(GenerateMetrics, GrooveConsistencyDoesNotDependOnTheFileResolution) {
  // The same rhythm (eighth notes, one missing in every other bar) written at 480 and at 16
  // ticks per quarter: MusPy's raw metric differs 30-fold in distance, ours is equal.
  auto rhythm = [](int tpq) {
    midi::Score s;
    s.ticks_per_quarter = tpq;
    midi::Track t;
    for (int bar = 0; bar < 4; ++bar)
      for (int e = 0; e < 8; ++e)
        if (!(bar % 2 && e == 3)) t.notes.push_back({midi::Tick((bar * 8 + e) * tpq / 2), tpq / 4, 60, 80});
    s.tracks.push_back(t);
    return s;
  };
  const auto fine = rhythm(480), coarse = rhythm(16);
  EXPECT_NE(muspy::groove_consistency(fine, 1920), muspy::groove_consistency(coarse, 64));
  EXPECT_DOUBLE_EQ(compute_metrics(fine).groove_consistency, compute_metrics(coarse).groove_consistency);
  EXPECT_DOUBLE_EQ(compute_metrics(fine).groove_consistency, 1.0 - 3.0 / (96.0 * 3.0));
}
