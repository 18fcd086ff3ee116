// Builds the quantization tables exactly as MidiTok 3.x's MusicTokenizer.__init__ does.
#include "core/tokenizer/time_tables.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace harmonia::tokenizer {

TimeTables::TimeTables(const TokenizerConfig& c) {
  max_pos_per_beat = c.max_num_pos_per_beat();
  if (c.use_time_signatures) {
    for (const auto& [den, nums] : c.time_signature_range)
      for (int n : nums) time_signatures.push_back({n, den});
  } else {
    time_signatures.push_back({4, 4});
  }
  int max_den = 0;
  for (const auto& ts : time_signatures) max_den = std::max(max_den, ts.second);
  for (const auto& [den, nums] : c.time_signature_range) tpb_per_denominator[den] = max_pos_per_beat * (max_den / den);
  if (!tpb_per_denominator.count(4)) tpb_per_denominator[4] = max_pos_per_beat * (max_den / 4);
  time_division = tpb_per_denominator.at(4);

  // Durations: every (beat, pos) of each beat range, plus the range end; minus the zero.
  int last_beat = 0, last_res = 0;
  for (const auto& b : c.beat_res) {
    for (int beat = b.first; beat < b.last; ++beat)
      for (int pos = 0; pos < b.resolution; ++pos) durations.push_back({beat, pos, b.resolution});
    if (b.last >= last_beat) {
      last_beat = b.last;
      last_res = b.resolution;
    }
  }
  durations.push_back({last_beat, 0, last_res});
  durations.erase(durations.begin());
  for (const auto& [den, tpb] : tpb_per_denominator) {
    (void)den;
    auto& ticks = duration_ticks[tpb];
    if (!ticks.empty()) continue;
    for (const auto& d : durations) ticks.push_back((d[0] * d[2] + d[1]) * tpb / d[2]);
  }

  if (c.use_rests) {
    int rest_last = 0, rest_res = 0;
    for (const auto& b : c.beat_res_rest) {
      for (int beat = b.first; beat < b.last; ++beat)
        for (int pos = 0; pos < b.resolution; ++pos) rests.push_back({beat, pos, b.resolution});
      if (b.last >= rest_last) {
        rest_last = b.last;
        rest_res = b.resolution;
      }
    }
    rests.push_back({rest_last, 0, rest_res});
    rests.erase(rests.begin());
    for (const auto& [den, tpb] : tpb_per_denominator) {
      (void)den;
      auto& ticks = rest_ticks[tpb];
      if (!ticks.empty()) continue;
      for (const auto& r : rests) ticks.push_back((r[0] * r[2] + r[1]) * tpb / r[2]);
    }
  }
  durations_ascending = true;
  for (const auto& [tpb, ticks] : duration_ticks)
    durations_ascending = durations_ascending && std::is_sorted(ticks.begin(), ticks.end());

  if (c.use_velocities) {
    // np.linspace(0, 127, n + 1, dtype=intc)[1:]: truncated, not rounded.
    for (int i = 1; i <= c.num_velocities; ++i) {
      const double v = 127.0 * i / c.num_velocities;
      velocities.push_back(i == c.num_velocities ? 127 : int(v));
    }
    for (int v = 0; v < 128; ++v) velocity_lut[size_t(v)] = velocities[closest_index(velocities, v)];
  }

  if (c.use_tempos) {
    const int n = c.num_tempos;
    for (int i = 0; i < n; ++i) {
      // numpy.linspace: start + i * step, then .round(2) = rint(x * 100) / 100
      const double step = n == 1 ? 0.0 : (c.tempo_range.second - c.tempo_range.first) / (n - 1);
      const double t = c.tempo_range.first + i * step;
      tempos.push_back(std::nearbyint(t * 100.0) / 100.0);
    }
    if (n > 1) tempos.back() = std::nearbyint(c.tempo_range.second * 100.0) / 100.0;
    std::vector<std::pair<double, int>> mspq;
    for (int i = 0; i < n; ++i) mspq.push_back({60'000'000.0 / tempos[size_t(i)], i});
    std::stable_sort(mspq.begin(), mspq.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [m, i] : mspq) {
      tempo_mspq_sorted.push_back(m);
      tempo_index_of_sorted_mspq.push_back(i);
    }
    double best = 1e300;
    for (int i = 0; i < n; ++i) {
      const double d = std::fabs(tempos[size_t(i)] - 120.0);
      if (d < best) {
        best = d;
        default_tempo_index = i;
      }
    }
  }
}

std::string TimeTables::duration_text(size_t i) const {
  const auto& d = durations.at(i);
  return std::to_string(d[0]) + "." + std::to_string(d[1]) + "." + std::to_string(d[2]);
}

std::string TimeTables::rest_text(size_t i) const {
  const auto& r = rests.at(i);
  return std::to_string(r[0]) + "." + std::to_string(r[1]) + "." + std::to_string(r[2]);
}

const std::vector<int>& TimeTables::rest_ticks_of(int tpb) const {
  auto it = rest_ticks.find(tpb);
  if (it == rest_ticks.end()) throw TokenizerError("no rest table for " + std::to_string(tpb) + " ticks per beat");
  return it->second;
}

const std::vector<int>& TimeTables::ticks_of(int tpb) const {
  auto it = duration_ticks.find(tpb);
  if (it == duration_ticks.end()) throw TokenizerError("no duration table for " + std::to_string(tpb) + " ticks per beat");
  return it->second;
}

int TimeTables::duration_index_exact(int tpb, long ticks) const {
  const auto& t = ticks_of(tpb);
  if (durations_ascending) {  // the usual case: binary search, last equal wins
    const auto it = std::upper_bound(t.begin(), t.end(), ticks);
    return (it != t.begin() && *(it - 1) == ticks) ? int(it - t.begin()) - 1 : -1;
  }
  int found = -1;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == ticks) found = int(i);
    else if (t[i] > ticks) break;
  }
  return found;
}

long TimeTables::closest_duration_ticks(int tpb, long ticks) const {
  const auto& t = ticks_of(tpb);
  return t[closest_index(t, ticks)];
}

int TimeTables::time_signature_index(int num, int den) const {
  for (size_t i = 0; i < time_signatures.size(); ++i)
    if (time_signatures[i].first == num && time_signatures[i].second == den) return int(i);
  return -1;
}

std::string TimeTables::format_tempo(double qpm) {
  // Python's repr of a float in this range: the fewest decimals (at least one) that read
  // back to the same double, in fixed notation.
  char buf[64];
  for (int decimals = 1; decimals <= 17; ++decimals) {
    std::snprintf(buf, sizeof buf, "%.*f", decimals, qpm);
    if (std::strtod(buf, nullptr) == qpm) break;
  }
  return buf;
}

}  // namespace harmonia::tokenizer
