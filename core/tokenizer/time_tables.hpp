// Quantization tables derived from a TokenizerConfig, as MidiTok builds them: duration /
// time-shift bins (beat.pos.res) in ticks for each ticks-per-beat value, velocity bins, tempo
// bins, supported time signatures. Also MidiTok's "closest value" rule (ties go up).
#pragma once

#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tokenizer/config.hpp"

namespace harmonia::tokenizer {

// Index of the value of sorted `bins` closest to v; on a tie the larger bin wins (numpy's
// searchsorted-based rule MidiTok uses).
template <class T, class V>
size_t closest_index(const std::vector<T>& bins, V v) {
  size_t lo = 0, hi = bins.size();
  while (lo < hi) {  // first bin >= v
    const size_t mid = (lo + hi) / 2;
    if (bins[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  if (lo == bins.size()) return bins.size() - 1;
  if (lo == 0) return 0;
  const double below = double(v) - double(bins[lo - 1]);
  const double above = double(bins[lo]) - double(v);
  return below < above ? lo - 1 : lo;
}

struct TimeTables {
  int max_pos_per_beat = 8;
  int time_division = 8;  // ticks per quarter of decoded scores (MidiTok's time_division)
  std::vector<std::pair<int, int>> time_signatures;  // (numerator, denominator), vocab order
  std::map<int, int> tpb_per_denominator;            // denominator -> ticks per beat
  std::vector<std::array<int, 3>> durations;          // (beat, pos, res), vocab order
  std::map<int, std::vector<int>> duration_ticks;     // ticks per beat -> ticks of each duration
  bool durations_ascending = true;                    // lets lookups binary-search
  std::vector<std::array<int, 3>> rests;              // (beat, pos, res), vocab order (use_rests)
  std::map<int, std::vector<int>> rest_ticks;         // ticks per beat -> ticks of each rest
  std::vector<int> velocities;                        // ascending
  std::array<int, 128> velocity_lut{};                // closest bin of each MIDI velocity
  std::vector<double> tempos;                         // qpm, rounded to 2 decimals, vocab order
  std::vector<double> tempo_mspq_sorted;              // 60e6 / tempo, ascending
  std::vector<int> tempo_index_of_sorted_mspq;        // position in tempo_mspq_sorted -> tempo index
  int default_tempo_index = 0;                        // closest to 120 qpm

  explicit TimeTables(const TokenizerConfig& config);

  // "beat.pos.res" text of duration index i.
  std::string duration_text(size_t i) const;
  std::string rest_text(size_t i) const;
  const std::vector<int>& rest_ticks_of(int ticks_per_beat) const;
  // Duration index for a tick count that is exactly a bin at this ticks-per-beat (after
  // quantization); when two bins share the tick count the later one wins, as in MidiTok.
  int duration_index_exact(int ticks_per_beat, long ticks) const;
  // Closest bin's tick count.
  long closest_duration_ticks(int ticks_per_beat, long ticks) const;
  const std::vector<int>& ticks_of(int ticks_per_beat) const;
  int time_signature_index(int numerator, int denominator) const;  // -1 if unsupported
  int closest_velocity(int velocity) const {
    return (velocity >= 0 && velocity < 128) ? velocity_lut[size_t(velocity)]
                                             : velocities[closest_index(velocities, velocity)];
  }
  int closest_tempo_index(int us_per_quarter) const {
    return tempo_index_of_sorted_mspq[closest_index(tempo_mspq_sorted, us_per_quarter)];
  }
  static std::string format_tempo(double qpm);  // Python repr of the float: 40.0, 46.77
};

// Ticks in one beat for a time signature denominator at a given ticks-per-quarter.
inline int ticks_per_beat_for(int denominator, int tpq) {
  return denominator == 4 ? tpq : int(double(tpq) * 4.0 / denominator);
}

}  // namespace harmonia::tokenizer
