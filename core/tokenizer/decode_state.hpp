// Internal: bookkeeping shared by the decoders: current time signature and tempo, where
// notes go, and the count of tokens that had to be dropped.
#pragma once

#include "core/tokenizer/events.hpp"

namespace harmonia::tokenizer {

struct DecodeState {
  const Tokenizer& tok;
  midi::Score& score;
  DecodeReport& report;
  int program;
  bool is_drum;
  int tpq;
  int ts_num = 4, ts_den = 4;
  bool ts_written = false;

  DecodeState(const Tokenizer& t, midi::Score& s, DecodeReport& r, int prog, bool drum)
      : tok(t), score(s), report(r), program(prog), is_drum(drum), tpq(t.tables().time_division) {}

  int ticks_per_beat() const { return ticks_per_beat_for(ts_den, tpq); }
  int64_t ticks_per_bar() const { return int64_t(ticks_per_beat()) * ts_num; }
  int64_t ticks_per_position() const { return std::max(1, ticks_per_beat() / tok.tables().max_pos_per_beat); }
  int64_t duration_ticks(int index) const {
    const auto& t = tok.tables().ticks_of(ticks_per_beat());
    return (index >= 0 && size_t(index) < t.size()) ? t[size_t(index)] : -1;
  }
  int64_t default_duration() const {
    return std::max<int64_t>(1, int64_t(tok.config().default_note_duration * tpq));
  }
  void set_time_signature(int ts_index, int64_t tick) {
    const auto& all = tok.tables().time_signatures;
    if (ts_index < 0 || size_t(ts_index) >= all.size()) return;
    const bool same = all[size_t(ts_index)].first == ts_num && all[size_t(ts_index)].second == ts_den;
    ts_num = all[size_t(ts_index)].first;
    ts_den = all[size_t(ts_index)].second;
    // REMI repeats the time signature after every bar: only changes go in the score.
    if (!same || !ts_written) score.time_signatures.push_back({tick, ts_num, ts_den});
    ts_written = true;
  }
  void add_tempo(int tempo_index, int64_t tick) {
    const auto& all = tok.tables().tempos;
    if (tempo_index < 0 || size_t(tempo_index) >= all.size()) return;
    score.tempos.push_back({tick, int32_t(60'000'000.0 / all[size_t(tempo_index)] + 0.5)});
  }
  // After a Pitch/PitchDrum token at ids[i] (REMI, TSD): the Velocity and Duration tokens the
  // config says follow it. Returns false (and counts the drop) when one is missing; on success
  // `next` is the index of the note's last token.
  bool read_note_attributes(const Vocabulary& v, const std::vector<int32_t>& ids, size_t i, int note_program,
                            int& velocity, int64_t& duration, size_t& next) {
    size_t j = i + 1;
    velocity = 100;
    duration = default_duration();
    auto take = [&](TokenType type) {
      if (j >= ids.size() || !v.valid(ids[j]) || v.kind(ids[j]).type != type) return false;
      const int value = v.kind(ids[j++]).value;
      if (type == TokenType::Velocity) velocity = value;
      else duration = duration_ticks(value);
      return true;
    };
    if ((tok.config().use_velocities && !take(TokenType::Velocity)) ||
        (tok.config().uses_note_durations_for(note_program) && !take(TokenType::Duration))) {
      ++report.tokens_dropped;
      return false;
    }
    next = j - 1;
    return true;
  }
  // drum: the note came from a PitchDrum/DrumOn token (or the sequence is a drum track).
  void add_note(int program_, bool drum, int64_t time, int64_t duration, int pitch, int velocity) {
    if (time < 0 || duration <= 0 || pitch < 0 || pitch > 127) {
      ++report.tokens_dropped;
      return;
    }
    if (program_ == -1) drum = true;
    track_for(score, drum ? 0 : program_, drum).notes.push_back({time, duration, pitch, std::clamp(velocity, 1, 127)});
  }
};

}  // namespace harmonia::tokenizer
