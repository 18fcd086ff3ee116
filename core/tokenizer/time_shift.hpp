// Internal: TSD/MIDILike time shifts: a tick gap becomes the greedy sequence of the largest
// bins that fit, as MidiTok's _time_ticks_to_tokens does.
#pragma once

#include <vector>

#include "core/tokenizer/time_tables.hpp"
#include "core/tokenizer/vocabulary.hpp"

namespace harmonia::tokenizer {

// Greedy split of `gap` over ascending `bins`; returns the ticks covered.
// `ticks` (optional) receives each token's start tick, counted from `start`.
inline int64_t append_greedy(const Vocabulary& v, TokenType type, const std::vector<int>& bins, int64_t gap,
                             std::vector<int32_t>& out, std::vector<int64_t>* ticks = nullptr, int64_t start = 0) {
  int64_t covered = 0;
  if (bins.empty()) return 0;
  size_t hi = bins.size();
  while (gap >= bins[0]) {
    while (hi > 0 && bins[hi - 1] > gap) --hi;  // last bin <= gap
    const size_t idx = hi - 1;
    out.push_back(v.id(type, int(idx)));
    if (ticks) ticks->push_back(start + covered);
    gap -= bins[idx];
    covered += bins[idx];
  }
  return covered;
}

inline void append_time_shifts(const Vocabulary& v, const TimeTables& tables, int ticks_per_beat, int64_t gap,
                               std::vector<int32_t>& out, std::vector<int64_t>* ticks = nullptr, int64_t start = 0) {
  append_greedy(v, TokenType::TimeShift, tables.ticks_of(ticks_per_beat), gap, out, ticks, start);
}

// TSD/MIDILike time tokens between the previous event and `time`: rests first when the
// silence since the last note end is long enough (MidiTok's rule), then time shifts.
inline void append_time_tokens(const Vocabulary& v, const TimeTables& tables, bool use_rests, int ticks_per_beat,
                               int64_t previous_note_end, int64_t& previous_tick, int64_t time, std::vector<int32_t>& out,
                               std::vector<int64_t>* ticks = nullptr) {
  if (use_rests) {
    const auto& rest_bins = tables.rest_ticks_of(ticks_per_beat);
    if (!rest_bins.empty() && time - previous_note_end >= rest_bins[0]) {
      previous_tick = previous_note_end;
      previous_tick += append_greedy(v, TokenType::Rest, rest_bins, time - previous_tick, out, ticks, previous_tick);
    }
  }
  if (time != previous_tick) append_time_shifts(v, tables, ticks_per_beat, time - previous_tick, out, ticks, previous_tick);
  previous_tick = time;
}

}  // namespace harmonia::tokenizer
