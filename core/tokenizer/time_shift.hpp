// Internal: TSD/MIDILike time shifts: a tick gap becomes the greedy sequence of the largest
// bins that fit, as MidiTok's _time_ticks_to_tokens does.
#pragma once

#include <vector>

#include "core/tokenizer/time_tables.hpp"
#include "core/tokenizer/vocabulary.hpp"

namespace harmonia::tokenizer {

inline void append_time_shifts(const Vocabulary& v, const TimeTables& tables, int ticks_per_beat, int64_t gap,
                               std::vector<int32_t>& out) {
  const auto& bins = tables.ticks_of(ticks_per_beat);
  if (bins.empty()) return;
  size_t hi = bins.size();
  while (gap >= bins[0]) {
    while (hi > 0 && bins[hi - 1] > gap) --hi;  // last bin <= gap
    const size_t idx = hi - 1;
    out.push_back(v.id(TokenType::TimeShift, int(idx)));
    gap -= bins[idx];
  }
}

}  // namespace harmonia::tokenizer
