// Qt-free helpers for the GUI tests that need the torch side (Qt's keyword macros and
// LibTorch cannot share a translation unit): a tiny untrained model on disk, and what
// core/generate's Generator itself produces for given settings, to compare the page with.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/midi/score.hpp"
#include "ui/bridge/generation_backend.hpp"

namespace harmonia::ui::test {

// Writes a randomly initialised "tiny" model (seeded) with its tokenizer.json to `dir`; a
// compound scheme (CPWord, Octuple) gets one embedding and output head per field.
void writeTinyModel(const std::string& dir, uint64_t init_seed, const std::string& scheme = "REMI");

// The Generate page's settings restated on their own: a piece of `bars` bars
// (generate::piece_settings) with these sampling values and `max_new_tokens` as a cap.
struct ReferenceSettings {
  double temperature = 1.0, top_p = 0.95, repetition_penalty = 1.0;
  int top_k = 0, bars = 24, max_new_tokens = 64, candidates = 1;
  uint64_t seed = 0;
};

// Candidate `candidate` of Generator::generate from scratch, decoded with to_score and
// brought to 480 ticks per quarter (the piano roll's resolution for an empty prompt).
midi::Score referenceGeneration(const std::string& model_dir, const ReferenceSettings& settings, int candidate);

// "" when the backend's GenerationSettings for `page` (ui::generation_settings) equal
// generate::piece_settings(page.bars, page.seed, learned) field by field (length, stops,
// empty bars and beats, instruments, token cap, sampling); else which fields differ, with
// both values. `programs_per_piece` stands for a model's recorded MusicDefaults.
std::string pieceSettingsMismatch(const SamplingSettings& page, int programs_per_piece = 0);

// core/generate's StepThrough on its own with the Generate page's settings for `page`
// (ui::generation_settings with the bundle's MusicDefaults), from an empty prompt: after
// `steps` draws, the token strings drawn and the last step's processed distribution; and that
// step re-processed with `other`'s sampling values, key and length (StepThrough::retune). What
// the step-through panel must show. `vocab`: each model id's token string.
struct ReferenceSteps {
  std::vector<std::string> tokens, vocab;
  std::vector<double> processed, reprocessed;
};
ReferenceSteps referenceSteps(const std::string& model_dir, const SamplingSettings& page, int steps,
                              const SamplingSettings& other);

// The token strings Generator::generate draws with the page's settings from an empty prompt,
// in order (its on_token callback: before the trim at the last note boundary).
std::vector<std::string> referenceGeneratedTokens(const std::string& model_dir, const SamplingSettings& page);

}  // namespace harmonia::ui::test
