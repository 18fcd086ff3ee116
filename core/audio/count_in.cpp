#include "core/audio/count_in.hpp"

#include <algorithm>
#include <cmath>

namespace harmonia::audio {

midi::Score count_in_clicks(double qpm, int numerator, int denominator, int bars, int ticks_per_quarter) {
  midi::Score s;
  s.ticks_per_quarter = ticks_per_quarter;
  s.tempos = {{0, int32_t(std::lround(60e6 / qpm))}};
  s.time_signatures = {{0, numerator, denominator}};
  midi::Track clicks;
  clicks.name = "Count-in";
  clicks.is_drum = true;
  clicks.channel = 9;
  const midi::Tick beat = midi::Tick(ticks_per_quarter) * 4 / denominator;
  for (int b = 0; b < bars * numerator; ++b)
    clicks.notes.push_back({b * beat, beat / 2, b % numerator == 0 ? 76 : 77, b % numerator == 0 ? 120 : 95});
  s.tracks = {clicks};
  return s;
}

double count_in_seconds(double qpm, int numerator, int denominator, int bars) {
  return bars * numerator * (4.0 / denominator) * 60.0 / qpm;
}

midi::Score trim_count_in(const midi::Score& take, double seconds, double early_seconds) {
  midi::Score out = take;
  const midi::Tick shift = take.seconds_to_ticks(seconds);
  const midi::Tick early = shift - take.seconds_to_ticks(std::max(0.0, seconds - early_seconds));
  for (auto& t : out.tracks) {
    std::vector<midi::Note> notes;
    for (auto n : t.notes) {
      if (n.time < shift - early) continue;
      const midi::Tick end = n.end() - shift;
      n.time = std::max<midi::Tick>(0, n.time - shift);
      n.duration = std::max<midi::Tick>(1, end - n.time);
      notes.push_back(n);
    }
    t.notes = std::move(notes);
    auto move = [&](auto& list) {
      list.erase(std::remove_if(list.begin(), list.end(), [&](const auto& e) { return e.time < shift; }), list.end());
      for (auto& e : list) e.time -= shift;
    };
    move(t.controls);
    move(t.pitch_bends);
    move(t.pedals);
  }
  out.tracks.erase(std::remove_if(out.tracks.begin(), out.tracks.end(), [](const midi::Track& t) { return t.notes.empty(); }),
                   out.tracks.end());
  for (auto& tempo : out.tempos) tempo.time = std::max<midi::Tick>(0, tempo.time - shift);
  out.sort_events();
  return out;
}

}  // namespace harmonia::audio
