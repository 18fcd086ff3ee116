// MidiTok 3.0.6 preprocessing, including its index quirks where they change the output
// (noted inline), because parity with MidiTok's tokens is the goal.
#include "core/tokenizer/preprocess.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

namespace harmonia::tokenizer {

namespace {

// symusic's resampling: std::round (half away from zero) of the scaled value.
int64_t symusic_round(double x) { return int64_t(std::round(x)); }
// numpy's np.round: half to even.
int64_t numpy_round(double x) { return int64_t(std::nearbyint(x)); }

struct Factor {
  int64_t bound;  // end tick, then (after conversion) an index
  int64_t factor;
};

// MidiTok's __convert_resampling_ratios_ticks_to_idx. Note: np.argmax over a slice gives an
// index relative to the slice, which MidiTok then uses as absolute; reproduced as is.
std::vector<Factor> ticks_to_idx(const std::vector<Factor>& rf, const std::vector<int64_t>& times) {
  std::vector<Factor> out = rf;
  size_t first = 0;
  for (size_t k = 0; k < rf.size(); ++k) {
    size_t last;
    if (k + 1 == rf.size()) {
      last = times.empty() ? 0 : times.size() - 1;
    } else {
      last = 0;
      for (size_t i = first; i < times.size(); ++i) {
        if (times[i] >= rf[k].bound) {
          last = i - first;
          break;
        }
      }
    }
    out[k].bound = int64_t(last);
    first = last;
  }
  return out;
}

// MidiTok's _adjust_time_to_tpb on a slice-by-slice basis (Python slice semantics).
void adjust_time_to_tpb(std::vector<int64_t>& v, const std::vector<Factor>& rf_idx, int64_t min_duration) {
  int64_t first = 0;
  for (size_t k = 0; k < rf_idx.size(); ++k) {
    const bool last_section = k + 1 == rf_idx.size();
    const int64_t end = last_section ? int64_t(v.size()) : std::min<int64_t>(rf_idx[k].bound, int64_t(v.size()));
    const int64_t f = rf_idx[k].factor;
    if (f != 1) {
      for (int64_t i = first; i < end; ++i) {
        v[size_t(i)] = numpy_round(double(v[size_t(i)]) / double(f)) * f;
        if (min_duration > 0 && v[size_t(i)] == 0) v[size_t(i)] = min_duration * f;
      }
    }
    if (!last_section) first = rf_idx[k].bound;
  }
}

int ticks_per_bar(const PTimeSig& ts, int tpq) { return ticks_per_beat_for(ts.denominator, tpq) * ts.numerator; }

// MidiTok's _preprocess_time_signatures: drop repeats, delay changes to the next bar line.
void preprocess_time_signatures(std::vector<PTimeSig>& ts, int tpq) {
  auto same = [](const PTimeSig& a, const PTimeSig& b) {
    return a.numerator == b.numerator && a.denominator == b.denominator;
  };
  size_t i = 0;
  int64_t tpbar = ticks_per_bar(ts[0], tpq);
  int64_t previous_tick = 0;
  while (i < ts.size()) {
    if (i >= 1 && same(ts[i], ts[i - 1])) {
      ts.erase(ts.begin() + long(i));
      continue;
    }
    if (i >= 1 && ts[i].time < ts[i - 1].time) ts[i].time = ts[i - 1].time;
    const int64_t diff = ts[i].time - previous_tick;
    // Python divmod floors
    int64_t bar_offset = diff / tpbar, rest = diff % tpbar;
    if (rest < 0) {
      rest += tpbar;
      bar_offset -= 1;
    }
    if (rest > 0) ts[i].time = previous_tick + (bar_offset + 1) * tpbar;
    tpbar = ticks_per_bar(ts[i], tpq);
    previous_tick = ts[i].time;
    if (i >= 1 && ts[i].time == ts[i - 1].time) {
      ts.erase(ts.begin() + long(i) - 1);
      if (i >= 2 && same(ts[i - 1], ts[i - 2])) {
        ts.erase(ts.begin() + long(i) - 1);
        tpbar = ticks_per_bar(ts[i - 2], tpq);
        previous_tick = ts[i - 2].time;
        i -= 1;
      }
      continue;
    }
    ++i;
  }
  if (ts.empty() || ts[0].time != 0) ts.insert(ts.begin(), PTimeSig{0, 4, 4});
}

}  // namespace

int64_t PreparedScore::end_tick() const {
  int64_t end = 0;
  for (const auto& t : tracks)
    for (const auto& n : t.notes) end = std::max(end, n.end());
  for (const auto& t : tempos) end = std::max(end, t.time);
  for (const auto& t : time_sigs) end = std::max(end, t.time);
  return end;
}

int64_t PreparedScore::max_onset_tick() const {
  int64_t m = 0;
  for (const auto& t : tracks)
    if (!t.notes.empty()) m = std::max(m, t.notes.back().time);
  if (!tempos.empty()) m = std::max(m, tempos.back().time);
  if (!time_sigs.empty()) m = std::max(m, time_sigs.back().time);
  return m;
}

std::vector<TpbSection> PreparedScore::ticks_per_beat_sections() const {
  std::vector<TpbSection> s;
  for (size_t i = 0; i + 1 < time_sigs.size(); ++i)
    s.push_back({time_sigs[i + 1].time, ticks_per_beat_for(time_sigs[i].denominator, tpq)});
  s.push_back({end_tick() + 1, ticks_per_beat_for(time_sigs.back().denominator, tpq)});
  for (size_t i = s.size() - 1; i > 0; --i) {
    if (s[i].ticks_per_beat == s[i - 1].ticks_per_beat) {
      s[i - 1].end_tick = s[i].end_tick;
      s.erase(s.begin() + long(i));
    }
  }
  return s;
}

namespace {
// MidiTok's get_bars_ticks/get_beats_ticks(only_notes_onsets=True): `per_sig` gives the
// ticks of one bar or one beat of a time signature.
template <class PerSig>
std::vector<int64_t> split_ticks(const PreparedScore& p, PerSig per_sig) {
  int64_t max_tick = std::max(p.max_onset_tick(), p.passive_last_tick);
  for (const auto& t : p.tracks) max_tick = std::max(max_tick, t.passive_last);
  // time_sigs is what MidiTok's preprocessed Score holds (4/4 at 0 when they are not used).
  if (!p.time_sigs.empty()) max_tick = std::max(max_tick, p.time_sigs.back().time);
  if (max_tick == 0) return {0};
  std::vector<int64_t> out;
  std::vector<PTimeSig> ts = p.time_sigs;
  if (ts.empty()) ts.push_back({0, 4, 4});
  ts.push_back({max_tick, 4, 4});
  PTimeSig current = (ts[0].time == 0 && ts[0].numerator > 0 && ts[0].denominator > 0) ? ts[0] : PTimeSig{0, 4, 4};
  for (size_t i = 1; i < ts.size(); ++i) {
    if (ts[i].numerator <= 0 || ts[i].denominator <= 0) continue;
    const int64_t step = std::max<int64_t>(1, per_sig(current));
    const int64_t diff = ts[i].time - current.time;
    const int64_t n = diff <= 0 ? 0 : (diff + step - 1) / step;
    for (int64_t k = 0; k < n; ++k) out.push_back(current.time + step * k);
    current = ts[i];
  }
  return out;
}
}  // namespace

std::vector<int64_t> PreparedScore::split_bar_ticks() const {
  return split_ticks(*this, [&](const PTimeSig& t) { return ticks_per_bar(t, tpq); });
}

std::vector<int64_t> PreparedScore::split_beat_ticks() const {
  return split_ticks(*this, [&](const PTimeSig& t) { return int64_t(ticks_per_beat_for(t.denominator, tpq)); });
}

std::vector<int64_t> PreparedScore::bar_ticks() const {
  const int64_t max_tick = max_onset_tick();
  if (max_tick == 0) return {0};
  std::vector<int64_t> bars;
  std::vector<PTimeSig> ts = time_sigs;
  ts.push_back({max_tick, 4, 4});
  PTimeSig current = (ts[0].time == 0) ? ts[0] : PTimeSig{0, 4, 4};
  for (size_t i = 1; i < ts.size(); ++i) {
    const int64_t tpbar = ticks_per_bar(current, tpq);
    const int64_t diff = ts[i].time - current.time;
    const int64_t n = diff <= 0 ? 0 : (diff + tpbar - 1) / tpbar;
    for (int64_t k = 0; k < n; ++k) bars.push_back(current.time + tpbar * k);
    current = ts[i];
  }
  return bars;
}

PreparedScore preprocess_score(const midi::Score& score, const TokenizerConfig& c, const TimeTables& tables,
                               bool note_on_off) {
  PreparedScore out;
  const int max_pos = tables.max_pos_per_beat;

  // 1. Time signatures (filtered copy) and the new ticks per quarter.
  std::vector<PTimeSig> ts;
  int new_tpq = max_pos;
  if (c.use_time_signatures) {
    for (const auto& t : score.time_signatures)
      if (tables.time_signature_index(t.numerator, t.denominator) >= 0) ts.push_back({t.time, t.numerator, t.denominator});
    if (ts.empty() || ts[0].time != 0) ts.insert(ts.begin(), PTimeSig{0, 4, 4});
    int max_den = 0;
    for (const auto& t : ts) max_den = std::max(max_den, t.denominator);
    new_tpq = int(double(max_pos) * max_den / 4.0);
  } else {
    ts.push_back({0, 4, 4});
  }

  // 2. Resample (symusic: round, durations at least 1 tick; time signature copy: truncation).
  const int tpq = std::max(1, score.ticks_per_quarter);
  const bool resample = tpq != new_tpq;
  const double scale = double(new_tpq) / double(tpq);
  if (resample)
    for (auto& t : ts) t.time = int64_t(double(t.time) * scale);
  if (!score.key_signatures.empty()) {
    const int64_t k = score.key_signatures.back().time;
    out.passive_last_tick = resample ? symusic_round(scale * double(k)) : k;
  }
  out.tpq = new_tpq;
  for (const auto& tr : score.tracks) {
    PTrack p;
    p.program = tr.program;
    p.is_drum = tr.is_drum;
    p.notes.reserve(tr.notes.size());
    for (const auto& n : tr.notes) {
      if (n.time < 0) continue;  // only possible in hand-built scores: nothing to place
      PNote q{n.time, std::max<int64_t>(0, n.duration), n.pitch, n.velocity};
      if (resample) {
        q.time = symusic_round(scale * double(n.time));
        q.duration = std::max<int64_t>(symusic_round(scale * double(n.duration)), 1);
      }
      p.notes.push_back(q);
    }
    int64_t passive = 0;
    if (!tr.controls.empty()) passive = std::max(passive, tr.controls.back().time);
    if (!tr.pitch_bends.empty()) passive = std::max(passive, tr.pitch_bends.back().time);
    p.passive_last = resample ? symusic_round(scale * double(passive)) : passive;
    out.tracks.push_back(std::move(p));
  }
  struct RawTempo {
    int64_t time;
    int mspq;
  };
  std::vector<RawTempo> tempos;
  for (const auto& t : score.tempos)
    tempos.push_back({resample ? symusic_round(scale * double(t.time)) : t.time, t.us_per_quarter});

  // 3. Merge tracks of the same program (one token stream with programs).
  if (c.use_programs && c.one_token_stream_for_programs) {
    std::vector<PTrack> merged;
    std::vector<int> keys, sizes;
    for (auto& t : out.tracks) {
      const int key = t.token_program();
      const auto it = std::find(keys.begin(), keys.end(), key);
      if (it == keys.end()) {
        keys.push_back(key);
        sizes.push_back(1);
        merged.push_back(std::move(t));
      } else {
        const size_t g = size_t(it - keys.begin());
        merged[g].notes.insert(merged[g].notes.end(), t.notes.begin(), t.notes.end());
        merged[g].passive_last = std::max(merged[g].passive_last, t.passive_last);
        ++sizes[g];
      }
    }
    // A merged group is re-sorted by symusic's note key (time, duration, pitch, velocity).
    for (size_t g = 0; g < merged.size(); ++g) {
      if (sizes[g] < 2) continue;
      std::stable_sort(merged[g].notes.begin(), merged[g].notes.end(), [](const PNote& a, const PNote& b) {
        if (a.time != b.time) return a.time < b.time;
        if (a.duration != b.duration) return a.duration < b.duration;
        if (a.pitch != b.pitch) return a.pitch < b.pitch;
        return a.velocity < b.velocity;
      });
    }
    out.tracks = std::move(merged);
  }

  // 4. Time signature changes: delayed to bar lines, repeats removed.
  if (c.use_time_signatures) preprocess_time_signatures(ts, new_tpq);
  out.time_sigs = ts;
  if (!c.use_tempos && !tempos.empty()) out.passive_last_tick = std::max(out.passive_last_tick, tempos.back().time);

  // 5. Ticks-per-beat sections (durations) and resampling factors (several denominators).
  // Computed on the score before note filtering, as MidiTok does.
  const std::vector<TpbSection> tpb_sections = out.ticks_per_beat_sections();
  std::vector<Factor> rf;
  {
    std::set<int> dens;
    for (const auto& t : out.time_sigs) dens.insert(t.denominator);
    if (c.use_time_signatures && dens.size() > 1) {
      auto fdiv = [&](int den) {  // Python: tpq // (max_pos * (den / 4)) on floats
        return int64_t(std::floor(double(new_tpq) / (max_pos * (den / 4.0))));
      };
      const int64_t end = out.end_tick();
      for (size_t i = 0; i + 1 < out.time_sigs.size(); ++i)
        rf.push_back({out.time_sigs[i + 1].time, fdiv(out.time_sigs[i].denominator)});
      rf.push_back({end + 1, fdiv(out.time_sigs.back().denominator)});
      for (size_t i = rf.size() - 1; i > 0; --i) {
        if (rf[i].factor == rf[i - 1].factor) {
          rf[i - 1].bound = rf[i].bound;
          rf.erase(rf.begin() + long(i));
        }
      }
    }
  }

  // 6. Tracks: drop empty / unsupported programs, filter and quantize notes.
  std::vector<PTrack> kept;
  for (auto& t : out.tracks) {
    if (t.notes.empty()) continue;
    const int program = t.token_program();
    if (c.use_programs && !c.program_allowed(program)) continue;
    const auto range = (t.is_drum && c.use_pitchdrum_tokens) ? c.drums_pitch_range : c.pitch_range;
    std::vector<PNote> notes;
    notes.reserve(t.notes.size());
    for (const auto& n : t.notes)
      if (n.pitch >= range.first && n.pitch <= range.second) notes.push_back(n);
    if (notes.empty()) continue;
    if (c.use_velocities)
      for (auto& n : notes) n.velocity = tables.closest_velocity(n.velocity);

    std::vector<Factor> rf_idx;
    if (!rf.empty()) {
      std::vector<int64_t> times(notes.size());
      for (size_t i = 0; i < notes.size(); ++i) times[i] = notes[i].time;
      rf_idx = ticks_to_idx(rf, times);
      adjust_time_to_tpb(times, rf_idx, 0);
      for (size_t i = 0; i < notes.size(); ++i) notes[i].time = times[i];
    }
    if (c.uses_note_durations_for(program)) {
      if (!note_on_off) {
        // _adjust_durations: snap to the closest Duration bin of each section's ticks/beat.
        size_t first = 0;
        const int64_t last_time = notes.back().time;
        for (size_t k = 0; k < tpb_sections.size(); ++k) {
          size_t last = notes.size();
          bool open_end = k + 1 == tpb_sections.size() || tpb_sections[k].end_tick > last_time;
          if (!open_end) {
            last = first;  // argmax: first index >= bound, or 0 (relative) if none
            size_t found = 0;
            for (size_t i = first; i < notes.size(); ++i)
              if (notes[i].time >= tpb_sections[k].end_tick) {
                found = i - first;
                break;
              }
            last = first + found;
          }
          const auto& bins = tables.ticks_of(tpb_sections[k].ticks_per_beat);
          for (size_t i = first; i < last; ++i) notes[i].duration = bins[closest_index(bins, notes[i].duration)];
          first = last;
          if (open_end) break;
        }
      } else if (!rf_idx.empty()) {
        std::vector<int64_t> durs(notes.size());
        for (size_t i = 0; i < notes.size(); ++i) durs[i] = notes[i].duration;
        adjust_time_to_tpb(durs, rf_idx, 1);
        for (size_t i = 0; i < notes.size(); ++i) notes[i].duration = durs[i];
        // _adjust_offset_spanning_across_time_sig (indices as MidiTok uses them)
        std::vector<int64_t> ends(notes.size());
        for (size_t i = 0; i < notes.size(); ++i) ends[i] = notes[i].end();
        size_t first = 0;
        for (size_t k = 0; k + 1 < rf_idx.size(); ++k) {
          const size_t last = size_t(rf_idx[k].bound);
          if (last >= notes.size()) break;
          for (size_t rel = 0; first + rel < last; ++rel) {
            if (ends[first + rel] < notes[last].time) continue;
            const size_t idx = rel;  // MidiTok uses the relative index as absolute
            size_t pick = 0;
            for (size_t m = k; m < rf_idx.size(); ++m)
              if (rf_idx[m].bound >= notes[idx].time) {
                pick = m - k;
                break;
              }
            const int64_t f = rf_idx[pick].factor;
            const int64_t new_end = numpy_round(double(ends[idx]) / double(f)) * f;
            notes[idx].duration = new_end - notes[idx].time;
          }
          first = last;
        }
      }
    }
    if (c.remove_duplicated_notes) {
      // MidiTok: sort by (time, pitch, duration, velocity), keep the first of each (time, pitch).
      std::stable_sort(notes.begin(), notes.end(), [](const PNote& a, const PNote& b) {
        return std::tie(a.time, a.pitch, a.duration, a.velocity) < std::tie(b.time, b.pitch, b.duration, b.velocity);
      });
      notes.erase(std::unique(notes.begin(), notes.end(),
                              [](const PNote& a, const PNote& b) { return a.time == b.time && a.pitch == b.pitch; }),
                  notes.end());
    }
    t.notes = std::move(notes);
    kept.push_back(std::move(t));
  }
  out.tracks = std::move(kept);

  // 7. Tempos: closest bin (in microseconds per quarter), one per tick (the last), at tick 0.
  if (c.use_tempos) {
    if (tempos.empty()) {
      out.tempos.push_back({0, tables.default_tempo_index});
    } else {
      std::vector<PTempo> q;
      std::vector<int64_t> times;
      for (const auto& t : tempos) {
        q.push_back({t.time, tables.closest_tempo_index(t.mspq)});
        times.push_back(t.time);
      }
      if (!rf.empty()) {
        adjust_time_to_tpb(times, rf, 0);  // MidiTok passes tick bounds here, unconverted
        for (size_t i = 0; i < q.size(); ++i) q[i].time = times[i];
      }
      std::vector<PTempo> dedup;
      for (size_t i = 0; i < q.size(); ++i)
        if (i + 1 == q.size() || q[i + 1].time != q[i].time) dedup.push_back(q[i]);
      if (c.delete_equal_successive_tempo_changes) {
        std::vector<PTempo> d2;
        for (const auto& t : dedup)
          if (d2.empty() || d2.back().index != t.index) d2.push_back(t);
        dedup.swap(d2);
      }
      if (!dedup.empty() && c.delete_equal_successive_tempo_changes && dedup[0].index == tables.default_tempo_index)
        dedup[0].time = 0;
      else if (dedup.empty() || dedup[0].time != 0)
        dedup.insert(dedup.begin(), PTempo{0, tables.default_tempo_index});
      out.tempos = std::move(dedup);
    }
  }
  return out;
}

}  // namespace harmonia::tokenizer
