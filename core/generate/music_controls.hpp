// Music-theory controls turned into per-token biases over a tokenizer's vocabulary: keep
// pitches in a key/scale and a range, nudge note density, restrict programs. They act on
// the note-starting tokens (Pitch, NoteOn; drum tokens are forbidden under a key or range)
// so they combine with the grammar constraint, which keeps every sequence decodable.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::generate {

struct Scale {
  int root = 0;                  // pitch class 0 = C
  std::vector<int> intervals;    // semitones above the root, e.g. major {0,2,4,5,7,9,11}
  bool contains(int pitch) const;
  std::string name;              // "C:major"
};

// "C:major", "F#:minor", "D:dorian", "A:pentatonic", "Bb:blues", ...; throws std::invalid_argument.
Scale parse_scale(const std::string& text);
const std::vector<std::string>& scale_mode_names();

struct MusicControls {
  std::optional<Scale> key;                   // pitches outside are forbidden
  std::optional<std::pair<int, int>> pitch_range;  // inclusive; outside is forbidden
  float density_bias = 0.0f;                  // added to note-start logits: > 0 more notes
  std::vector<int> programs;                  // when non-empty, other Program tokens are forbidden
  bool active() const { return key || pitch_range || density_bias != 0.0f || !programs.empty(); }
};

// Bias over vocab(field): 0, -inf (forbidden) or density_bias. Compound tokenizers get one
// per field (CPWord's density bias goes to Family_Note: more note steps).
std::vector<float> control_bias(const tokenizer::Tokenizer& tok, const MusicControls& controls, size_t field = 0);
// The same over a trained tokenizer's learned ids (each the sum of its base tokens' bias).
std::vector<float> learned_control_bias(const tokenizer::Tokenizer& tok, const MusicControls& c);

}  // namespace harmonia::generate
