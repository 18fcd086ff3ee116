// MIDILike: NoteOn / NoteOff events with TimeShift tokens, like a MIDI stream.
#include <algorithm>
#include <deque>
#include <map>

#include "core/tokenizer/decode_state.hpp"
#include "core/tokenizer/schemes.hpp"
#include "core/tokenizer/time_shift.hpp"

namespace harmonia::tokenizer {

namespace {

class MidiLike final : public Tokenizer {
 public:
  explicit MidiLike(TokenizerConfig c) : Tokenizer("MIDILike", std::move(c), true) {}

 protected:
  void build_vocabularies() override { build_time_shift_vocabulary(); }

  void build_grammar() override {
    const auto& c = config_;
    const std::string first_note = c.use_programs ? "Program" : "NoteOn";
    const bool dur = c.using_note_duration_tokens();
    auto& g = grammar_;
    if (c.use_programs) {
      g.allow("Program", {"NoteOn"});
      if (dur) g.allow("Program", {"NoteOff"});
    }
    std::string last_note = "NoteOn";
    if (c.use_velocities) {
      g.allow("NoteOn", {"Velocity"});
      g.allow("Velocity", {first_note, "TimeShift"});
      last_note = "Velocity";
    } else {
      g.allow("NoteOn", {first_note, "TimeShift"});
    }
    g.allow("TimeShift", {first_note, "TimeShift"});
    if (dur) {
      g.allow("NoteOff", {"NoteOff", first_note, "TimeShift"});
      g.allow("TimeShift", {"NoteOff"});
      g.allow(last_note, {"NoteOff"});
    }
    if (c.use_chords) {
      g.allow("Chord", {first_note});
      g.allow("TimeShift", {"Chord"});
      g.allow(last_note, {"Chord"});
      if (dur) g.allow("NoteOff", {"Chord"});
      if (c.use_programs) g.allow("Program", {"Chord"});
    }
    if (c.use_tempos) {
      g.allow("Tempo", {first_note, "TimeShift"});
      if (dur) g.allow("Tempo", {"NoteOff"});
      if (c.use_chords) g.allow("Tempo", {"Chord"});
      g.allow("TimeShift", {"Tempo"});
      g.allow(last_note, {"Tempo"});
      if (dur) g.allow("NoteOff", {"Tempo"});
    }
    if (c.use_time_signatures) {
      g.allow("TimeSig", {first_note, "TimeShift"});
      if (dur) g.allow("TimeSig", {"NoteOff"});
      if (c.use_chords) g.allow("TimeSig", {"Chord"});
      if (c.use_tempos) {
        g.allow("TimeSig", {"Tempo"});
        g.allow("Tempo", {"TimeSig"});
      }
      g.allow("TimeShift", {"TimeSig"});
      g.allow(last_note, {"TimeSig"});
      if (dur) g.allow("NoteOff", {"TimeSig"});
    }
    if (c.use_rests) {
      g.allow("Rest", {"Rest", first_note, "TimeShift"});
      g.allow(dur ? "NoteOff" : last_note, {"Rest"});
      if (dur) g.allow("Rest", {"NoteOff"});
      if (c.use_chords) g.allow("Rest", {"Chord"});
      if (c.use_tempos) g.allow("Rest", {"Tempo"}), g.allow("Tempo", {"Rest"});
      if (c.use_time_signatures) g.allow("Rest", {"TimeSig"}), g.allow("TimeSig", {"Rest"});
    }
    if (c.use_pitchdrum_tokens) {
      g.alias("DrumOn", "NoteOn");
      if (dur) g.alias("DrumOff", "NoteOff");
    }
    g.add_special_tokens(c.special_tokens);
  }

  void sort_events(std::vector<Event>& events) const override {
    if (!config_.use_chords) return Tokenizer::sort_events(events);
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
      if (a.time != b.time) return a.time < b.time;
      return a.order < b.order;
    });
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
      if (e.type == TokenType::NoteOn || e.type == TokenType::DrumOn) previous_note_end = std::max(previous_note_end, e.desc);
      else if (e.type == TokenType::Program || e.type == TokenType::Tempo || e.type == TokenType::Chord)
        previous_note_end = std::max(previous_note_end, e.time);
    }
    return seq;
  }

  void decode_sequence(const TokSequence& seq, int program, bool is_drum, midi::Score& score,
                       DecodeReport& report) const override {
    const Vocabulary& v = vocabs_[0];
    DecodeState st(*this, score, report, program, is_drum);
    struct Open {
      int64_t tick;
      int velocity;
    };
    std::map<std::tuple<int, bool, int>, std::deque<Open>> open;  // (program, drum, pitch)
    int64_t tick = 0;
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
          if (k.value >= 0 && size_t(k.value) < rests.size()) tick += rests[size_t(k.value)];
          else ++report.tokens_dropped;
          break;
        }
        case TokenType::TimeSig:
          st.set_time_signature(k.value, tick);
          break;
        case TokenType::Tempo:
          st.add_tempo(k.value, tick);
          break;
        case TokenType::Program:
          current_program = k.value;
          break;
        case TokenType::NoteOn:
        case TokenType::DrumOn: {
          int velocity = 100;
          const bool drum = k.type == TokenType::DrumOn || is_drum;
          if (config_.use_velocities) {
            if (i + 1 < ids.size() && v.valid(ids[i + 1]) && v.kind(ids[i + 1]).type == TokenType::Velocity) {
              velocity = v.kind(ids[++i]).value;
            } else {
              ++report.tokens_dropped;
              break;
            }
          }
          if (!config_.uses_note_durations_for(current_program)) {
            st.add_note(current_program, drum, tick, st.default_duration(), k.value, velocity);
          } else {
            open[{current_program, drum, k.value}].push_back({tick, velocity});
          }
          break;
        }
        case TokenType::NoteOff:
        case TokenType::DrumOff: {
          const bool drum = k.type == TokenType::DrumOff || is_drum;
          auto it = open.find({current_program, drum, k.value});
          if (it == open.end() || it->second.empty()) {
            ++report.tokens_dropped;  // NoteOff without its NoteOn
            break;
          }
          const Open on = it->second.front();
          it->second.pop_front();
          st.add_note(current_program, drum, on.tick, std::max<int64_t>(1, tick - on.tick), k.value, on.velocity);
          break;
        }
        case TokenType::Special:
        case TokenType::Chord:
          break;
        default:
          ++report.tokens_dropped;
      }
    }
    for (const auto& [key, q] : open) report.tokens_dropped += q.size();  // never closed
  }
};

}  // namespace

std::unique_ptr<Tokenizer> make_midilike(TokenizerConfig config) { return std::make_unique<MidiLike>(std::move(config)); }

}  // namespace harmonia::tokenizer
