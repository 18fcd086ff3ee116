// Tidying a score before it becomes training data, so that what a model learns is music
// rather than silence: the bars before the first note and after the last one are cut, and a
// run of more than `max_empty_bars` bars in which nothing sounds is shortened to that many.
// Whole bars are removed (the bar grid follows the time signatures), so every remaining note
// keeps its place in its bar; tempo and time-signature changes that fell inside a removed
// stretch are moved to where it was cut, the last one winning. Counts go to TidyStats so the
// import can report what was dropped. The rules and thresholds are in docs/dataset.md.
#pragma once

#include <cstdint>
#include <string>

#include "core/midi/score.hpp"

namespace harmonia::data {

struct TidyOptions {
  bool enabled = false;
  int max_empty_bars = 2;  // a longer run of bars with no sounding note is cut to this many
  // What the token cache's identity records: two imports share a cache only with equal options.
  std::string fingerprint() const;
};

struct TidyStats {
  uint64_t leading_bars = 0;   // silent bars before the first note, removed
  uint64_t trailing_bars = 0;  // bars after the last note's bar, removed
  uint64_t empty_bars = 0;     // bars removed from inside long silent runs
  uint64_t bars_kept = 0;
  void add(const TidyStats& o) {
    leading_bars += o.leading_bars, trailing_bars += o.trailing_bars, empty_bars += o.empty_bars;
    bars_kept += o.bars_kept;
  }
};

// Tidies `score` in place (nothing happens when options.enabled is false or it has no notes).
TidyStats tidy_score(midi::Score& score, const TidyOptions& options);

}  // namespace harmonia::data
