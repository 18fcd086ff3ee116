// Evaluation metrics for a generated (or any) Score, for the GUI, `harmonia eval` and
// bench_musicality. Most follow MusPy 0.5's definitions (Dong et al. 2020,
// muspy/metrics/metrics.py) so that our figures can be compared with published ones; each
// field says which MusPy function it matches and how drums are treated (docs/generation.md,
// "Musicality metrics"). A metric that is undefined for a score (no note, a score shorter
// than two measures, ...) is NaN, as MusPy returns; metrics_to_json writes it as null.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/midi/score.hpp"

namespace harmonia::generate {

struct MusicMetrics {
  size_t notes = 0;       // notes on pitched (non-drum) tracks
  size_t drum_notes = 0;  // notes on drum tracks
  size_t bars = 0;        // end tick / bar length of the first time signature, rounded up
  double seconds = 0;     // end of the last note (any track) through the tempo map

  // MusPy 0.5 metrics ------------------------------------------------------------------
  double pitch_class_entropy = 0;  // pitch_class_entropy: bits, 0..log2(12); drums skipped
  int pitch_range = 0;             // pitch_range: highest - lowest pitch, semitones; drums skipped
  double polyphony = 0;            // polyphony: mean pitches on per tick, over ticks with >= 1 on; drums skipped
  double empty_beat_rate = 0;      // empty_beat_rate: share of quarter-note beats no note touches; drums count
  double scale_consistency = 0;    // scale_consistency: best share of notes in one major/minor scale; drums skipped
  double groove_consistency = 0;   // groove_consistency, measure = 4 quarters: 1 - mean onset-grid Hamming distance

  // Not in MusPy ------------------------------------------------------------------------
  double notes_per_second = 0;     // all notes (drums too) / seconds; 0 without a note
  int distinct_velocities = 0;     // distinct velocity values over all notes (drums too)
  double notes_per_bar = 0;        // pitched notes / bars
  std::string key;                 // "C:major", "A:minor" (Krumhansl-Kessler profiles), "" if no notes
  double in_key_share = 0;         // notes whose pitch class is in that key's scale
};

MusicMetrics compute_metrics(const midi::Score& score);
nlohmann::ordered_json metrics_to_json(const MusicMetrics& m);

}  // namespace harmonia::generate
