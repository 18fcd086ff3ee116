// Octuple: one compound token per note: [Pitch, Position, Bar, Velocity, Duration,
// (Program, Tempo, TimeSig)], one vocabulary per field. Bars are numbered up to
// max_bar_embedding (default 60); later notes are clipped, as MidiTok 3.x does.
#include <algorithm>

#include "core/tokenizer/decode_state.hpp"
#include "core/tokenizer/schemes.hpp"

namespace harmonia::tokenizer {

namespace {

class Octuple final : public Tokenizer {
 public:
  explicit Octuple(TokenizerConfig c) : Tokenizer("Octuple", std::move(c), false) {
    int next = 3;
    if (config_.use_velocities) vel_ = next++;
    if (config_.using_note_duration_tokens()) dur_ = next++;
    if (config_.use_programs) prog_ = next++;
    if (config_.use_tempos) tempo_ = next++;
    if (config_.use_time_signatures) ts_ = next++;
    fields_ = size_t(next);
  }

 protected:
  int max_bars() const { return config_.max_bar_embedding.value_or(60); }

  void build_vocabularies() override {
    vocabs_.assign(fields_, Vocabulary());
    for (auto& v : vocabs_) add_special_tokens(v);
    for (int p = config_.pitch_range.first; p <= config_.pitch_range.second; ++p)
      vocabs_[0].add(TokenType::Pitch, p, "Pitch_" + std::to_string(p));
    if (config_.use_pitchdrum_tokens)
      for (int p = config_.drums_pitch_range.first; p <= config_.drums_pitch_range.second; ++p)
        vocabs_[0].add(TokenType::PitchDrum, p, "PitchDrum_" + std::to_string(p));
    for (int p = 0; p < num_positions(); ++p) vocabs_[1].add(TokenType::Position, p, "Position_" + std::to_string(p));
    for (int b = 0; b < max_bars(); ++b) vocabs_[2].add(TokenType::Bar, b, "Bar_" + std::to_string(b));
    if (vel_ > 0)
      for (int v : tables_.velocities) vocabs_[size_t(vel_)].add(TokenType::Velocity, v, "Velocity_" + std::to_string(v));
    if (dur_ > 0)
      for (size_t i = 0; i < tables_.durations.size(); ++i)
        vocabs_[size_t(dur_)].add(TokenType::Duration, int(i), "Duration_" + tables_.duration_text(i));
    if (prog_ > 0)
      for (int p : config_.programs) vocabs_[size_t(prog_)].add(TokenType::Program, p, "Program_" + std::to_string(p));
    if (tempo_ > 0)
      for (size_t i = 0; i < tables_.tempos.size(); ++i)
        vocabs_[size_t(tempo_)].add(TokenType::Tempo, int(i), "Tempo_" + TimeTables::format_tempo(tables_.tempos[i]));
    if (ts_ > 0)
      for (size_t i = 0; i < tables_.time_signatures.size(); ++i)
        vocabs_[size_t(ts_)].add(TokenType::TimeSig, int(i),
                                 "TimeSig_" + std::to_string(tables_.time_signatures[i].first) + "/" +
                                     std::to_string(tables_.time_signatures[i].second));
  }

  // Every Octuple step is a complete note: no succession constraints (MidiTok's graph is
  // empty too); only special tokens are constrained.
  void build_grammar() override {}

  void prepare_extra(PreparedScore& p) const override {
    const auto bars = p.bar_ticks();
    if (size_t(max_bars()) >= bars.size()) return;
    const int64_t end = bars[size_t(max_bars())];
    for (auto& t : p.tracks)
      t.notes.erase(std::remove_if(t.notes.begin(), t.notes.end(), [end](const PNote& n) { return n.time >= end; }),
                    t.notes.end());
    // Tempos / time signatures: symusic keeps those before `end` (the last at 0 moved to 0).
    p.tempos.erase(std::remove_if(p.tempos.begin(), p.tempos.end(), [end](const PTempo& t) { return t.time >= end; }),
                   p.tempos.end());
    p.time_sigs.erase(
        std::remove_if(p.time_sigs.begin(), p.time_sigs.end(), [end](const PTimeSig& t) { return t.time >= end; }),
        p.time_sigs.end());
  }

