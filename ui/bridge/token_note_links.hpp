// Which notes each token of a preview belongs to, for the Tokenizer page's chip <-> note
// highlighting. Found by asking the tokenizer itself, not by re-implementing each scheme's
// grammar: the sequence is decoded one prefix longer at a time, and the notes that appear at
// a step are the notes that step completes (REMI's Duration, MIDILike's NoteOff, a CPWord or
// Octuple note token); the note's earlier tokens (its Pitch / NoteOn, the Velocity after it,
// a Program before it) are linked back by their pitch. Decoded notes are matched to the
// score's own notes by pitch and nearest onset (the tokenizer quantizes time). Qt-free.
#pragma once

#include <cstddef>
#include <vector>

#include "core/midi/score.hpp"

namespace harmonia::tokenizer {
class Tokenizer;
struct TokSequence;
}  // namespace harmonia::tokenizer

namespace harmonia::ui {

struct NoteRef {
  int track = 0;  // index into score.tracks
  int index = 0;  // index into that track's notes
  bool operator==(const NoteRef& o) const { return track == o.track && index == o.index; }
};

// For each base step of `base` (over base ids; a compound step is one step), the notes of
// `score` it belongs to, for the first `max_steps` steps (pass a few dozen more than are
// shown: a note's last token may come after the shown ones). `program` and `is_drum` are the
// sequence's (Encoding::programs) and only matter for multi-stream encodings.
// O(max_steps^2) token decodes: keep max_steps to what is shown (a few hundred).
std::vector<std::vector<NoteRef>> link_steps_to_notes(const tokenizer::Tokenizer& tok, const tokenizer::TokSequence& base,
                                                      int program, bool is_drum, const midi::Score& score,
                                                      size_t max_steps);

}  // namespace harmonia::ui
