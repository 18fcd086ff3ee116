#include "core/generate/musicality_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <ostream>
#include <stdexcept>

#include "core/data/default_corpus.hpp"
#include "core/midi/midi_file.hpp"

namespace harmonia::generate {

const std::vector<MusicalityMetric>& musicality_metrics() {
  static const std::vector<MusicalityMetric> metrics = {
      {"notes_per_second", "notes per second", 2, [](const MusicMetrics& m) { return m.notes_per_second; }},
      {"empty_beat_rate", "empty-beat rate", 3, [](const MusicMetrics& m) { return m.empty_beat_rate; }},
      {"polyphony", "polyphony", 2, [](const MusicMetrics& m) { return m.polyphony; }},
      {"pitch_range", "pitch range", 1, [](const MusicMetrics& m) { return double(m.pitch_range); }},
      {"pitch_class_entropy", "pitch-class entropy", 3, [](const MusicMetrics& m) { return m.pitch_class_entropy; }},
      {"scale_consistency", "scale consistency", 3, [](const MusicMetrics& m) { return m.scale_consistency; }},
      {"groove_consistency", "groove consistency", 4, [](const MusicMetrics& m) { return m.groove_consistency; }},
      {"distinct_velocities", "distinct velocities", 1, [](const MusicMetrics& m) { return double(m.distinct_velocities); }},
  };
  return metrics;
}

double percentile(std::vector<double> values, double q) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }), values.end());
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double h = double(values.size() - 1) * std::clamp(q, 0.0, 100.0) / 100.0;
  const size_t lo = size_t(std::floor(h));
  if (lo + 1 >= values.size()) return values.back();
  return values[lo] + (h - double(lo)) * (values[lo + 1] - values[lo]);
}

namespace {
std::vector<double> column(const std::vector<MusicMetrics>& rows, const MusicalityMetric& metric, size_t* defined) {
  std::vector<double> out;
  for (const auto& m : rows) out.push_back(metric.value(m));
  *defined = size_t(std::count_if(out.begin(), out.end(), [](double v) { return !std::isnan(v); }));
  return out;
}

std::string fixed(double v, int decimals) {
  if (std::isnan(v)) return "n/a";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}
}  // namespace

std::vector<MetricComparison> compare_to_reference(const std::vector<MusicMetrics>& reference,
                                                   const std::vector<MusicMetrics>& samples) {
  std::vector<MetricComparison> rows;
  for (const auto& metric : musicality_metrics()) {
    MetricComparison row;
    row.name = metric.name;
    row.label = metric.label;
    row.decimals = metric.decimals;
    const auto ref = column(reference, metric, &row.reference_values);
    const auto got = column(samples, metric, &row.sample_values);
    row.reference_p10 = percentile(ref, 10);
    row.reference_p90 = percentile(ref, 90);
    row.median = percentile(got, 50);
    // Comparisons with NaN are false, so an undefined band or median is never "in band".
    row.in_band = row.reference_p10 <= row.median && row.median <= row.reference_p90;
    rows.push_back(row);
  }
  return rows;
}

size_t metrics_in_band(const std::vector<MetricComparison>& rows) {
  return size_t(std::count_if(rows.begin(), rows.end(), [](const MetricComparison& r) { return r.in_band; }));
}

nlohmann::ordered_json comparison_to_json(const std::vector<MetricComparison>& rows) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& r : rows)
    out.push_back({{"metric", r.name},
                   {"reference_p10", r.reference_p10},
                   {"reference_p90", r.reference_p90},
                   {"median", r.median},
                   {"in_band", r.in_band},
                   {"reference_values", r.reference_values},
                   {"values", r.sample_values}});
  return out;
}

void print_comparison_table(const std::vector<MetricComparison>& rows, std::ostream& out) {
  char line[256];
  std::snprintf(line, sizeof line, "%-22s | %-21s | %-20s | %s\n", "metric", "reference P10-P90", "samples' median",
                "in band");
  out << line;
  for (const auto& r : rows) {
    const std::string band = fixed(r.reference_p10, r.decimals) + " - " + fixed(r.reference_p90, r.decimals);
    // The count shows how many samples the median is over: an empty sample has no polyphony.
    const std::string median = fixed(r.median, r.decimals) + " (" + std::to_string(r.sample_values) + ")";
    std::snprintf(line, sizeof line, "%-22s | %-21s | %-20s | %s\n", r.label.c_str(), band.c_str(), median.c_str(),
                  r.in_band ? "yes" : "no");
    out << line;
  }
  out << metrics_in_band(rows) << " of " << rows.size() << " metrics in band\n";
}

ReferenceSet load_reference(const std::vector<std::filesystem::path>& folders, std::ostream& messages) {
  ReferenceSet set;
  for (const auto& folder : folders) {
    const auto files = data::list_midi_files(folder.string());
    if (files.empty()) messages << "reference: no MIDI file under " << folder.string() << "\n";
    for (const auto& file : files) {
      try {
        set.metrics.push_back(compute_metrics(midi::read_midi_file(file)));
        set.files.push_back(file);
      } catch (const std::exception& e) {
        set.skipped.push_back(file + ": " + e.what());
        messages << "reference: skipped " << file << ": " << e.what() << "\n";
      }
    }
  }
  return set;
}

}  // namespace harmonia::generate
