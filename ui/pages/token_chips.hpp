// Token chips for a token sequence, as the Tokenizer page and the attention view show them:
// one chip per position the model reads (a plain token, a compound token made of its fields,
// or a learned token made of its base tokens), each with its meaning as tooltip and the notes
// of the score it belongs to (found by the tokenizer itself, ui/bridge/token_note_links.hpp).
// Builds data only (no widget is touched), so it runs on worker threads.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "core/midi/score.hpp"
#include "ui/widgets/token_chip_view.hpp"

namespace harmonia::tokenizer {
class Tokenizer;
struct TokSequence;
struct Encoding;
}  // namespace harmonia::tokenizer

namespace harmonia::ui {

// Appends one chip per step of `seq` (its learned ids when the tokenizer is trained) until
// `chips` holds `maxChips`. `program` is the sequence's (program, is_drum).
void appendTokenChips(const tokenizer::Tokenizer& tok, const tokenizer::TokSequence& seq, std::pair<int, bool> program,
                      const midi::Score& score, size_t maxChips, std::vector<TokenChip>& chips);

// Every sequence of an encoding in turn, at most `maxChips` chips in all; `total` gets the
// encoding's steps.
std::vector<TokenChip> tokenChipsFor(const tokenizer::Tokenizer& tok, const tokenizer::Encoding& enc,
                                     const midi::Score& score, size_t maxChips, size_t* total);

}  // namespace harmonia::ui
