#include "core/generate/grammar_constraint.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace harmonia::generate {

using tokenizer::TokenGrammar;
using tokenizer::TokenType;

GrammarConstraint::GrammarConstraint(const tokenizer::Tokenizer& tok, GrammarOptions options)
    : tok_(&tok), vocab_(&tok.vocab(0)), options_(options) {
  if (tok.is_compound()) throw std::invalid_argument("grammar constraint: compound tokenizers are not supported");
  auto tables = std::make_shared<Tables>();
  auto& remi_ = tables->remi;
  auto& successors_ = tables->successors;
  auto& velocity_needs_duration_ = tables->velocity_needs_duration;
  auto& special_ = tables->special;
  auto& type_index_ = tables->type_index;
  auto& eos_id_ = tables->eos_id;
  const auto& vocab = *vocab_;
  remi_ = tok.name() == "REMI";
  const auto& graph = tok.grammar().graph();
  std::map<std::string, uint8_t> index;
  for (const auto& [from, to] : graph) index.emplace(from, uint8_t(index.size()));
  const size_t n_types = index.size() + 1;  // last index: types the graph does not know
  successors_.assign(n_types, std::vector<uint8_t>(n_types, 0));
  for (const auto& [from, to] : graph)
    for (const auto& t : to)
      if (index.count(t)) successors_[index[from]][index[t]] = 1;
  velocity_needs_duration_ = tok.grammar().allowed("Velocity", "Duration");
  special_.resize(vocab.size());
  type_index_.resize(vocab.size());
  for (size_t id = 0; id < vocab.size(); ++id) {
    const auto type = TokenGrammar::type_of(vocab.text(int(id)));
    const auto it = index.find(type);
    type_index_[id] = it == index.end() ? uint8_t(n_types - 1) : it->second;
    special_[id] = vocab.kind(int(id)).type == TokenType::Special;
    if (vocab.text(int(id)) == "EOS_None") eos_id_ = int(id);
  }
  t_ = std::move(tables);
}

bool GrammarConstraint::pending_note() const {
  if (previous_ < 0) return false;
  switch (vocab_->kind(previous_).type) {
    case TokenType::Pitch:
    case TokenType::PitchDrum:
    case TokenType::NoteOn:
    case TokenType::DrumOn:
      return true;
    case TokenType::Program:
      return t_->remi;  // REMI with programs: Program always leads a note
    case TokenType::Velocity:
      return t_->velocity_needs_duration;
    default:
      return false;
  }
}

// The musical limits' common rule: refuse the ids `refused` picks, but only while some other
// non-special id stays allowed, so a limit never leaves EOS as the only way on.
template <class Refused>
static void refuse_while_others_remain(std::vector<uint8_t>& allowed, const std::vector<uint8_t>& special, Refused refused) {
  std::vector<uint8_t> kept = allowed;
  bool other = false;
  for (size_t id = 0; id < kept.size(); ++id) {
    if (!kept[id]) continue;
    if (refused(id)) kept[id] = 0;
    else other = other || !special[id];
  }
  if (other) allowed = std::move(kept);
}

int64_t GrammarConstraint::ticks_per_bar() const {
  return int64_t(tokenizer::ticks_per_beat_for(ts_den_, tok_->tables().time_division)) * ts_num_;
}

int64_t GrammarConstraint::ticks_per_position() const {
  const int tpb = tokenizer::ticks_per_beat_for(ts_den_, tok_->tables().time_division);
  return std::max(1, tpb / tok_->tables().max_pos_per_beat);
}

void GrammarConstraint::refuse_long_silences(std::vector<uint8_t>& allowed) const {
  // MusPy's beat b is touched by a note when start/q <= b <= end/q (q: ticks per quarter), so
  // an onset at beat `onset_beat` leaves onset_beat - last_touched - 1 empty beats before it.
  const int64_t q = std::max(1, tok_->tables().time_division);
  const int64_t latest_beat = sounding_until_ / q + 1 + options_.max_empty_beats;
  const int64_t per_position = ticks_per_position();
  refuse_while_others_remain(allowed, t_->special, [&](size_t id) {
    const auto k = vocab_->kind(int(id));
    int64_t onset = -1;
    if (k.type == TokenType::Position) onset = bar_tick_ + int64_t(k.value) * per_position;
    else if (k.type == TokenType::Bar) onset = seen_bar_ ? bar_tick_ + ticks_per_bar() : 0;
    return onset >= 0 && onset / q > latest_beat;
  });
}

int GrammarConstraint::positions_per_bar() const {
  const int tpq = tok_->tables().time_division;
  const int tpb = tokenizer::ticks_per_beat_for(ts_den_, tpq);
  const int per_pos = std::max(1, tpb / tok_->tables().max_pos_per_beat);
  return int((int64_t(tpb) * ts_num_ + per_pos - 1) / per_pos);
}

