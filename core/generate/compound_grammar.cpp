#include "core/generate/compound_grammar.hpp"

#include <algorithm>
#include <stdexcept>

namespace harmonia::generate {

using tokenizer::TokenType;

CompoundGrammar::CompoundGrammar(const tokenizer::Tokenizer& tok, int max_empty_bars)
    : tok_(tok), max_empty_bars_(max_empty_bars) {
  if (tok.name() != "CPWord" && tok.name() != "Octuple")
    throw std::invalid_argument("compound grammar: CPWord or Octuple tokenizer expected, got " + tok.name());
  cpword_ = tok.name() == "CPWord";
  std::fill(std::begin(field_of_), std::end(field_of_), -1);
  for (size_t f = 0; f < tok.num_fields(); ++f) {
    const auto& v = tok.vocab(f);
    TokenType role = TokenType::Special;
    for (size_t id = 0; id < v.size() && role == TokenType::Special; ++id) {
      const auto t = v.kind(int(id)).type;
      if (t != TokenType::Special && t != TokenType::Ignore) role = t == TokenType::PitchDrum ? TokenType::Pitch : t;
    }
    roles_.push_back(role);
    if (field_of_[size_t(role)] < 0) field_of_[size_t(role)] = int(f);
    eos_.push_back(v.id("EOS_None"));
  }
  // Octuple: the bar and the time signature decide which positions fit, so they come first.
  order_.push_back(0);
  if (!cpword_) {
    for (TokenType t : {TokenType::Bar, TokenType::TimeSig, TokenType::Position})
      if (field_of_[size_t(t)] > 0) order_.push_back(size_t(field_of_[size_t(t)]));
  }
  for (size_t f = 1; f < roles_.size(); ++f)
    if (std::find(order_.begin(), order_.end(), f) == order_.end()) order_.push_back(f);
}

CompoundGrammar::Kind CompoundGrammar::kind(size_t field, int32_t id) const {
  const auto& v = tok_.vocab(field);
  return v.valid(id) ? v.kind(id) : Kind{TokenType::Count, 0};
}

int CompoundGrammar::current_ts_index() const { return tok_.tables().time_signature_index(ts_num_, ts_den_); }

// The decoders' rule: a position p is inside the bar when p * ticks_per_position < bar ticks.
int CompoundGrammar::positions_per_bar(int ts_index) const {
  const auto& sigs = tok_.tables().time_signatures;
  int num = ts_num_, den = ts_den_;
  if (ts_index >= 0 && size_t(ts_index) < sigs.size()) num = sigs[size_t(ts_index)].first, den = sigs[size_t(ts_index)].second;
  const int tpb = tokenizer::ticks_per_beat_for(den, tok_.tables().time_division);
  const int per_pos = std::max(1, tpb / tok_.tables().max_pos_per_beat);
  return int((int64_t(tpb) * num + per_pos - 1) / per_pos);
}

bool CompoundGrammar::position_possible() const { return seen_bar_ && last_position_ + 1 < positions_per_bar(-1); }

bool CompoundGrammar::empty_bar_limit_reached() const {
  return max_empty_bars_ >= 0 && seen_bar_ && !bar_has_note_ && empty_run_ >= max_empty_bars_;
}

// A step whose time-signature field holds a TimeSig token sets the bar length from then on.
void CompoundGrammar::take_time_signature(const int32_t* step) {
  const int ts = field_of_[size_t(TokenType::TimeSig)];
  if (ts <= 0) return;
  const Kind sig = kind(size_t(ts), step[ts]);
  if (sig.type != TokenType::TimeSig) return;
  ts_num_ = tok_.tables().time_signatures[size_t(sig.value)].first;
  ts_den_ = tok_.tables().time_signatures[size_t(sig.value)].second;
}

void CompoundGrammar::accept(const int32_t* step) {
  ++steps_;
  if (cpword_) {
    const Kind family = kind(0, step[0]);
    if (family.type != TokenType::Family) return;  // special or invalid: the decoder skips or drops it
    if (family.value == 1) {
      prev_ = Prev::Note;
      bar_has_note_ = true;
      return;
    }
    const Kind bp = kind(1, step[1]);
    if (bp.type == TokenType::Bar) {
      if (seen_bar_) empty_run_ = bar_has_note_ ? 0 : empty_run_ + 1;
      bar_has_note_ = false;
      prev_ = Prev::Bar;
      seen_bar_ = true;
      last_position_ = -1;
      take_time_signature(step);
    } else if (bp.type == TokenType::Position) {
      prev_ = Prev::Position;
      last_position_ = bp.value;
    }
    return;
  }
  const Kind pitch = kind(0, step[0]);
  if (pitch.type != TokenType::Pitch && pitch.type != TokenType::PitchDrum) return;
  const Kind bar = kind(size_t(field_of_[size_t(TokenType::Bar)]), step[field_of_[size_t(TokenType::Bar)]]);
  const Kind pos = kind(size_t(field_of_[size_t(TokenType::Position)]), step[field_of_[size_t(TokenType::Position)]]);
  if (bar.type != TokenType::Bar || pos.type != TokenType::Position) return;
  take_time_signature(step);
  if (bar.value != last_bar_) last_position_ = pos.value;
  else last_position_ = std::max(last_position_, pos.value);
  last_bar_ = std::max<int64_t>(last_bar_, bar.value);
  seen_bar_ = true;
  prev_ = Prev::Note;
}

void CompoundGrammar::allowed(size_t field, const std::vector<int32_t>& step, std::vector<uint8_t>& out) const {
  const auto& v = tok_.vocab(field);
  out.assign(v.size(), 0);
  if (cpword_) cpword_allowed(field, step, out);
  else octuple_allowed(field, step, out);
  if (std::find(out.begin(), out.end(), uint8_t(1)) != out.end()) return;
  // Unreachable with the rules above; a safe fallback keeps sampling defined.
  const int ignore = v.id(TokenType::Ignore, -1);
  if (ignore >= 0) out[size_t(ignore)] = 1;
  else if (field == 0 && eos_[0] >= 0) out[size_t(eos_[0])] = 1;
  else
    for (size_t id = 0; id < v.size(); ++id) out[id] = v.kind(int(id)).type != TokenType::Special;
}

void CompoundGrammar::cpword_allowed(size_t field, const std::vector<int32_t>& step, std::vector<uint8_t>& out) const {
  const auto& v = tok_.vocab(field);
  const bool tempos = field_of_[size_t(TokenType::Tempo)] > 0;
  // MidiTok's CPWord graph: Bar -> Bar|Position, Position -> Note (and Bar|Position with
  // tempos), Note -> Note|Bar|Position; a piece opens with a Bar.
  const bool position_ok = position_possible() && (prev_ != Prev::Position || tempos);
  const bool note_ok = prev_ == Prev::Position || prev_ == Prev::Note;
  // The empty-bar limit holds only while the bar can still get a note (a Position or a note
  // may come): a limit never leaves EOS as the only way on.
  const bool bar_ok = (prev_ != Prev::Position || tempos) && !(empty_bar_limit_reached() && (position_ok || note_ok));
  auto allow_type = [&](TokenType a, TokenType b = TokenType::Count) {
    for (size_t id = 0; id < v.size(); ++id) {
      const auto t = v.kind(int(id)).type;
      if (t == a || t == b) out[id] = 1;
    }
  };
  const int ignore = v.id(TokenType::Ignore, -1);
  if (field == 0) {
    if (bar_ok || position_ok) out[size_t(v.id(TokenType::Family, 0))] = 1;
    if (note_ok) out[size_t(v.id(TokenType::Family, 1))] = 1;
    if (eos_[0] >= 0) out[size_t(eos_[0])] = 1;
    return;
  }
  const Kind family = kind(0, step[0]);
  const bool note = family.type == TokenType::Family && family.value == 1;
  const bool metric = family.type == TokenType::Family && family.value == 0;
  const TokenType bp = metric && step.size() > 1 ? kind(1, step[1]).type : TokenType::Count;
  switch (roles_[field]) {
    case TokenType::Bar:  // field 1: Bar or Position
      if (!metric) break;
      if (bar_ok) out[size_t(v.id(TokenType::Bar, -1))] = 1;
      if (position_ok) {
        const int positions = positions_per_bar(-1);
        for (int p = last_position_ + 1; p < positions; ++p)
          if (v.id(TokenType::Position, p) >= 0) out[size_t(v.id(TokenType::Position, p))] = 1;
      }
      return;
    case TokenType::Pitch:
      if (note) return allow_type(TokenType::Pitch, TokenType::PitchDrum);
      break;
    case TokenType::Velocity:
    case TokenType::Duration:
    case TokenType::Program:
      if (note) return allow_type(roles_[field]);
      break;
    case TokenType::Chord:
      if (bp == TokenType::Position) {
        allow_type(TokenType::Chord);
        break;  // a position may carry a chord or not
      }
      break;
    case TokenType::Tempo:
      if (bp == TokenType::Position) return allow_type(TokenType::Tempo);
      break;
    case TokenType::TimeSig:
      if (bp == TokenType::Bar) return allow_type(TokenType::TimeSig);
      break;
    default:
      break;
  }
  if (ignore >= 0) out[size_t(ignore)] = 1;
}

void CompoundGrammar::octuple_allowed(size_t field, const std::vector<int32_t>& step, std::vector<uint8_t>& out) const {
  const auto& v = tok_.vocab(field);
  const TokenType role = roles_[field];
  const int bar_field = field_of_[size_t(TokenType::Bar)], ts_field = field_of_[size_t(TokenType::TimeSig)];
  const Kind bar = kind(size_t(bar_field), step[size_t(bar_field)]);
  const bool same_bar = bar.type == TokenType::Bar && bar.value == last_bar_;
  for (size_t id = 0; id < v.size(); ++id) {
    const Kind k = v.kind(int(id));
    if (k.type == TokenType::Special) {
      out[id] = field == 0 && int32_t(id) == eos_[0];
      continue;
    }
    if ((k.type == TokenType::PitchDrum ? TokenType::Pitch : k.type) != role) continue;
    if (role == TokenType::Bar) {
      // Bars never go back; bars skipped are empty bars (the decoder places bar numbers
      // absolutely), so at most max_empty_bars of them. The current bar always stays allowed
      // (and bars 0..max_empty_bars at the start), so this never empties the field.
      out[id] = k.value >= last_bar_ && (max_empty_bars_ < 0 || k.value <= last_bar_ + 1 + max_empty_bars_);
    } else if (role == TokenType::TimeSig) {
      // A new time signature starts a new bar: within the current bar it stays.
      out[id] = !same_bar || last_bar_ < 0 || k.value == current_ts_index();
    } else if (role == TokenType::Position) {
      const int ts = ts_field > 0 && kind(size_t(ts_field), step[size_t(ts_field)]).type == TokenType::TimeSig
                         ? kind(size_t(ts_field), step[size_t(ts_field)]).value
                         : -1;
      out[id] = k.value < positions_per_bar(ts) && (!same_bar || k.value >= last_position_);
    } else {
      out[id] = 1;
    }
  }
}

}  // namespace harmonia::generate
