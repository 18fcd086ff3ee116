#include "core/generate/music_metrics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>

#include "core/generate/muspy_metrics.hpp"

namespace harmonia::generate {

namespace {
// Krumhansl-Kessler key profiles (major, minor), tonic first.
constexpr std::array<double, 12> kMajor = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
constexpr std::array<double, 12> kMinor = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17};
constexpr std::array<int, 7> kMajorScale = {0, 2, 4, 5, 7, 9, 11};
constexpr std::array<int, 7> kMinorScale = {0, 2, 3, 5, 7, 8, 10};
const char* kNames[] = {"C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"};

double correlation(const std::array<double, 12>& x, const std::array<double, 12>& y) {
  double mx = 0, my = 0;
  for (int i = 0; i < 12; ++i) mx += x[i] / 12, my += y[i] / 12;
  double sxy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < 12; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0;
}
}  // namespace

constexpr int kGrooveResolution = 24;  // divisible by REMI's 8 positions per beat and by triplets

// Note onsets and durations rounded to `tpq` ticks per quarter (the rest of the score is copied).
static midi::Score at_resolution(const midi::Score& score, int tpq) {
  midi::Score out = score;
  const int from = std::max(1, score.ticks_per_quarter);
  if (from == tpq) return out;
  out.ticks_per_quarter = tpq;
  auto scale = [&](midi::Tick t) { return midi::Tick(std::llround(double(t) * tpq / from)); };
  for (auto& t : out.tracks)
    for (auto& n : t.notes) {
      const midi::Tick end = scale(n.end());
      n.time = scale(n.time);
      n.duration = end - n.time;
    }
  for (auto& t : out.tempos) t.time = scale(t.time);
  for (auto& t : out.time_signatures) t.time = scale(t.time);
  return out;
}

MusicMetrics compute_metrics(const midi::Score& score) {
  MusicMetrics m;
  std::array<double, 12> histogram{};
  std::set<int> velocities;
  for (const auto& t : score.tracks)
    for (const auto& n : t.notes) {
      velocities.insert(n.velocity);
      if (t.is_drum) {
        ++m.drum_notes;
      } else {
        ++m.notes;
        histogram[size_t(((n.pitch % 12) + 12) % 12)] += 1;
      }
    }
  const auto ts = score.time_signatures.empty() ? midi::TimeSignature{} : score.time_signatures.front();
  const midi::Tick bar = std::max<midi::Tick>(1, midi::Tick(score.ticks_per_quarter) * 4 * ts.numerator / ts.denominator);
  m.bars = size_t(score.end_tick() + bar - 1) / size_t(bar);
  m.seconds = score.ticks_to_seconds(muspy::length_ticks(score));

  m.pitch_class_entropy = muspy::pitch_class_entropy(score);
  m.pitch_range = muspy::pitch_range(score);
  m.polyphony = muspy::polyphony(score);
  m.empty_beat_rate = muspy::empty_beat_rate(score);
  m.scale_consistency = muspy::scale_consistency(score);
  // A measure of 4 quarter notes whatever the time signature: MusPy's metric assumes one
  // constant measure, and a fixed one keeps files with different meters comparable. Its
  // distance is divided by the slots per measure, so it depends on the file's resolution (a
  // file at 480 ticks per quarter scores near 1 for the same rhythm that scores 0.93 at 16):
  // every score is measured at kGrooveResolution ticks per quarter, as MusPy after
  // adjust_resolution(24), so that generated and reference files compare.
  m.groove_consistency = muspy::groove_consistency(at_resolution(score, kGrooveResolution), 4 * kGrooveResolution);

  const size_t all_notes = m.notes + m.drum_notes;
  // No note at all is a rate of 0 (an empty generated sample must pull the median down, not
  // drop out of it); notes that all end at tick 0 have no duration to divide by.
  if (all_notes == 0) m.notes_per_second = 0;
  else m.notes_per_second = m.seconds > 0 ? double(all_notes) / m.seconds : std::numeric_limits<double>::quiet_NaN();
  m.distinct_velocities = int(velocities.size());
  if (m.notes == 0) return m;
  m.notes_per_bar = m.bars ? double(m.notes) / double(m.bars) : 0;

  double best = -2;
  int best_root = 0;
  bool best_minor = false;
  for (int root = 0; root < 12; ++root)
    for (bool minor : {false, true}) {
      std::array<double, 12> profile{};
      for (int i = 0; i < 12; ++i) profile[size_t((root + i) % 12)] = (minor ? kMinor : kMajor)[size_t(i)];
      const double r = correlation(histogram, profile);
      if (r > best) best = r, best_root = root, best_minor = minor;
    }
  m.key = std::string(kNames[best_root]) + (best_minor ? ":minor" : ":major");
  const auto& scale = best_minor ? kMinorScale : kMajorScale;
  double in_key = 0;
  for (int pc : scale) in_key += histogram[size_t((best_root + pc) % 12)];
  m.in_key_share = in_key / double(m.notes);
  return m;
}

nlohmann::ordered_json metrics_to_json(const MusicMetrics& m) {
  nlohmann::ordered_json j;
  // NaN (an undefined metric) is written as null by nlohmann::json.
  j["notes"] = m.notes;
  j["drum_notes"] = m.drum_notes;
  j["bars"] = m.bars;
  j["seconds"] = m.seconds;
  j["notes_per_second"] = m.notes_per_second;
  j["empty_beat_rate"] = m.empty_beat_rate;
  j["polyphony"] = m.polyphony;
  j["pitch_range"] = m.pitch_range;
  j["pitch_class_entropy"] = m.pitch_class_entropy;
  j["scale_consistency"] = m.scale_consistency;
  j["groove_consistency"] = m.groove_consistency;
  j["distinct_velocities"] = m.distinct_velocities;
  j["notes_per_bar"] = m.notes_per_bar;
  j["key"] = m.key;
  j["in_key_share"] = m.in_key_share;
  return j;
}

}  // namespace harmonia::generate
