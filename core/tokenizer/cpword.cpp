// CPWord (Compound Word): each step is one compound token [Family, Bar/Position, Pitch,
// Velocity, Duration, (Program, Chord, Tempo, TimeSig)], one vocabulary per field; unused
// fields hold Ignore_None.
#include <algorithm>

#include "core/tokenizer/decode_state.hpp"
#include "core/tokenizer/schemes.hpp"

namespace harmonia::tokenizer {

namespace {

class CpWord final : public Tokenizer {
 public:
  explicit CpWord(TokenizerConfig c) : Tokenizer("CPWord", std::move(c), false) {
    int next = 3;
    if (config_.use_velocities) vel_ = next++;
    if (config_.using_note_duration_tokens()) dur_ = next++;
    if (config_.use_programs) prog_ = next++;
    if (config_.use_chords) chord_ = next++;
    if (config_.use_tempos) tempo_ = next++;
    if (config_.use_time_signatures) ts_ = next++;
    fields_ = size_t(next);
  }

 protected:
  void build_vocabularies() override {
    vocabs_.assign(fields_, Vocabulary());
    for (auto& v : vocabs_) add_special_tokens(v);
    vocabs_[0].add(TokenType::Family, 0, "Family_Metric");
    vocabs_[0].add(TokenType::Family, 1, "Family_Note");
    auto& pos = vocabs_[1];
    pos.add(TokenType::Ignore, -1, "Ignore_None");
    pos.add(TokenType::Bar, -1, "Bar_None");
    for (int p = 0; p < num_positions(); ++p) pos.add(TokenType::Position, p, "Position_" + std::to_string(p));
    auto& pitch = vocabs_[2];
    pitch.add(TokenType::Ignore, -1, "Ignore_None");
    for (int p = config_.pitch_range.first; p <= config_.pitch_range.second; ++p)
      pitch.add(TokenType::Pitch, p, "Pitch_" + std::to_string(p));
    if (config_.use_pitchdrum_tokens)
      for (int p = config_.drums_pitch_range.first; p <= config_.drums_pitch_range.second; ++p)
        pitch.add(TokenType::PitchDrum, p, "PitchDrum_" + std::to_string(p));
    if (vel_ > 0) {
      vocabs_[size_t(vel_)].add(TokenType::Ignore, -1, "Ignore_None");
      for (int v : tables_.velocities) vocabs_[size_t(vel_)].add(TokenType::Velocity, v, "Velocity_" + std::to_string(v));
    }
    if (dur_ > 0) {
      vocabs_[size_t(dur_)].add(TokenType::Ignore, -1, "Ignore_None");
      for (size_t i = 0; i < tables_.durations.size(); ++i)
        vocabs_[size_t(dur_)].add(TokenType::Duration, int(i), "Duration_" + tables_.duration_text(i));
    }
    if (prog_ > 0) {
      vocabs_[size_t(prog_)].add(TokenType::Ignore, -1, "Ignore_None");
      for (int p : config_.programs) vocabs_[size_t(prog_)].add(TokenType::Program, p, "Program_" + std::to_string(p));
    }
    if (chord_ > 0) {
      vocabs_[size_t(chord_)].add(TokenType::Ignore, -1, "Ignore_None");
      for (size_t i = 0; i < config_.chord_maps.size(); ++i)
        vocabs_[size_t(chord_)].add(TokenType::Chord, int(i), "Chord_" + config_.chord_maps[i].first);
    }
    if (tempo_ > 0) {
      vocabs_[size_t(tempo_)].add(TokenType::Ignore, -1, "Ignore_None");
      for (size_t i = 0; i < tables_.tempos.size(); ++i)
        vocabs_[size_t(tempo_)].add(TokenType::Tempo, int(i), "Tempo_" + TimeTables::format_tempo(tables_.tempos[i]));
    }
    if (ts_ > 0) {
      vocabs_[size_t(ts_)].add(TokenType::Ignore, -1, "Ignore_None");
      for (size_t i = 0; i < tables_.time_signatures.size(); ++i)
        vocabs_[size_t(ts_)].add(TokenType::TimeSig, int(i),
                                 "TimeSig_" + std::to_string(tables_.time_signatures[i].first) + "/" +
                                     std::to_string(tables_.time_signatures[i].second));
    }
  }

  // Types of compound tokens: Bar, Position or Pitch (a note), as MidiTok's CPWord graph.
  void build_grammar() override {
    auto& g = grammar_;
    g.allow("Bar", {"Position", "Bar"});
    g.allow("Position", {"Pitch"});
    g.allow("Pitch", {"Pitch", "Bar", "Position"});
    if (config_.use_tempos) g.allow("Position", {"Position", "Bar"});
    for (const char* t : {"Bar", "Position", "Pitch"}) g.allow(t, {"Ignore"});
    g.allow("Ignore", {"Bar", "Position", "Pitch", "Ignore"});
    if (config_.use_pitchdrum_tokens) g.alias("PitchDrum", "Pitch");
    g.add_special_tokens(config_.special_tokens);
  }

