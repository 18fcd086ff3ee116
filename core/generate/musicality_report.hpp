// Does generated music look like its corpus? For each of eight metrics (music_metrics.hpp),
// the reference files' P10-P90 band and whether the samples' median lies inside it. Shared
// by `harmonia eval --reference` and bench_musicality so both report the same numbers.
// Torch-free: `harmonia eval` runs in the light CLI without loading LibTorch.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/generate/music_metrics.hpp"

namespace harmonia::generate {

struct MusicalityMetric {
  const char* name;   // key in metrics_to_json
  const char* label;  // for tables
  int decimals;       // digits worth printing
  double (*value)(const MusicMetrics&);
};

// notes_per_second, empty_beat_rate, polyphony, pitch_range, pitch_class_entropy,
// scale_consistency, groove_consistency, distinct_velocities: the eight of issue 15.
const std::vector<MusicalityMetric>& musicality_metrics();

// The q-th percentile (0..100) of the values that are not NaN, interpolating linearly between
// the two nearest ranks as numpy.percentile / nanpercentile do by default: with the n sorted
// values x[0..n-1], position h = (n - 1) q / 100, result x[floor h] + (h - floor h) (x[floor h + 1]
// - x[floor h]). NaN when no value is left.
double percentile(std::vector<double> values, double q);

struct MetricComparison {
  std::string name, label;
  int decimals = 2;
  double reference_p10 = 0, reference_p90 = 0;
  double median = 0;              // over the samples
  size_t reference_values = 0;    // files where the metric is defined (not NaN)
  size_t sample_values = 0;
  bool in_band = false;           // p10 <= median <= p90; false when either side is undefined
};

std::vector<MetricComparison> compare_to_reference(const std::vector<MusicMetrics>& reference,
                                                   const std::vector<MusicMetrics>& samples);
size_t metrics_in_band(const std::vector<MetricComparison>& rows);

nlohmann::ordered_json comparison_to_json(const std::vector<MetricComparison>& rows);
// "metric | reference P10-P90 | samples' median | in band" and a final "N of 8 metrics in band".
void print_comparison_table(const std::vector<MetricComparison>& rows, std::ostream& out);

// Metrics of every MIDI file under the folders (recursive, .mid/.midi/.kar). A file that
// fails to parse is skipped, with a line naming it and the reason on `messages`.
struct ReferenceSet {
  std::vector<std::string> files;  // parsed, in the order of `metrics`
  std::vector<MusicMetrics> metrics;
  std::vector<std::string> skipped;  // "path: reason"
};
ReferenceSet load_reference(const std::vector<std::filesystem::path>& folders, std::ostream& messages);


}  // namespace harmonia::generate
