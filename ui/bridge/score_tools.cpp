#include "ui/bridge/score_tools.hpp"

#include <algorithm>

namespace harmonia::ui {

midi::Tick barTicks(const midi::Score& score) {
  const int tpq = score.ticks_per_quarter > 0 ? score.ticks_per_quarter : 480;
  int num = 4, den = 4;
  if (!score.time_signatures.empty()) {
    num = score.time_signatures.front().numerator;
    den = score.time_signatures.front().denominator;
  }
  return std::max<midi::Tick>(1, midi::Tick(tpq) * 4 * num / std::max(1, den));
}

midi::Score firstBars(const midi::Score& score, int bars) {
  if (bars <= 0) return score;
  const midi::Tick end = barTicks(score) * bars;
  midi::Score out;
  out.ticks_per_quarter = score.ticks_per_quarter;
  for (const auto& t : score.tempos)
    if (t.time < end) out.tempos.push_back(t);
  for (const auto& t : score.time_signatures)
    if (t.time < end) out.time_signatures.push_back(t);
  for (const auto& k : score.key_signatures)
    if (k.time < end) out.key_signatures.push_back(k);
  for (const auto& track : score.tracks) {
    midi::Track t;
    t.name = track.name;
    t.program = track.program;
    t.channel = track.channel;
    t.is_drum = track.is_drum;
    for (auto n : track.notes)
      if (n.time < end) {
        n.duration = std::min(n.duration, end - n.time);  // a held note stops at the cut
        t.notes.push_back(n);
      }
    for (const auto& c : track.controls)
      if (c.time < end) t.controls.push_back(c);
    if (!t.notes.empty()) out.tracks.push_back(std::move(t));
  }
  return out;
}

midi::Tick promptEndTick(const midi::Score& prompt, int bars) {
  const midi::Tick byBars = bars > 0 ? barTicks(prompt) * bars : 0;
  return std::max(byBars, prompt.end_tick());
}

}  // namespace harmonia::ui