  // Ids of one compound step; everything Ignore_None except what is set.
  std::vector<int32_t> blank(bool note) const {
    std::vector<int32_t> step(fields_);
    step[0] = vocabs_[0].id(TokenType::Family, note ? 1 : 0);
    for (size_t f = 1; f < fields_; ++f) step[f] = vocabs_[f].id(TokenType::Ignore, -1);
    return step;
  }

  TokSequence events_to_tokens(const std::vector<Event>& events, int tpq,
                               std::vector<int64_t>* /*ticks: compound schemes cannot be trained*/ = nullptr) const override {
    TokSequence seq;
    seq.fields = fields_;
    seq.ids.reserve(events.size() * fields_);
    auto emit = [&](const std::vector<int32_t>& step) { seq.ids.insert(seq.ids.end(), step.begin(), step.end()); };
    const int duration_offset = (config_.use_velocities ? 1 : 0) + (config_.using_note_duration_tokens() ? 1 : 0);
    int64_t current_bar = -1, bar_at_last_ts = 0, previous_tick = -1, tick_at_last_ts = 0, tick_at_current_bar = 0;
    int ts_index = tables_.time_signature_index(4, 4);
    int ts_num = 4, ts_den = 4;
    int current_tempo = tables_.default_tempo_index;
    int current_program = -2;  // none yet
    if (config_.use_time_signatures) {
      for (const auto& e : events)
        if (e.type == TokenType::TimeSig) {
          ts_index = e.value;
          ts_num = tables_.time_signatures[size_t(e.value)].first;
          ts_den = tables_.time_signatures[size_t(e.value)].second;
          break;
        }
    }
    if (config_.use_tempos) {
      for (const auto& e : events) {
        if (e.type == TokenType::Tempo) {
          current_tempo = e.value;
          break;
        }
        if (e.type == TokenType::Pitch || e.type == TokenType::PitchDrum || e.type == TokenType::Velocity ||
            e.type == TokenType::Duration)
          break;
      }
    }
    int64_t tpbar = bar_ticks_of(ts_num, ts_den, tpq);
    int64_t tppos = std::max(1, ticks_per_beat_for(ts_den, tpq) / tables_.max_pos_per_beat);
    for (size_t e = 0; e < events.size(); ++e) {
      const Event& ev = events[e];
      if (ev.type == TokenType::Tempo) {
        current_tempo = ev.value;
      } else if (ev.type == TokenType::Program) {
        current_program = ev.value;
        continue;
      }
      if (ev.time != previous_tick) {
        const int64_t new_bars = bar_at_last_ts + (ev.time - tick_at_last_ts) / tpbar - current_bar;
        if (new_bars >= 1) {
          for (int64_t i = 0; i < new_bars; ++i) {
            auto step = blank(false);
            step[1] = vocabs_[1].id(TokenType::Bar, -1);
            if (ts_ > 0) {
              const int arg = (i == new_bars - 1 && ev.type == TokenType::TimeSig) ? ev.value : ts_index;
              step[size_t(ts_)] = vocabs_[size_t(ts_)].id(TokenType::TimeSig, arg);
            }
            emit(step);
          }
          current_bar += new_bars;
          tick_at_current_bar = tick_at_last_ts + (current_bar - bar_at_last_ts) * tpbar;
        }
        if (ev.type != TokenType::TimeSig) {
          auto step = blank(false);
          step[1] = vocabs_[1].id(TokenType::Position, int((ev.time - tick_at_current_bar) / tppos));
          if (chord_ > 0 && ev.type == TokenType::Chord) step[size_t(chord_)] = vocabs_[size_t(chord_)].id(TokenType::Chord, ev.value);
          if (tempo_ > 0) step[size_t(tempo_)] = vocabs_[size_t(tempo_)].id(TokenType::Tempo, current_tempo);
          emit(step);
        }
        previous_tick = ev.time;
      }
      if (ev.type == TokenType::TimeSig) {
        bar_at_last_ts += (ev.time - tick_at_last_ts) / tpbar;
        tick_at_last_ts = ev.time;
        ts_index = ev.value;
        ts_num = tables_.time_signatures[size_t(ev.value)].first;
        ts_den = tables_.time_signatures[size_t(ev.value)].second;
        tpbar = bar_ticks_of(ts_num, ts_den, tpq);
        tppos = std::max(1, ticks_per_beat_for(ts_den, tpq) / tables_.max_pos_per_beat);
        previous_tick -= 1;
      }
      if ((ev.type == TokenType::Pitch || ev.type == TokenType::PitchDrum) && e + size_t(duration_offset) < events.size()) {
        auto step = blank(true);
        step[2] = vocabs_[2].id(ev.type, ev.value);
        if (vel_ > 0) step[size_t(vel_)] = vocabs_[size_t(vel_)].id(TokenType::Velocity, events[e + 1].value);
        if (dur_ > 0) step[size_t(dur_)] = vocabs_[size_t(dur_)].id(TokenType::Duration, events[e + size_t(duration_offset)].value);
        if (prog_ > 0 && current_program != -2) step[size_t(prog_)] = vocabs_[size_t(prog_)].id(TokenType::Program, current_program);
        emit(step);
      }
    }
    return seq;
  }

