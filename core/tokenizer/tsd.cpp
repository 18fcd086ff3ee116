// TSD: TimeShift tokens give time; each note is Pitch, Velocity, Duration.
#include <algorithm>

#include "core/tokenizer/decode_state.hpp"
#include "core/tokenizer/schemes.hpp"
#include "core/tokenizer/time_shift.hpp"

namespace harmonia::tokenizer {

namespace {

class Tsd final : public Tokenizer {
 public:
  explicit Tsd(TokenizerConfig c) : Tokenizer("TSD", std::move(c), false) {}

 protected:
  void build_vocabularies() override { build_time_shift_vocabulary(); }

  void build_grammar() override {
    const auto& c = config_;
    const std::string first_note = c.use_programs ? "Program" : "Pitch";
    const bool dur = c.using_note_duration_tokens();
    auto& g = grammar_;
    if (c.use_programs) g.allow("Program", {"Pitch"});
    if (c.use_velocities) {
      g.allow("Pitch", {"Velocity"});
      g.allow("Velocity", dur ? std::set<std::string>{"Duration"} : std::set<std::string>{first_note, "TimeShift"});
    } else if (dur) {
      g.allow("Pitch", {"Duration"});
    } else {
      g.allow("Pitch", {first_note, "TimeShift"});
    }
    if (dur) g.allow("Duration", {first_note, "TimeShift"});
    g.allow("TimeShift", {first_note, "TimeShift"});
    if (c.use_chords) {
      g.allow("Chord", {first_note});
      g.allow("TimeShift", {"Chord"});
      if (c.use_programs) g.allow("Program", {"Chord"});
      g.allow(dur ? "Duration" : c.use_velocities ? "Velocity" : "Pitch", {"Chord"});
    }
    if (c.use_tempos) {
      g.allow("Tempo", {first_note, "TimeShift"});
      if (c.use_chords) g.allow("Tempo", {"Chord"});
      g.allow("TimeShift", {"Tempo"});
      g.allow(dur ? "Duration" : c.use_velocities ? "Velocity" : "Pitch", {"Tempo"});
    }
    if (c.use_time_signatures) {
      g.allow("TimeSig", {first_note, "TimeShift"});
      if (c.use_chords) g.allow("TimeSig", {"Chord"});
      if (c.use_tempos) {
        g.allow("TimeSig", {"Tempo"});
        g.allow("Tempo", {"TimeSig"});
      }
      g.allow("TimeShift", {"TimeSig"});
      g.allow(dur ? "Duration" : c.use_velocities ? "Velocity" : "Pitch", {"TimeSig"});
    }
    if (c.use_rests) {
      g.allow("Rest", {"Rest", first_note, "TimeShift"});
      g.allow(dur ? "Duration" : c.use_velocities ? "Velocity" : first_note, {"Rest"});
      if (c.use_chords) g.allow("Rest", {"Chord"});
      if (c.use_tempos) g.allow("Rest", {"Tempo"}), g.allow("Tempo", {"Rest"});
      if (c.use_time_signatures) g.allow("Rest", {"TimeSig"}), g.allow("TimeSig", {"Rest"});
    }
    if (c.use_pitchdrum_tokens) g.alias("PitchDrum", "Pitch");
    g.add_special_tokens(c.special_tokens);
  }

  TokSequence events_to_tokens(const std::vector<Event>& events, int tpq,
                               std::vector<int64_t>* ticks = nullptr) const override {
    const Vocabulary& v = vocabs_[0];
    TokSequence seq;
    seq.ids.reserve(events.size() + events.size() / 2);
    int64_t previous_tick = 0, previous_note_end = 0;
    int tpb = ticks_per_beat_for(4, tpq);
    for (const auto& e : events) {
      if (e.time != previous_tick)
        append_time_tokens(v, tables_, config_.use_rests, tpb, previous_note_end, previous_tick, e.time, seq.ids, ticks);
      if (e.type == TokenType::TimeSig) tpb = ticks_per_beat_for(tables_.time_signatures[size_t(e.value)].second, tpq);
      seq.ids.push_back(v.id(e.type, e.value));
      if (ticks) ticks->push_back(e.time);
      // Latest note end / event so far: rests only cover silence (MidiTok's rule).
      if (e.type == TokenType::Pitch || e.type == TokenType::PitchDrum) previous_note_end = std::max(previous_note_end, e.desc);
      else if (e.type == TokenType::Program || e.type == TokenType::Tempo || e.type == TokenType::TimeSig ||
                 e.type == TokenType::Chord)
        previous_note_end = std::max(previous_note_end, e.time);
    }
    return seq;
  }

  void decode_sequence(const TokSequence& seq, int program, bool is_drum, midi::Score& score,
                       DecodeReport& report) const override {
    const Vocabulary& v = vocabs_[0];
    DecodeState st(*this, score, report, program, is_drum);
    int64_t tick = 0, previous_note_end = 0;  // a Rest starts where the last note ended
    int current_program = program;
    const auto& ids = seq.ids;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (!v.valid(ids[i])) {
        ++report.tokens_dropped;
        continue;
      }
      const TokenKind k = v.kind(ids[i]);
      switch (k.type) {
        case TokenType::TimeShift: {
          const int64_t d = st.duration_ticks(k.value);
          if (d > 0) tick += d;
          else ++report.tokens_dropped;
          break;
        }
        case TokenType::Rest: {
          const auto& rests = tables_.rest_ticks_of(st.ticks_per_beat());
          if (k.value >= 0 && size_t(k.value) < rests.size()) tick = std::max(tick, previous_note_end) + rests[size_t(k.value)];
          else ++report.tokens_dropped;
          break;
        }
        case TokenType::TimeSig:
          st.set_time_signature(k.value, tick);
          previous_note_end = std::max(previous_note_end, tick);
          break;
        case TokenType::Tempo:
          st.add_tempo(k.value, tick);
          previous_note_end = std::max(previous_note_end, tick);
          break;
        case TokenType::Program:
          current_program = k.value;
          previous_note_end = std::max(previous_note_end, tick);
          break;
        case TokenType::Pitch:
        case TokenType::PitchDrum: {
          int velocity;
          int64_t duration;
          size_t last;
          if (!st.read_note_attributes(v, ids, i, current_program, velocity, duration, last)) break;
          st.add_note(current_program, k.type == TokenType::PitchDrum || is_drum, tick, duration, k.value, velocity);
          if (duration > 0) previous_note_end = std::max(previous_note_end, tick + duration);
          i = last;
          break;
        }
        case TokenType::Chord:
          previous_note_end = std::max(previous_note_end, tick);
          break;
        case TokenType::Special:
          break;
        default:
          ++report.tokens_dropped;
      }
    }
  }
};

}  // namespace

std::unique_ptr<Tokenizer> make_tsd(TokenizerConfig config) { return std::make_unique<Tsd>(std::move(config)); }

}  // namespace harmonia::tokenizer
