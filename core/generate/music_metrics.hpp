// Evaluation metrics for a generated (or any) Score, for the GUI and for comparing models:
// pitch-class histogram entropy, pitch range, polyphony, note density, groove consistency
// and the share of notes in the detected key. Drum tracks are left out of pitch metrics.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/midi/score.hpp"

namespace harmonia::generate {

struct MusicMetrics {
  size_t notes = 0;
  size_t bars = 0;
  double pitch_class_entropy = 0;  // bits, 0..log2(12)
  int pitch_range = 0;             // highest - lowest pitch
  double polyphony = 0;            // mean notes sounding at each onset time
  double notes_per_bar = 0;
  double groove_consistency = 0;   // 1 - mean Hamming distance of successive bars' onset grids
  std::string key;                 // "C:major", "A:minor" (Krumhansl-Kessler profiles), "" if no notes
  double in_key_share = 0;         // notes whose pitch class is in that key's scale
};

MusicMetrics compute_metrics(const midi::Score& score);
nlohmann::ordered_json metrics_to_json(const MusicMetrics& m);

}  // namespace harmonia::generate
