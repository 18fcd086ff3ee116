// Turning a MIDI into a prompt: pick its first N bars, first N notes or a time range, then
// tokenize it as one stream (tracks merged when the tokenizer keeps one stream per track,
// since a single-stream model continues one sequence).
#pragma once

#include <cstdint>
#include <vector>

#include "core/midi/score.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::generate {

struct PromptSelection {
  int64_t bars = 0;           // first N bars (by the first time signature); 0 = all
  int64_t events = 0;         // first N notes in time order; 0 = all
  double from_seconds = -1;   // time range [from, to) in seconds, shifted to start at 0; < 0 = off
  double to_seconds = -1;
};

// A copy of `score` holding only the selected notes (tempo/time-signature maps kept).
midi::Score select_prompt(const midi::Score& score, const PromptSelection& selection);

// The score as a single-stream model reads it: when the tokenizer keeps one stream per track,
// the pitched tracks folded into the first (drums left out); otherwise the score itself.
midi::Score one_stream_score(const tokenizer::Tokenizer& tok, const midi::Score& score);

// Ids of vocab(0) for the score (its one_stream_score); an empty score gives an empty prompt.
std::vector<int32_t> prompt_tokens(const tokenizer::Tokenizer& tok, const midi::Score& score);

// What the tokens cannot carry, taken from the prompt into the generated score: its tempo map
// when the tokenizer has no Tempo tokens, its time signatures without TimeSig tokens, and its
// main instrument (the pitched program with most notes) without Program tokens. The
// continuation starts at the prompt's tick 0, so the maps apply as they are.
void carry_prompt_context(const midi::Score& prompt, const tokenizer::Tokenizer& tok, midi::Score& generated);

}  // namespace harmonia::generate