  void decode_sequence(const TokSequence& seq, int program, bool is_drum, midi::Score& score,
                       DecodeReport& report) const override {
    DecodeState st(*this, score, report, program, is_drum);
    int64_t bar = -1, tick_at_bar = 0, tick = 0;
    const size_t f = fields_;
    if (seq.fields != f) {
      report.tokens_dropped += seq.steps();
      return;
    }
    auto kind = [&](size_t step, int field) -> TokenKind {
      const int32_t id = seq.ids[step * f + size_t(field)];
      return vocabs_[size_t(field)].valid(id) ? vocabs_[size_t(field)].kind(id) : TokenKind{TokenType::Count, 0};
    };
    for (size_t s = 0; s < seq.steps(); ++s) {
      const TokenKind family = kind(s, 0);
      if (family.type == TokenType::Special) continue;
      if (family.type != TokenType::Family) {
        ++report.tokens_dropped;
        continue;
      }
      if (family.value == 0) {  // Metric: Bar or Position
        const TokenKind bp = kind(s, 1);
        if (bp.type == TokenType::Bar) {
          if (bar >= 0) tick_at_bar += st.ticks_per_bar();
          ++bar;
          tick = tick_at_bar;
          if (ts_ > 0 && kind(s, ts_).type == TokenType::TimeSig) {
            const int index = kind(s, ts_).value;
            const auto& sig = tables_.time_signatures[size_t(index)];
            if (sig.first != st.ts_num || sig.second != st.ts_den || score.time_signatures.empty())
              st.set_time_signature(index, tick_at_bar);
          }
        } else if (bp.type == TokenType::Position) {
          const int64_t t = tick_at_bar + int64_t(bp.value) * st.ticks_per_position();
          if (bar < 0 || t >= tick_at_bar + st.ticks_per_bar()) {
            ++report.tokens_dropped;
            continue;
          }
          tick = t;
          if (tempo_ > 0 && kind(s, tempo_).type == TokenType::Tempo) {
            const int index = kind(s, tempo_).value;
            if (score.tempos.empty() ||
                score.tempos.back().us_per_quarter != int32_t(60'000'000.0 / tables_.tempos[size_t(index)] + 0.5))
              st.add_tempo(index, tick);
          }
        } else {
          ++report.tokens_dropped;
        }
        continue;
      }
      // Note
      const TokenKind p = kind(s, 2);
      if (p.type != TokenType::Pitch && p.type != TokenType::PitchDrum) {
        ++report.tokens_dropped;
        continue;
      }
      int velocity = 100;
      int64_t duration = st.default_duration();
      int prog = program;
      if (prog_ > 0 && kind(s, prog_).type == TokenType::Program) prog = kind(s, prog_).value;
      if (vel_ > 0) {
        if (kind(s, vel_).type != TokenType::Velocity) {
          ++report.tokens_dropped;
          continue;
        }
        velocity = kind(s, vel_).value;
      }
      if (dur_ > 0) {
        if (kind(s, dur_).type != TokenType::Duration) {
          ++report.tokens_dropped;
          continue;
        }
        duration = st.duration_ticks(kind(s, dur_).value);
      }
      st.add_note(prog, p.type == TokenType::PitchDrum || is_drum, tick, duration, p.value, velocity);
    }
  }

 private:
  size_t fields_ = 3;
  int vel_ = -1, dur_ = -1, prog_ = -1, chord_ = -1, tempo_ = -1, ts_ = -1;
};

}  // namespace

std::unique_ptr<Tokenizer> make_cpword(TokenizerConfig config) {
  // CPWord uses durations for all programs or none (MidiTok forces the former).
  for (int p : config.programs)
    if (!config.uses_note_durations_for(p)) {
      config.use_note_duration_programs = config.programs;
      break;
    }
  return std::make_unique<CpWord>(std::move(config));
}

}  // namespace harmonia::tokenizer