void GrammarConstraint::accept(int32_t id) {
  ++length_;
  if (!vocab_->valid(id)) return;
  const auto kind = vocab_->kind(id);
  if (kind.type != TokenType::Special) {
    previous_ = id;
    switch (kind.type) {
      case TokenType::Bar:
        // The bar that ends is measured with the time signature it had (TimeSig follows Bar).
        if (seen_bar_) bar_tick_ += ticks_per_bar();
        position_tick_ = bar_tick_;
        onset_notes_ = 0;
        if (seen_bar_) empty_run_ = bar_has_note_ ? 0 : empty_run_ + 1;
        bar_has_note_ = false;
        seen_bar_ = true;
        last_position_ = -1;
        break;
      case TokenType::Pitch:
      case TokenType::PitchDrum:
      case TokenType::NoteOn:
      case TokenType::DrumOn:
        bar_has_note_ = true;
        ++onset_notes_;
        break;
      case TokenType::Program:
        if (kind.value < 0) break;  // drums are not an instrument choice the limit counts
        if (program_used_.empty()) program_used_.assign(vocab_->size(), 0);
        if (!program_used_[size_t(id)]) program_used_[size_t(id)] = 1, ++programs_used_;
        break;
      case TokenType::Position:
        last_position_ = kind.value;
        position_tick_ = bar_tick_ + int64_t(kind.value) * ticks_per_position();
        onset_notes_ = 0;
        break;
      case TokenType::Duration: {
        const auto& ticks = tok_->tables().ticks_of(tokenizer::ticks_per_beat_for(ts_den_, tok_->tables().time_division));
        if (kind.value >= 0 && size_t(kind.value) < ticks.size())
          sounding_until_ = std::max(sounding_until_, position_tick_ + ticks[size_t(kind.value)]);
        break;
      }
      case TokenType::TimeSig: {
        if (first_time_signature_ < 0) first_time_signature_ = id;
        const auto& all = tok_->tables().time_signatures;
        if (kind.value >= 0 && size_t(kind.value) < all.size()) {
          ts_num_ = all[size_t(kind.value)].first;
          ts_den_ = all[size_t(kind.value)].second;
        }
        break;
      }
      default:
        break;
    }
  }
  if (!pending_note()) complete_length_ = length_;
}

void GrammarConstraint::allowed(std::vector<uint8_t>& allowed) const {
  allowed.assign(vocab_->size(), 0);
  const bool pending = pending_note();
  const int positions = t_->remi ? positions_per_bar() : 0;
  bool any = false;
  for (size_t id = 0; id < vocab_->size(); ++id) {
    if (t_->special[id]) {
      // Only EOS is generated, and only between notes; PAD/BOS/MASK never.
      allowed[id] = int(id) == t_->eos_id && !pending;
      continue;
    }
    if (previous_ >= 0) {
      if (!t_->successors[t_->type_index[size_t(previous_)]][t_->type_index[id]]) continue;
    } else if (t_->remi && vocab_->kind(int(id)).type != TokenType::Bar) {
      continue;  // a REMI piece opens with a Bar
    }
    if (t_->remi && vocab_->kind(int(id)).type == TokenType::Position) {
      const int p = vocab_->kind(int(id)).value;
      if (!seen_bar_ || p <= last_position_ || p >= positions) continue;
    }
    allowed[id] = 1;
    any = true;
  }
  if (options_.max_programs > 0 && programs_used_ >= options_.max_programs)
    for (size_t id = 0; id < vocab_->size(); ++id)
      if (allowed[id] && vocab_->kind(int(id)).type == TokenType::Program && vocab_->kind(int(id)).value >= 0 &&
          !program_used_[id])
        allowed[id] = 0;
  if (t_->remi && options_.max_onset_notes > 0 && onset_notes_ >= options_.max_onset_notes && !pending) {
    // Another note here would need Program/Pitch; between notes only Position or Bar remain.
    refuse_while_others_remain(allowed, t_->special, [&](size_t id) {
      const auto t = vocab_->kind(int(id)).type;
      return t == TokenType::Program || t == TokenType::Pitch || t == TokenType::PitchDrum;
    });
  }
  if (options_.keep_time_signature && first_time_signature_ >= 0 && allowed[size_t(first_time_signature_)])
    for (size_t id = 0; id < vocab_->size(); ++id)
      if (int(id) != first_time_signature_ && vocab_->kind(int(id)).type == TokenType::TimeSig) allowed[id] = 0;
  if (t_->remi && options_.max_empty_beats >= 0) refuse_long_silences(allowed);
  if (options_.max_empty_bars >= 0 && seen_bar_ && !bar_has_note_ && empty_run_ >= options_.max_empty_bars) {
    // Refuse closing another empty bar.
    refuse_while_others_remain(allowed, t_->special,
                               [&](size_t id) { return vocab_->kind(int(id)).type == TokenType::Bar; });
  }
  if (!any && t_->eos_id >= 0 && !pending) allowed[size_t(t_->eos_id)] = 1;
}

}  // namespace harmonia::generate
