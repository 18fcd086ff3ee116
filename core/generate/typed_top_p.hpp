// Nucleus sampling on the choice of pitch only (the music recipe's top-p, issue 15).
//
// Plain top-p ranks every token of a step together and cuts the least likely. In a music
// stream that distorts the piece: Duration values have a long tail of rarely used long values,
// and cutting it removes the held notes (POP909 starter, 16 pieces: notes of >= 2 beats 5.0 %
// of notes with top-p off, 1.4 % with top-p 0.95; the corpus 6.5 %); the model then fills the
// time with more, shorter notes (4.05 notes per onset against 2.63 with top-p off and POP909's
// 2.18; 11.0 notes/s against the corpus' 5.3-8.9). What the nucleus is for is the unlikely
// wrong note: an out-of-key pitch. So the recipe narrows the pitch choice only, within the
// pitch tokens, and leaves timing, durations, velocities, programs and structure to the
// model's own distribution (docs/generation.md has the measurements).
//
// TopPWithinGroups is the general form: the nucleus is taken within each group of ids, and the
// kept ids of a group are rescaled so that the group keeps its whole probability — which kind
// of token comes next (another note, or moving on) stays the model's; ids in group < 0 are
// left alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/generate/logits_processors.hpp"

namespace harmonia::generate {

class TopPWithinGroups final : public LogitsProcessor {
 public:
  // groups[id]: the group of id; < 0 (and ids past groups' end): left as they are. Within a
  // group, transformers' TopP rule: drop the least likely ids whose cumulative probability
  // within the group (ascending) is <= 1 - top_p, always keeping its most likely.
  TopPWithinGroups(float top_p, const std::vector<int>& groups);
  // scores: [B, V] float on the CPU (any strides).
  void apply(const torch::Tensor& history, torch::Tensor& scores) const override;
  std::string name() const override;

 private:
  float top_p_;
  std::vector<std::vector<int64_t>> members_;  // ids per group (groups >= 0 only)
};

// Groups for the nucleus on pitches: each id's token type (tokenizer::TokenType as int) kept
// where it starts a note with a pitch (Pitch, PitchDrum, NoteOn, DrumOn), -1 elsewhere.
std::vector<int> pitch_groups(const std::vector<int>& token_types);

}  // namespace harmonia::generate
