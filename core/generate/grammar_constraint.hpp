// Grammar-constrained decoding: a per-sequence state machine over the tokenizer's token-type
// grammar that says which ids may come next so that the finished sequence decodes with zero
// dropped tokens. On top of the type graph it enforces what the decoders check by value:
// a note's tokens stay together (no special token inside a note), REMI positions only move
// forward inside a bar and stay within it, a Position needs a Bar first, and generation ends
// only between notes (complete_length() trims an unfinished trailing note).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::generate {

// Musical limits layered on the grammar (they never make a sequence undecodable).
struct GrammarOptions {
  // Bar schemes: a new Bar is refused while the current bar has no note and the bars just
  // before it already hold this many empty bars in a row (so at most this many empty bars
  // follow each other). -1: no limit. A trained model that drifts into rests otherwise fills
  // minutes with silence (issue 15).
  int max_empty_bars = -1;
  // Tokenizers with Program tokens: once this many distinct pitched programs have been used
  // (prompt included), only those may come again; drums stay free. 0: no limit.
  int max_programs = 0;
  // REMI: at most this many whole quarter-note beats in a row with no note sounding (MusPy's
  // empty beats), counting note durations: a Position or Bar that would leave more silence
  // before the next onset is refused while anything else may come. -1: no limit. The corpora
  // we train on have almost none (P90 of 1.5 %); a small model otherwise leaves ~30 %.
  int max_empty_beats = -1;
  // REMI: at most this many notes starting at one position; then time must move on. Refusing
  // silence alone lets an undertrained model stack thousands of notes on one onset. 0: no limit.
  int max_onset_notes = 0;
  // REMI: the piece keeps the first time signature it states; a model that picks another
  // TimeSig after a Bar (MidiTok writes one after every Bar) otherwise drifts into 1/4 bars.
  bool keep_time_signature = false;
};

class GrammarConstraint {
 public:
  // Single-stream tokenizers only (REMI, TSD, MIDILike); throws std::invalid_argument otherwise.
  explicit GrammarConstraint(const tokenizer::Tokenizer& tok, GrammarOptions options = {});

  // Feeds one id (prompt tokens too). Ids the grammar would not allow are accepted anyway
  // (a prompt may be anything); the state follows them as the decoder would.
  void accept(int32_t id);
  // allowed[id] = 1 when id may come next. Never all zero: EOS or Bar is always possible.
  void allowed(std::vector<uint8_t>& allowed) const;
  // Tokens fed so far, and how many of them end at a note boundary (safe to stop after).
  size_t length() const { return length_; }
  size_t complete_length() const { return complete_length_; }
  // Empty bars in a row before the current one, and whether the current bar has a note yet.
  int empty_bars_in_a_row() const { return empty_run_; }
  bool bar_has_note() const { return bar_has_note_; }

 private:
  bool pending_note() const;
  int positions_per_bar() const;

  // What never changes once built, shared by copies: a copy is the cheap state below (trained
  // tokenizers copy the state to try each learned token's base tokens, subword_grammar.hpp).
  struct Tables {
    std::vector<uint8_t> special;                  // id is a special token
    std::vector<uint8_t> type_index;               // id -> type index
    std::vector<std::vector<uint8_t>> successors;  // type index -> type index -> allowed
    int eos_id = -1;
    bool remi = false;
    bool velocity_needs_duration = false;
  };
  const tokenizer::Tokenizer* tok_;
  const tokenizer::Vocabulary* vocab_;
  std::shared_ptr<const Tables> t_;
  GrammarOptions options_;

  int previous_ = -1;          // last non-special id, -1 at start
  bool seen_bar_ = false;
  int last_position_ = -1;     // REMI: position in the current bar, -1 right after a Bar
  int ts_num_ = 4, ts_den_ = 4;
  size_t length_ = 0, complete_length_ = 0;
  bool bar_has_note_ = false;
  int empty_run_ = 0;
  std::vector<uint8_t> program_used_;  // by Program token id
  int programs_used_ = 0;
  // REMI timing, in ticks of the decoded score (tables().time_division per quarter).
  int64_t bar_tick_ = 0, position_tick_ = 0, sounding_until_ = 0;
  int onset_notes_ = 0;  // notes started at the current position
  int first_time_signature_ = -1;  // id of the first TimeSig token fed
  int64_t ticks_per_bar() const;
  int64_t ticks_per_position() const;
  void refuse_long_silences(std::vector<uint8_t>& allowed) const;
};

}  // namespace harmonia::generate
