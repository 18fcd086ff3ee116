// What a run learned from its training data besides the weights, recorded next to the model
// (MODEL_DIR/harmonia_music.json) so that unconditional generation sounds like the corpus even
// where the sampled tokens leave something out: the usual opening tempo (when the model wrote
// no Tempo token, or the tokenizer has none, the piece would otherwise play at MIDI's 120 BPM)
// and how many instruments the corpus' most varied piece uses (a small model with a short
// context otherwise keeps picking new programs: 30-39 instruments in 24 bars were measured).
#pragma once

#include <filesystem>
#include <optional>

#include "core/data/token_dataset.hpp"
#include "core/midi/score.hpp"

namespace harmonia::generate {

struct MusicDefaults {
  double tempo_qpm = 0;        // median of the files' first Tempo token; 0 = unknown
  int programs_per_piece = 0;  // most distinct pitched programs (drums left out) in one corpus file; 0 = unknown
};

// From the dataset's tokens (tempo: tokenizers with Tempo tokens only) and its manifest.
MusicDefaults music_defaults_from_dataset(const data::TokenDataset& dataset);

void save_music_defaults(const MusicDefaults& defaults, const std::filesystem::path& model_dir);
// Empty when the file is missing; throws std::runtime_error naming the file when it is invalid.
std::optional<MusicDefaults> load_music_defaults(const std::filesystem::path& model_dir);

// A score with no tempo event gets the recorded tempo.
void apply_music_defaults(const MusicDefaults& defaults, midi::Score& score);

}  // namespace harmonia::generate
