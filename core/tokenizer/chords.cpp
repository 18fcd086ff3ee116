// Chord detection, following MidiTok's detect_chords step by step (same grouping window,
// same ambiguity rule, same quality lookup) so Chord tokens land where MidiTok puts them.
#include <algorithm>
#include <cstdlib>

#include "core/tokenizer/events.hpp"

namespace harmonia::tokenizer {

std::vector<std::pair<int64_t, int>> detect_chords(const std::vector<PNote>& notes,
                                                   const std::vector<TpbSection>& sections,
                                                   const TokenizerConfig& config, int beat_res) {
  constexpr size_t kSimultaneousLimit = 10;
  constexpr double kOnsetOffset = 1.0;  // in positions
  std::vector<std::pair<int64_t, int>> chords;
  if (notes.empty() || sections.empty()) return chords;
  size_t s = 0;
  int64_t half = sections[0].ticks_per_beat / 2;
  double onset_window = sections[0].ticks_per_beat * kOnsetOffset / beat_res;
  size_t count = 0;
  int64_t previous_tick = -1;
  std::vector<size_t> group, chord;
  while (count < notes.size()) {
    const PNote& head = notes[count];
    if (head.time == previous_tick) {
      ++count;
      continue;
    }
    while (s + 1 < sections.size() && head.time >= sections[s].end_tick) {
      ++s;
      half = sections[s].ticks_per_beat / 2;
      onset_window = sections[s].ticks_per_beat * kOnsetOffset / beat_res;
    }
    // Notes around this onset among the next few (a filter, not a prefix, as in MidiTok).
    group.clear();
    const size_t stop = std::min(notes.size(), count + kSimultaneousLimit);
    for (size_t i = count; i < stop; ++i)
      if (double(notes[i].time) <= double(head.time) + onset_window) group.push_back(i);
    const int64_t first_end = notes[group[0]].end();
    bool ambiguous = false;
    for (size_t i : group)
      if (std::llabs(notes[i].end() - first_end) > half) ambiguous = true;
    if (ambiguous) {
      count += group.size();
      continue;
    }
    if (head.duration <= half) {
      std::vector<size_t> same;
      for (size_t i : group)
        if (notes[i].time == notes[group[0]].time) same.push_back(i);
      group.swap(same);
    }
    chord.clear();
    const int64_t group_first_end = notes[group[0]].end();
    for (size_t i : group)
      if (notes[i].end() - group_first_end <= half) chord.push_back(i);
    if (chord.size() >= 3 && chord.size() <= 5) {
      std::vector<int> map;
      for (size_t i : chord) map.push_back(notes[i].pitch - notes[chord[0]].pitch);
      if (map.back() <= 24) {
        for (size_t q = 0; q < config.chord_maps.size(); ++q) {
          if (config.chord_maps[q].second == map) {
            int64_t t = notes[chord[0]].time;
            for (size_t i : chord) t = std::min(t, notes[i].time);
            chords.push_back({t, int(q)});
            break;
          }
        }
      }
    }
    int64_t max_time = notes[group[0]].time;
    for (size_t i : group) max_time = std::max(max_time, notes[i].time);
    previous_tick = max_time;
    count += group.size();
  }
  return chords;
}

}  // namespace harmonia::tokenizer
