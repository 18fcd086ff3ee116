// Seeded on-the-fly augmentation of token windows, applied to ids (no re-tokenization):
// pitch transposition (drum tracks and drum tokens untouched; the shift is narrowed so every
// pitch of the window stays inside the tokenizer's pitch range), velocity offset (to the
// nearest velocity bin, within 1..127) and tempo scaling (to the nearest tempo bin).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::data {

struct AugmentOptions {
  int pitch_shift = 0;        // max semitones either way (0 = off)
  int velocity_offset = 0;    // max velocity units either way (0 = off)
  double tempo_scale = 0.0;   // max relative change, e.g. 0.1 = x[0.9, 1.1] (0 = off)
  bool enabled() const { return pitch_shift > 0 || velocity_offset > 0 || tempo_scale > 0; }
};

// What one window got (for tests and logs).
struct AugmentChoice {
  int semitones = 0;
  int velocity = 0;
  double tempo_factor = 1.0;
};

class TokenAugmenter {
 public:
  TokenAugmenter(const tokenizer::Tokenizer& tok, AugmentOptions options);

  // Augments `ids` (steps * fields, step-major) in place. `is_drum`: the whole sequence is a
  // drum track (not transposed). Draws its choices from `rng`.
  AugmentChoice apply(std::vector<int32_t>& ids, bool is_drum, std::mt19937_64& rng) const;
  // The deterministic part, for a given choice; returns the semitones actually applied
  // after narrowing to the pitch range.
  int apply_choice(std::vector<int32_t>& ids, bool is_drum, const AugmentChoice& choice) const;

  const AugmentOptions& options() const { return options_; }

 private:
  const tokenizer::Tokenizer& tok_;  // must outlive the augmenter
  AugmentOptions options_;
  int min_pitch_ = 0, max_pitch_ = 127;
};

}  // namespace harmonia::data
