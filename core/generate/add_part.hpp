// "Add a part": a new track for one General MIDI program, generated under an existing piece
// and conditioned on it, with a one-stream program tokenizer (REMI with Programs).
//
// The piece's own tokens are forced, in order; where the grammar lets a note start (after
// the notes of a Position, before the next Position or Bar), the model chooses between the
// next forced token ("nothing more here"), a note of the new program (Program_P, then its
// Pitch, Velocity and Duration sampled), or an earlier Position of its own in the same gap
// (a new onset where the piece has none). No Bar is ever sampled, so the bar count is the
// piece's; the piece's notes are returned exactly as given (not the tokenized, quantized
// ones), and the new notes are decoded from the sampled tokens alone. docs/generation.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

#include "core/midi/score.hpp"
#include "core/model/causal_lm.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::generate {

class AddPartError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct AddPartSettings {
  int program = 33;            // General MIDI 0..127; -1 = drums
  float temperature = 1.0f;    // <= 0: greedy
  float top_p = 0.95f;         // nucleus over the pitch choice only (the music recipe's)
  uint64_t seed = 0;
  int max_notes_per_onset = 4;  // new notes starting at one position
  // Only inside bars [first_bar, first_bar + bars) (0-based, counted as the tokens' Bar
  // tokens; bars 0 = the whole piece): new notes go there only, and the walk stops after them.
  int64_t first_bar = 0, bars = 0;
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(double fraction)> on_progress;  // share of the piece's tokens walked
};

struct AddPartResult {
  midi::Score score;               // the piece as given, plus the new track (last)
  std::vector<midi::Note> added;   // the new track's notes, in the piece's ticks
  std::vector<int32_t> ids;        // what the model read: the piece's tokens with the inserted ones
  std::vector<uint8_t> inserted;   // parallel to ids: 1 where the token was sampled
  size_t forced_tokens = 0, sampled_tokens = 0;
  bool cancelled = false;          // then `score` is the piece unchanged
  double seconds = 0;
};

// Throws AddPartError saying why `tok` cannot add a part of `program`: not REMI, no Program
// tokens, programs in separate streams, a trained (BPE...) tokenizer, or a program it lacks.
void check_add_part_tokenizer(const tokenizer::Tokenizer& tok, int program);

// `piece` needs at least one note. Seeded: same piece, model and settings give the same part.
AddPartResult add_part(model::CausalLM& model, const tokenizer::Tokenizer& tok, const midi::Score& piece,
                       const AddPartSettings& settings);

// Where bar `bar` (0-based) of `score` starts, counted as a REMI tokenizer counts bars: from
// tick 0, each as long as the time signature in force at its start (4/4 when none).
midi::Tick bar_start_tick(const midi::Score& score, int64_t bar);

// One instrument's notes in bars [first_bar, first_bar + bars) written again (`harmonia infill
// --program P`, the studio's Regenerate selection for one instrument): the notes of
// `settings.program` starting in those bars are taken out, then add_part's walk runs with new
// notes allowed only inside the bars, every other note forced. The result's score is the piece
// as given with the new notes in the program's own track (the first track of that program and
// drum flag; a new one when the piece has none): every other note is untouched. Needs no FIM
// training (the model reads the piece from the start up to the bars' end), only a REMI
// tokenizer with Programs in one stream. Throws AddPartError for bars outside the piece.
AddPartResult regenerate_part(model::CausalLM& model, const tokenizer::Tokenizer& tok, const midi::Score& piece,
                              int64_t first_bar, int64_t bars, const AddPartSettings& settings);

}  // namespace harmonia::generate
