#include "core/generate/music_metrics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

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

MusicMetrics compute_metrics(const midi::Score& score) {
  MusicMetrics m;
  std::vector<midi::Note> notes;
  for (const auto& t : score.tracks)
    if (!t.is_drum) notes.insert(notes.end(), t.notes.begin(), t.notes.end());
  std::vector<midi::Note> all_onsets = notes;  // groove uses drums too
  for (const auto& t : score.tracks)
    if (t.is_drum) all_onsets.insert(all_onsets.end(), t.notes.begin(), t.notes.end());
  m.notes = notes.size();
  const auto ts = score.time_signatures.empty() ? midi::TimeSignature{} : score.time_signatures.front();
  const midi::Tick bar = std::max<midi::Tick>(1, midi::Tick(score.ticks_per_quarter) * 4 * ts.numerator / ts.denominator);
  m.bars = size_t(score.end_tick() + bar - 1) / size_t(bar);
  if (!all_onsets.empty()) {
    // Groove: onsets on a 16-per-bar grid, compared bar to next bar.
    std::map<midi::Tick, std::array<bool, 16>> grid;
    for (const auto& n : all_onsets) {
      auto& g = grid[n.time / bar];
      g[size_t(std::min<midi::Tick>(15, (n.time % bar) * 16 / bar))] = true;
    }
    double distance = 0;
    size_t pairs = 0;
    for (auto it = grid.begin(); std::next(it) != grid.end(); ++it) {
      const auto& a = it->second;
      const auto& b = std::next(it)->second;
      int diff = 0;
      for (int i = 0; i < 16; ++i) diff += a[size_t(i)] != b[size_t(i)];
      distance += diff / 16.0;
      ++pairs;
    }
    m.groove_consistency = pairs ? 1.0 - distance / double(pairs) : 1.0;
  }
  if (notes.empty()) return m;

  std::array<double, 12> histogram{};
  int lo = 127, hi = 0;
  std::map<midi::Tick, int> onsets;
  for (const auto& n : notes) {
    histogram[size_t(n.pitch % 12)] += 1;
    lo = std::min(lo, n.pitch);
    hi = std::max(hi, n.pitch);
    onsets[n.time] = 0;
  }
  for (double c : histogram)
    if (c > 0) m.pitch_class_entropy -= c / double(notes.size()) * std::log2(c / double(notes.size()));
  m.pitch_range = hi - lo;
  // Polyphony: at each onset, how many notes sound (started at or before it, not yet ended).
  for (auto& [t, count] : onsets)
    for (const auto& n : notes)
      if (n.time <= t && n.end() > t) ++count;
  double sum = 0;
  for (const auto& [t, count] : onsets) sum += count;
  m.polyphony = sum / double(onsets.size());
  m.notes_per_bar = m.bars ? double(notes.size()) / double(m.bars) : 0;

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
  m.in_key_share = in_key / double(notes.size());
  return m;
}

nlohmann::ordered_json metrics_to_json(const MusicMetrics& m) {
  nlohmann::ordered_json j;
  j["notes"] = m.notes;
  j["bars"] = m.bars;
  j["pitch_class_entropy"] = m.pitch_class_entropy;
  j["pitch_range"] = m.pitch_range;
  j["polyphony"] = m.polyphony;
  j["notes_per_bar"] = m.notes_per_bar;
  j["groove_consistency"] = m.groove_consistency;
  j["key"] = m.key;
  j["in_key_share"] = m.in_key_share;
  return j;
}

}  // namespace harmonia::generate
