// Regenerating bars inside a piece with a fill-in-the-middle model (trained with
// `harmonia train --fim-rate R`, core/train/fim.hpp): the bars before and after the gap become
// the prompt FIM_PRE prefix FIM_SUF suffix FIM_MID, and the model writes the middle.
//
// The sampling loop is the Generator's recipe (processor chain, grammar, one seeded sampler
// per candidate, KV cache) with the infilling rules on top, which guarantee for every
// candidate:
//   - the middle opens with a Bar and holds exactly the asked number of bars: EOS is refused
//     before the last bar has started, Bar once it has; near the token budget the missing
//     Bars (then EOS) are forced, so a model that never ends still gives the right count;
//   - each new bar keeps the original bar's time signature (its TimeSig token is forced) and
//     no Tempo token is written, so the suffix starts at the same tick as before;
//   - it decodes: the grammar keeps notes whole and ends only between notes;
//   - prefix and suffix are the piece's own tokens, spliced back unchanged.
// Bars are the tokenizer's Bar tokens: bar 1 is the sequence's first Bar (REMI writes empty
// leading bars too). Prompt and middle fit the model's context together: the middle may take
// 1.25x the original bars' tokens (at most 3/4 of the context), and the prefix and suffix
// share the rest, cut at bar starts (the bars nearest the gap kept).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/generate/logits_processors.hpp"
#include "core/midi/score.hpp"
#include "core/model/causal_lm.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::generate {

// Bad requests (bars outside the piece, a model without FIM tokens, ...), with the message
// the user reads.
class InfillError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct InfillSettings {
  // The music recipe's sampling: temperature 1, top-p 0.95 on the pitch choice only.
  SamplingSettings sampling{1.0f, 0, 0.95f, 0.0f, 1.0f, 0, TopPScope::Pitch};
  int num_candidates = 1;
  uint64_t seed = 0;
  int64_t max_tokens_per_bar = 256;  // the middle's token budget, per bar (also capped by the context)
  // Grammar limits (grammar_constraint.hpp), the music recipe's: at most one empty bar in a
  // row, no whole beat of silence, at most 12 notes on one onset.
  int max_empty_bars = 1;
  int max_empty_beats = 0;
  int max_onset_notes = 12;
  const std::atomic<bool>* cancel = nullptr;  // checked before every token
  // After every token: the share of the asked bars the candidates have finished, on average
  // (the studio's progress bar; a bar is finished when the next Bar or the end is written).
  std::function<void(double fraction)> on_progress;
};

struct InfillResult {
  std::vector<std::vector<int32_t>> pieces;   // per candidate: the piece's ids with the bars replaced
  std::vector<std::vector<int32_t>> middles;  // per candidate: the new bars' ids
  std::vector<std::string> stop_reasons;      // "eos" (the model ended), "forced_end" (budget), "cancelled"
  size_t middle_begin = 0, middle_end = 0;    // the replaced ids [begin, end) of the input
  size_t prompt_tokens = 0;                   // what the model read before the middle
  int64_t piece_bars = 0;
  bool cancelled = false;
  double seconds = 0;
};

// Positions of the Bar tokens in `ids` (bar k of the piece starts at element k-1).
std::vector<size_t> bar_positions(const tokenizer::Tokenizer& tok, const std::vector<int32_t>& ids);

// Throws InfillError when `tok` cannot fill: no FIM tokens (the message says to train with
// --fim-rate) or an unsupported scheme. Needs only the tokenizer (the studio asks it up front).
void check_infill_tokenizer(const tokenizer::Tokenizer& tok);

// Throws InfillError when `tok`/`model` cannot fill: no FIM tokens (the message says to train
// with --fim-rate), an unsupported scheme, or a model smaller than the vocabulary.
void check_infill_model(const model::CausalLM& model, const tokenizer::Tokenizer& tok);

// Fills bars [first_bar, first_bar + bars) (0-based) of `ids` (the piece's ids in `tok`'s
// vocabulary, without BOS/EOS). Seeded: the same inputs give the same candidates. A cancelled
// fill returns the input unchanged for every candidate.
InfillResult infill_tokens(model::CausalLM& model, const tokenizer::Tokenizer& tok, const std::vector<int32_t>& ids,
                           int64_t first_bar, int64_t bars, const InfillSettings& settings);

// A filled note (onset in [from, to)) that still sounds when the same pitch starts again on its
// track ends there. Left ringing, a MIDI file pairs the later note's note-on with the filled
// note's note-off, so notes of the suffix came back longer once written (seen with a hi-hat
// held 3.5 beats over the gap's end). infill_score applies it to every candidate.
void end_filled_notes_before_repeats(midi::Score& score, midi::Tick from, midi::Tick to);

// The same on a Score (tokenized as one stream, as a prompt is): one Score per candidate,
// decoded from the spliced tokens (so the kept bars are the piece on the tokenizer's grid).
struct ScoreInfill {
  std::vector<midi::Score> candidates;
  InfillResult tokens;
  std::vector<int32_t> piece_ids;  // the piece as tokenized (tokens.middle_begin/end index it)
};
ScoreInfill infill_score(model::CausalLM& model, const tokenizer::Tokenizer& tok, const midi::Score& piece,
                         int64_t first_bar, int64_t bars, const InfillSettings& settings);

}  // namespace harmonia::generate