  TokSequence events_to_tokens(const std::vector<Event>& events, int tpq,
                               std::vector<int64_t>* /*ticks: compound schemes cannot be trained*/ = nullptr) const override {
    TokSequence seq;
    seq.fields = fields_;
    seq.ids.reserve(events.size() * fields_ / 2);
    const int duration_offset = (config_.use_velocities ? 1 : 0) + (config_.using_note_duration_tokens() ? 1 : 0);
    int64_t current_bar = 0, bar_from_ts = 0, tick_from_ts = 0, current_pos = 0, previous_tick = 0;
    int ts_index = tables_.time_signature_index(4, 4);
    int ts_num = 4, ts_den = 4;
    int current_tempo = tables_.default_tempo_index;
    int current_program = 0;
    int64_t tpbar = bar_ticks_of(ts_num, ts_den, tpq);
    int64_t tppos = std::max(1, ticks_per_beat_for(ts_den, tpq) / tables_.max_pos_per_beat);
    for (size_t e = 0; e < events.size(); ++e) {
      const Event& ev = events[e];
      if (ev.time != previous_tick) {
        current_bar = bar_from_ts + (ev.time - tick_from_ts) / tpbar;
        const int64_t tick_at_bar = tick_from_ts + (current_bar - bar_from_ts) * tpbar;
        current_pos = (ev.time - tick_at_bar) / tppos;
        previous_tick = ev.time;
      }
      if (ev.type == TokenType::TimeSig) {
        ts_index = ev.value;
        ts_num = tables_.time_signatures[size_t(ev.value)].first;
        ts_den = tables_.time_signatures[size_t(ev.value)].second;
        bar_from_ts = current_bar;
        tick_from_ts = previous_tick;
        tpbar = bar_ticks_of(ts_num, ts_den, tpq);
        tppos = std::max(1, ticks_per_beat_for(ts_den, tpq) / tables_.max_pos_per_beat);
      } else if (ev.type == TokenType::Tempo) {
        current_tempo = ev.value;
      } else if (ev.type == TokenType::Program) {
        current_program = ev.value;
      } else if ((ev.type == TokenType::Pitch || ev.type == TokenType::PitchDrum) &&
                 e + size_t(duration_offset) < events.size()) {
        seq.ids.push_back(vocabs_[0].id(ev.type, ev.value));
        seq.ids.push_back(vocabs_[1].id(TokenType::Position, int(current_pos)));
        seq.ids.push_back(vocabs_[2].id(TokenType::Bar, int(current_bar)));
        if (vel_ > 0) seq.ids.push_back(vocabs_[size_t(vel_)].id(TokenType::Velocity, events[e + 1].value));
        if (dur_ > 0)
          seq.ids.push_back(vocabs_[size_t(dur_)].id(TokenType::Duration, events[e + size_t(duration_offset)].value));
        if (prog_ > 0) seq.ids.push_back(vocabs_[size_t(prog_)].id(TokenType::Program, current_program));
        if (tempo_ > 0) seq.ids.push_back(vocabs_[size_t(tempo_)].id(TokenType::Tempo, current_tempo));
        if (ts_ > 0) seq.ids.push_back(vocabs_[size_t(ts_)].id(TokenType::TimeSig, ts_index));
      }
    }
    return seq;
  }

  void decode_sequence(const TokSequence& seq, int program, bool is_drum, midi::Score& score,
                       DecodeReport& report) const override {
    DecodeState st(*this, score, report, program, is_drum);
    const size_t f = fields_;
    if (seq.fields != f) {
      report.tokens_dropped += seq.steps();
      return;
    }
    auto kind = [&](size_t step, int field) -> TokenKind {
      const int32_t id = seq.ids[step * f + size_t(field)];
      return vocabs_[size_t(field)].valid(id) ? vocabs_[size_t(field)].kind(id) : TokenKind{TokenType::Count, 0};
    };
    // Bars are absolute: a time signature change starts a new segment at its bar.
    int64_t seg_bar = 0, seg_tick = 0;
    int64_t last_tempo_tick = -1;
    for (size_t s = 0; s < seq.steps(); ++s) {
      const TokenKind p = kind(s, 0), pos = kind(s, 1), bar = kind(s, 2);
      if (p.type == TokenType::Special) continue;
      if ((p.type != TokenType::Pitch && p.type != TokenType::PitchDrum) || pos.type != TokenType::Position ||
          bar.type != TokenType::Bar || bar.value < seg_bar) {
        ++report.tokens_dropped;
        continue;
      }
      if (ts_ > 0 && kind(s, ts_).type == TokenType::TimeSig) {
        const auto& sig = tables_.time_signatures[size_t(kind(s, ts_).value)];
        if (sig.first != st.ts_num || sig.second != st.ts_den || score.time_signatures.empty()) {
          seg_tick += (bar.value - seg_bar) * st.ticks_per_bar();
          seg_bar = bar.value;
          st.set_time_signature(kind(s, ts_).value, seg_tick);
        }
      }
      const int64_t tick_at_bar = seg_tick + (bar.value - seg_bar) * st.ticks_per_bar();
      const int64_t tick = tick_at_bar + int64_t(pos.value) * st.ticks_per_position();
      if (tick >= tick_at_bar + st.ticks_per_bar()) {
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
      if (tempo_ > 0 && kind(s, tempo_).type == TokenType::Tempo && tick != last_tempo_tick) {
        const int index = kind(s, tempo_).value;
        if (score.tempos.empty() ||
            score.tempos.back().us_per_quarter != int32_t(60'000'000.0 / tables_.tempos[size_t(index)] + 0.5)) {
          st.add_tempo(index, tick);
          last_tempo_tick = tick;
        }
      }
      st.add_note(prog, p.type == TokenType::PitchDrum || is_drum, tick, duration, p.value, velocity);
    }
  }

 private:
  size_t fields_ = 3;
  int vel_ = -1, dur_ = -1, prog_ = -1, tempo_ = -1, ts_ = -1;
};

}  // namespace

std::unique_ptr<Tokenizer> make_octuple(TokenizerConfig config) {
  for (int p : config.programs)
    if (!config.uses_note_durations_for(p)) {
      config.use_note_duration_programs = config.programs;
      break;
    }
  config.delete_equal_successive_tempo_changes = true;
  if (!config.max_bar_embedding) config.max_bar_embedding = 60;
  return std::make_unique<Octuple>(std::move(config));
}

}  // namespace harmonia::tokenizer
