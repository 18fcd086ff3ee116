// Grammar-constrained decoding for compound tokenizers (CPWord, Octuple): each step holds one
// id per field, sampled field by field from the model's per-field heads. Given the fields
// already chosen in a step, allowed() says which ids the next field may take so that every
// step decodes with zero dropped tokens and the sequence stays musically ordered:
//  - CPWord: the Family field decides the rest. Metric -> a Bar or a Position (Position after
//    a Bar, only moving forward inside the bar and staying inside it), the note fields
//    Ignore; Note -> a pitch, velocity, duration (and program), the metric fields Ignore.
//    Successions follow MidiTok's CPWord graph (Bar -> Bar|Position, Position -> Note, ...).
//  - Octuple: every field holds a token of its own type; bars never go back, positions never
//    go back within a bar and stay inside it; a time signature changes only on a new bar.
// With max_empty_bars >= 0, at most that many bars without a note follow each other, as
// GrammarOptions::max_empty_bars for REMI: CPWord refuses a Bar that would close one more empty
// bar (while a Position or a note may still come); Octuple numbers bars, so a note's bar may be
// at most max_empty_bars + 1 past the previous note's (a piece's first note: at most
// max_empty_bars past bar 0, which is where the decoder puts the piece's start).
// Only EOS is ever generated among special tokens, and only in the leading field (CPWord's
// Family, Octuple's Pitch): each step is whole, so a sequence may end after any step.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::generate {

class CompoundGrammar {
 public:
  // CPWord or Octuple; throws std::invalid_argument for other tokenizers. max_empty_bars: -1 =
  // no limit.
  explicit CompoundGrammar(const tokenizer::Tokenizer& tok, int max_empty_bars = -1);

  size_t num_fields() const { return roles_.size(); }
  // The order in which a step's fields are chosen: fields a choice depends on come first
  // (CPWord: Family, Bar/Position, ...; Octuple: Pitch, Bar, TimeSig, Position, ...).
  const std::vector<size_t>& field_order() const { return order_; }
  // allowed[id] = 1 when `field` may take id, given `step` (the ids chosen so far for this
  // step in field_order(), -1 for the others). Never all zero.
  void allowed(size_t field, const std::vector<int32_t>& step, std::vector<uint8_t>& allowed) const;
  // Feeds one whole step (num_fields() ids; prompt steps too, valid or not).
  void accept(const int32_t* step);
  // True when the step's leading field holds EOS (the sequence ends, the step is not kept).
  bool is_end(const int32_t* step) const { return step[0] >= 0 && step[0] == eos_[0]; }
  size_t steps() const { return steps_; }

 private:
  enum class Prev { Start, Bar, Position, Note };
  using Kind = tokenizer::TokenKind;
  Kind kind(size_t field, int32_t id) const;
  int positions_per_bar(int ts_index) const;  // ts_index < 0: the current time signature
  int current_ts_index() const;
  void cpword_allowed(size_t field, const std::vector<int32_t>& step, std::vector<uint8_t>& out) const;
  void octuple_allowed(size_t field, const std::vector<int32_t>& step, std::vector<uint8_t>& out) const;
  void take_time_signature(const int32_t* step);
  bool position_possible() const;  // CPWord: a later position exists in the current bar
  bool empty_bar_limit_reached() const;  // CPWord: another Bar would close one empty bar too many

  const tokenizer::Tokenizer& tok_;
  int max_empty_bars_ = -1;
  bool cpword_ = false;
  std::vector<tokenizer::TokenType> roles_;  // per field: the type it carries (CPWord field 1: Bar)
  std::vector<size_t> order_;
  std::vector<int32_t> eos_;                 // EOS id per field (-1 if absent)
  int field_of_[size_t(tokenizer::TokenType::Count)];  // role -> field, -1 when absent

  Prev prev_ = Prev::Start;
  bool seen_bar_ = false;
  int64_t last_bar_ = -1;   // Octuple: bar number of the last note
  int last_position_ = -1;  // position of the last Position (CPWord) / note (Octuple) in the bar
  int ts_num_ = 4, ts_den_ = 4;
  bool bar_has_note_ = false;  // CPWord: a note since the last Bar
  int empty_run_ = 0;          // CPWord: empty bars in a row before the current one
  size_t steps_ = 0;
};

}  // namespace harmonia::generate
