#include "core/data/score_tidy.hpp"

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

namespace harmonia::data {

using midi::Tick;

std::string TidyOptions::fingerprint() const {
  if (!enabled) return "";
  return "tidy(max_empty_bars=" + std::to_string(max_empty_bars) + ")";
}

namespace {

// The bar grid of a score, kept as one segment per time signature: bars are counted rather
// than listed, so a file whose last event sits at tick 2^40 costs nothing more than any other.
class BarGrid {
 public:
  explicit BarGrid(const midi::Score& score) {
    const Tick tpq = std::max(1, score.ticks_per_quarter);
    auto bar_length = [&](int num, int den) { return std::max<Tick>(1, tpq * 4 * std::max(1, num) / std::max(1, den)); };
    segments_.push_back({0, bar_length(4, 4), 0});
    for (const auto& ts : score.time_signatures) {
      const Tick t = std::max<Tick>(0, ts.time);
      Segment& last = segments_.back();
      // A change inside a bar starts a new bar where it happens (MIDI files put them on bar lines).
      const int64_t index = last.first_bar + (t - last.start + last.length - 1) / last.length;
      if (t == last.start) {
        last.length = bar_length(ts.numerator, ts.denominator);
        continue;
      }
      segments_.push_back({t, bar_length(ts.numerator, ts.denominator), index});
    }
  }

  int64_t bar_of(Tick t) const {
    const Segment& s = segment_at_tick(t);
    return s.first_bar + (std::max<Tick>(t, s.start) - s.start) / s.length;
  }

  Tick start_of(int64_t bar) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), bar,
                               [](int64_t b, const Segment& s) { return b < s.first_bar; });
    const Segment& s = *std::prev(it);
    return s.start + (bar - s.first_bar) * s.length;
  }

 private:
  struct Segment {
    Tick start;
    Tick length;
    int64_t first_bar;
  };
  const Segment& segment_at_tick(Tick t) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), t, [](Tick v, const Segment& s) { return v < s.start; });
    return it == segments_.begin() ? segments_.front() : *std::prev(it);
  }
  std::vector<Segment> segments_;
};

// Removed tick ranges [begin, end), sorted and disjoint, and how far each later tick moves.
class TickMap {
 public:
  void remove(Tick begin, Tick end) {
    if (end <= begin) return;
    removed_before_.push_back(ranges_.empty() ? 0 : removed_before_.back() + (ranges_.back().second - ranges_.back().first));
    ranges_.emplace_back(begin, end);
  }
  // Where tick t lands; a tick inside a removed range lands where the range was cut.
  Tick map(Tick t) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), t,
                               [](Tick v, const std::pair<Tick, Tick>& r) { return v < r.first; });
    if (it == ranges_.begin()) return t;
    const size_t i = size_t(std::prev(it) - ranges_.begin());
    const Tick shift = removed_before_[i];
    if (t < ranges_[i].second) return ranges_[i].first - shift;
    return t - shift - (ranges_[i].second - ranges_[i].first);
  }

 private:
  std::vector<std::pair<Tick, Tick>> ranges_;
  std::vector<Tick> removed_before_;
};

// Moves timed events through the map, drops those at or after `cut`, and keeps only the last
// of several that land on the same tick (a tempo or time signature squeezed out of a removed
// stretch is overridden by what follows it).
template <class Event>
void remap_changes(std::vector<Event>& events, const TickMap& map, Tick cut) {
  std::vector<Event> out;
  for (auto e : events) {
    if (e.time >= cut) continue;
    e.time = map.map(e.time);
    if (!out.empty() && out.back().time == e.time) out.back() = e;
    else out.push_back(e);
  }
  events = std::move(out);
}

}  // namespace

TidyStats tidy_score(midi::Score& score, const TidyOptions& options) {
  TidyStats stats;
  if (!options.enabled) return stats;
  const BarGrid grid(score);
  // Bars in which something sounds, as merged ranges of bar numbers.
  std::vector<std::pair<int64_t, int64_t>> sounding;  // [first, last] inclusive
  for (const auto& track : score.tracks)
    for (const auto& n : track.notes) {
      const Tick last_tick = std::max(n.time, n.end() - 1);
      sounding.emplace_back(grid.bar_of(n.time), grid.bar_of(last_tick));
    }
  if (sounding.empty()) return stats;
  std::sort(sounding.begin(), sounding.end());
  std::vector<std::pair<int64_t, int64_t>> merged;
  for (const auto& r : sounding) {
    if (!merged.empty() && r.first <= merged.back().second + 1) merged.back().second = std::max(merged.back().second, r.second);
    else merged.push_back(r);
  }
  const int64_t first = merged.front().first, last = merged.back().second;
  const int64_t keep_empty = std::max(0, options.max_empty_bars);

  TickMap map;
  map.remove(0, grid.start_of(first));
  stats.leading_bars = uint64_t(first);
  for (size_t i = 0; i + 1 < merged.size(); ++i) {
    const int64_t gap_begin = merged[i].second + 1, gap_end = merged[i + 1].first;  // silent bars [begin, end)
    if (gap_end - gap_begin <= keep_empty) continue;
    map.remove(grid.start_of(gap_begin + keep_empty), grid.start_of(gap_end));
    stats.empty_bars += uint64_t(gap_end - gap_begin - keep_empty);
  }
  const Tick cut = grid.start_of(last + 1);
  stats.bars_kept = uint64_t(last + 1 - first) - stats.empty_bars;
  const int64_t end_bar = grid.bar_of(std::max<Tick>(score.end_tick() - 1, 0));
  stats.trailing_bars = end_bar > last ? uint64_t(end_bar - last) : 0;

  for (auto& track : score.tracks) {
    for (auto& n : track.notes) {
      const Tick end = map.map(n.end());
      n.time = map.map(n.time);
      n.duration = end - n.time;
    }
    std::vector<midi::ControlChange> controls;
    for (auto c : track.controls)
      if (c.time < cut) c.time = map.map(c.time), controls.push_back(c);
    track.controls = std::move(controls);
    std::vector<midi::PitchBend> bends;
    for (auto b : track.pitch_bends)
      if (b.time < cut) b.time = map.map(b.time), bends.push_back(b);
    track.pitch_bends = std::move(bends);
    std::vector<midi::Pedal> pedals;
    for (auto p : track.pedals) {
      if (p.time >= cut) continue;
      const Tick end = map.map(std::min(p.time + p.duration, cut));
      p.time = map.map(p.time);
      p.duration = std::max<Tick>(0, end - p.time);
      pedals.push_back(p);
    }
    track.pedals = std::move(pedals);
  }
  remap_changes(score.tempos, map, cut);
  remap_changes(score.time_signatures, map, cut);
  remap_changes(score.key_signatures, map, cut);
  score.sort_events();
  return stats;
}

}  // namespace harmonia::data
