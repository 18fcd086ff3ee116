#include "core/midi/score.hpp"

#include <algorithm>
#include <tuple>

namespace harmonia::midi {

Tick Track::end_tick() const {
  Tick end = 0;
  for (const auto& n : notes) end = std::max(end, n.end());
  for (const auto& c : controls) end = std::max(end, c.time);
  for (const auto& p : pedals) end = std::max(end, p.time + p.duration);
  for (const auto& b : pitch_bends) end = std::max(end, b.time);
  return end;
}

bool Track::operator==(const Track& o) const {
  return name == o.name && program == o.program && channel == o.channel && is_drum == o.is_drum &&
         notes == o.notes && controls == o.controls && pedals == o.pedals &&
         pitch_bends == o.pitch_bends;
}

size_t Score::note_count() const {
  size_t n = 0;
  for (const auto& t : tracks) n += t.notes.size();
  return n;
}

Tick Score::end_tick() const {
  Tick end = 0;
  for (const auto& t : tracks) end = std::max(end, t.end_tick());
  return end;
}

double Score::ticks_to_seconds(Tick tick) const {
  double seconds = 0.0;
  Tick last_tick = 0;
  double us_per_quarter = 500000.0;
  for (const auto& t : tempos) {
    if (t.time >= tick) break;
    seconds += double(t.time - last_tick) * us_per_quarter / 1e6 / ticks_per_quarter;
    last_tick = t.time;
    us_per_quarter = t.us_per_quarter;
  }
  seconds += double(tick - last_tick) * us_per_quarter / 1e6 / ticks_per_quarter;
  return seconds;
}

Tick Score::seconds_to_ticks(double seconds) const {
  double elapsed = 0.0;
  Tick last_tick = 0;
  double us_per_quarter = 500000.0;
  for (const auto& t : tempos) {
    const double segment = double(t.time - last_tick) * us_per_quarter / 1e6 / ticks_per_quarter;
    if (elapsed + segment > seconds) break;
    elapsed += segment;
    last_tick = t.time;
    us_per_quarter = t.us_per_quarter;
  }
  const double ticks = (seconds - elapsed) * 1e6 / us_per_quarter * ticks_per_quarter;
  return last_tick + Tick(ticks + 0.5);
}

void Score::sort_events() {
  auto by_time = [](const auto& a, const auto& b) { return a.time < b.time; };
  for (auto& t : tracks) {
    std::stable_sort(t.notes.begin(), t.notes.end(), [](const Note& a, const Note& b) {
      return std::tie(a.time, a.pitch, a.duration, a.velocity) <
             std::tie(b.time, b.pitch, b.duration, b.velocity);
    });
    std::stable_sort(t.controls.begin(), t.controls.end(), by_time);
    std::stable_sort(t.pedals.begin(), t.pedals.end(), by_time);
    std::stable_sort(t.pitch_bends.begin(), t.pitch_bends.end(), by_time);
  }
  std::stable_sort(tempos.begin(), tempos.end(), by_time);
  std::stable_sort(time_signatures.begin(), time_signatures.end(), by_time);
  std::stable_sort(key_signatures.begin(), key_signatures.end(), by_time);
}

bool Score::operator==(const Score& o) const {
  return ticks_per_quarter == o.ticks_per_quarter && tracks == o.tracks && tempos == o.tempos &&
         time_signatures == o.time_signatures && key_signatures == o.key_signatures;
}

}  // namespace harmonia::midi
