// REMI: Bar and Position tokens give time; each note is Pitch, Velocity, Duration.
#include <algorithm>

#include "core/tokenizer/decode_state.hpp"
#include "core/tokenizer/schemes.hpp"

namespace harmonia::tokenizer {

namespace {

class Remi final : public Tokenizer {
 public:
  explicit Remi(TokenizerConfig c) : Tokenizer("REMI", std::move(c), false) {}

 protected:
  void build_vocabularies() override {
    vocabs_.assign(1, Vocabulary());
    Vocabulary& v = vocabs_[0];
    add_special_tokens(v);
    v.add(TokenType::Bar, -1, "Bar_None");
    add_note_tokens(v);
    for (int p = 0; p < num_positions(); ++p) v.add(TokenType::Position, p, "Position_" + std::to_string(p));
    add_additional_tokens(v);
  }

  void build_grammar() override {
    const auto& c = config_;
    const std::string first_note = c.use_programs ? "Program" : "Pitch";
    const bool dur = c.using_note_duration_tokens();
    auto& g = grammar_;
    if (c.use_programs) g.allow("Program", {"Pitch"});
    if (c.use_velocities) {
      g.allow("Pitch", {"Velocity"});
      g.allow("Velocity", dur ? std::set<std::string>{"Duration"} : std::set<std::string>{first_note, "Position", "Bar"});
    } else if (dur) {
      g.allow("Pitch", {"Duration"});
    } else {
      g.allow("Pitch", {first_note, "Bar", "Position"});
    }
    if (dur) g.allow("Duration", {first_note, "Position", "Bar"});
    g.allow("Bar", {"Position", "Bar"});
    g.allow("Position", {first_note});
    if (c.use_chords) {
      g.allow("Chord", {first_note});
      g.allow("Position", {"Chord"});
      if (c.use_programs) g.allow("Program", {"Chord"});
    }
    if (c.use_tempos) {
      g.allow("Position", {"Tempo"});
      g.allow("Tempo", {first_note, "Position", "Bar"});
      if (c.use_chords) g.allow("Tempo", {"Chord"});
    }
    if (c.use_time_signatures) {
      g.replace("Bar", {"TimeSig"});
      g.allow("TimeSig", {first_note, "Position", "Bar"});
      if (c.use_chords) g.allow("TimeSig", {"Chord"});
      if (c.use_tempos) g.allow("Tempo", {"TimeSig"});
    }
    if (c.use_pitchdrum_tokens) g.alias("PitchDrum", "Pitch");
    g.add_special_tokens(c.special_tokens);
  }

  TokSequence events_to_tokens(const std::vector<Event>& events, int tpq,
                               std::vector<int64_t>* ticks = nullptr) const override {
    const Vocabulary& v = vocabs_[0];
    TokSequence seq;
    seq.ids.reserve(events.size() + events.size() / 2);
    const int bar_id = v.id(TokenType::Bar, -1);
    int64_t current_bar = -1, bar_at_last_ts = 0, previous_tick = -1, tick_at_last_ts = 0, tick_at_current_bar = 0;
    int ts_num = 4, ts_den = 4, ts_index = -1;
    if (config_.use_time_signatures) {
      for (const auto& e : events) {
        if (e.type == TokenType::TimeSig) {
          ts_index = e.value;
          ts_num = tables_.time_signatures[size_t(e.value)].first;
          ts_den = tables_.time_signatures[size_t(e.value)].second;
          break;
        }
      }
    }
    int64_t tpbar = bar_ticks_of(ts_num, ts_den, tpq);
    int64_t tppos = std::max(1, ticks_per_beat_for(ts_den, tpq) / tables_.max_pos_per_beat);
    for (const auto& e : events) {
      if (e.time != previous_tick) {
        const int64_t new_bars = bar_at_last_ts + (e.time - tick_at_last_ts) / tpbar - current_bar;
        for (int64_t i = 0; i < new_bars; ++i) {
          ++current_bar;
          tick_at_current_bar = tick_at_last_ts + (current_bar - bar_at_last_ts) * tpbar;
          seq.ids.push_back(bar_id);
          if (ticks) ticks->push_back(tick_at_current_bar);
          if (config_.use_time_signatures && !(e.type == TokenType::TimeSig && i + 1 == new_bars)) {
            seq.ids.push_back(v.id(TokenType::TimeSig, ts_index));
            if (ticks) ticks->push_back(tick_at_current_bar);
          }
        }
        if (e.type != TokenType::TimeSig) {
          seq.ids.push_back(v.id(TokenType::Position, int((e.time - tick_at_current_bar) / tppos)));
          if (ticks) ticks->push_back(e.time);
        }
        previous_tick = e.time;
      }
      if (e.type == TokenType::TimeSig) {
        bar_at_last_ts += (e.time - tick_at_last_ts) / tpbar;
        tick_at_last_ts = e.time;
        ts_index = e.value;
        ts_num = tables_.time_signatures[size_t(e.value)].first;
        ts_den = tables_.time_signatures[size_t(e.value)].second;
        tpbar = bar_ticks_of(ts_num, ts_den, tpq);
        tppos = std::max(1, ticks_per_beat_for(ts_den, tpq) / tables_.max_pos_per_beat);
        previous_tick -= 1;
      }
      seq.ids.push_back(v.id(e.type, e.value));
      if (ticks) ticks->push_back(e.time);
    }
    return seq;
  }

  void decode_sequence(const TokSequence& seq, int program, bool is_drum, midi::Score& score,
                       DecodeReport& report) const override {
    const Vocabulary& v = vocabs_[0];
    DecodeState st(*this, score, report, program, is_drum);
    int64_t bar = -1, tick_at_bar = 0, tick = 0;
    int current_program = program;
    const auto& ids = seq.ids;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (!v.valid(ids[i])) {
        ++report.tokens_dropped;
        continue;
      }
      const TokenKind k = v.kind(ids[i]);
      switch (k.type) {
        case TokenType::Bar:
          if (bar >= 0) tick_at_bar += st.ticks_per_bar();
          ++bar;
          tick = tick_at_bar;
          break;
        case TokenType::TimeSig:
          st.set_time_signature(k.value, std::max<int64_t>(0, tick_at_bar));
          break;
        case TokenType::Position: {
          const int64_t t = tick_at_bar + int64_t(k.value) * st.ticks_per_position();
          if (bar < 0 || t >= tick_at_bar + st.ticks_per_bar()) ++report.tokens_dropped;
          else tick = t;
          break;
        }
        case TokenType::Tempo:
          st.add_tempo(k.value, tick);
          break;
        case TokenType::Program:
          current_program = k.value;
          break;
        case TokenType::Pitch:
        case TokenType::PitchDrum: {
          int velocity;
          int64_t duration;
          size_t last;
          if (!st.read_note_attributes(v, ids, i, current_program, velocity, duration, last)) break;
          st.add_note(current_program, k.type == TokenType::PitchDrum || is_drum, tick, duration, k.value, velocity);
          i = last;
          break;
        }
        case TokenType::Special:
        case TokenType::Chord:
          break;  // no musical content to restore
        default:
          ++report.tokens_dropped;  // Velocity/Duration without a Pitch, or foreign types
      }
    }
  }
};

}  // namespace

std::unique_ptr<Tokenizer> make_remi(TokenizerConfig config) { return std::make_unique<Remi>(std::move(config)); }

}  // namespace harmonia::tokenizer
