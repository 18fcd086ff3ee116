#include "core/generate/muspy_metrics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <utility>
#include <vector>

namespace harmonia::generate::muspy {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Span = std::pair<midi::Tick, midi::Tick>;  // [first, last) in ticks or beats

// Length covered by the union of half-open spans. MusPy builds dense arrays (a piano roll of
// length x 128, one flag per beat); summing merged spans gives the same counts without
// allocating in proportion to a file's tick count, which a hostile file could make huge.
midi::Tick union_length(std::vector<Span> spans) {
  std::sort(spans.begin(), spans.end());
  midi::Tick covered = 0, run_start = 0, run_end = 0;
  bool open = false;
  for (const auto& [first, last] : spans) {
    if (last <= first) continue;
    if (open && first <= run_end) {
      run_end = std::max(run_end, last);
      continue;
    }
    if (open) covered += run_end - run_start;
    run_start = first, run_end = last, open = true;
  }
  if (open) covered += run_end - run_start;
  return covered;
}

std::array<size_t, 12> pitch_class_counts(const midi::Score& score, size_t* total) {
  std::array<size_t, 12> counts{};
  *total = 0;
  for (const auto& t : score.tracks) {
    if (t.is_drum) continue;
    for (const auto& n : t.notes) ++counts[size_t(((n.pitch % 12) + 12) % 12)], ++*total;
  }
  return counts;
}

}  // namespace

midi::Tick length_ticks(const midi::Score& score) {
  midi::Tick end = 0;
  for (const auto& t : score.tracks)
    for (const auto& n : t.notes) end = std::max(end, n.end());
  return end;
}

int pitch_range(const midi::Score& score) {
  int lo = std::numeric_limits<int>::max(), hi = std::numeric_limits<int>::min();
  for (const auto& t : score.tracks) {
    if (t.is_drum) continue;
    for (const auto& n : t.notes) lo = std::min(lo, n.pitch), hi = std::max(hi, n.pitch);
  }
  return hi >= lo ? hi - lo : 0;
}

double pitch_class_entropy(const midi::Score& score) {
  size_t total = 0;
  const auto counts = pitch_class_counts(score, &total);
  if (total == 0) return kNaN;
  double entropy = 0;
  for (size_t c : counts)
    if (c > 0) {
      const double p = double(c) / double(total);
      entropy -= p * std::log2(p);
    }
  return entropy;
}

double scale_consistency(const midi::Score& score) {
  // Pitch classes of C major and C natural minor; the other 22 scales are rotations. (Each
  // minor scale holds the same pitch classes as its relative major, so the minor half never
  // changes the maximum, but MusPy takes it over both and so do we.)
  constexpr std::array<bool, 12> kMajor = {1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1};
  constexpr std::array<bool, 12> kMinor = {1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0};
  size_t total = 0;
  const auto counts = pitch_class_counts(score, &total);
  if (total == 0) return kNaN;
  size_t best = 0;
  for (const auto* scale : {&kMajor, &kMinor})
    for (size_t root = 0; root < 12; ++root) {
      size_t inside = 0;
      for (size_t pc = 0; pc < 12; ++pc)
        if ((*scale)[(pc + 12 - root) % 12]) inside += counts[pc];
      best = std::max(best, inside);
    }
  return double(best) / double(total);
}

double polyphony(const midi::Score& score) {
  // Numerator: cells set in the binary piano roll = per pitch, the ticks covered by that
  // pitch's notes. Denominator: ticks where any pitch is on.
  std::map<int, std::vector<Span>> by_pitch;
  std::vector<Span> all;
  for (const auto& t : score.tracks) {
    if (t.is_drum) continue;
    for (const auto& n : t.notes) {
      by_pitch[n.pitch].push_back({n.time, n.end()});
      all.push_back({n.time, n.end()});
    }
  }
  const midi::Tick sounding = union_length(std::move(all));
  if (sounding == 0) return kNaN;
  midi::Tick cells = 0;
  for (auto& [pitch, spans] : by_pitch) cells += union_length(std::move(spans));
  return double(cells) / double(sounding);
}

double empty_beat_rate(const midi::Score& score) {
  const midi::Tick length = length_ticks(score);
  if (length < 1) return kNaN;
  const midi::Tick beat = std::max(1, score.ticks_per_quarter);
  const midi::Tick beats = length / beat + 1;
  std::vector<Span> touched;  // in beats: [first, last + 1)
  for (const auto& t : score.tracks)
    for (const auto& n : t.notes) touched.push_back({n.time / beat, n.end() / beat + 1});
  return 1.0 - double(union_length(std::move(touched))) / double(beats);
}

double groove_consistency(const midi::Score& score, midi::Tick measure_ticks) {
  const midi::Tick length = length_ticks(score);
  measure_ticks = std::max<midi::Tick>(1, measure_ticks);
  const midi::Tick measures = length / measure_ticks + 1;
  if (measures < 2) return kNaN;
  // Onset positions per measure, only for measures that have onsets (the rest are empty).
  std::map<midi::Tick, std::set<midi::Tick>> onsets;
  for (const auto& t : score.tracks)
    for (const auto& n : t.notes) onsets[n.time / measure_ticks].insert(n.time % measure_ticks);
  // Only pairs (i, i+1) with an onset on either side can differ: i = m and i = m - 1 for every
  // measure m with onsets, kept inside 0 .. measures - 2.
  std::set<midi::Tick> pairs;
  for (const auto& [m, positions] : onsets) {
    if (m < measures - 1) pairs.insert(m);
    if (m >= 1) pairs.insert(m - 1);
  }
  const std::set<midi::Tick> none;
  auto at = [&](midi::Tick m) -> const std::set<midi::Tick>& {
    const auto it = onsets.find(m);
    return it == onsets.end() ? none : it->second;
  };
  double distance = 0;
  for (midi::Tick i : pairs) {
    const auto& a = at(i);
    const auto& b = at(i + 1);
    size_t shared = 0;
    for (midi::Tick p : a) shared += b.count(p);
    distance += double(a.size() + b.size() - 2 * shared);  // size of the symmetric difference
  }
  return 1.0 - distance / (double(measure_ticks) * double(measures - 1));
}

}  // namespace harmonia::generate::muspy
