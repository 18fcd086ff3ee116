// The reference-band report shared by `harmonia eval --reference` and bench_musicality:
// percentiles as numpy computes them, the in-band decision, the table, reading a reference
// folder with a broken file in it, and the generation settings the bench samples with.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <unistd.h>

#include "core/generate/generator.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/generate/musicality_report.hpp"
#include "core/midi/midi_file.hpp"

using namespace harmonia;
using namespace harmonia::generate;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

MusicMetrics with_density(double notes_per_second) {
  MusicMetrics m;
  m.notes_per_second = notes_per_second;
  return m;
}
}  // namespace

TEST(GenerateMusicalityReport, PercentileInterpolatesLinearlyLikeNumpy) {
  // numpy.percentile([1, 2, 3, 4], q): h = 3 q / 100. q=10 -> h=0.3 -> 1.3; q=90 -> h=2.7 -> 3.7;
  // q=50 -> 2.5. Input order does not matter.
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 10), 1.3);
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 90), 3.7);
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 50), 2.5);
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 100), 4.0);
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 0), 1.0);
  // Odd count: the median is the middle value; NaN is left out (numpy.nanpercentile).
  EXPECT_DOUBLE_EQ(percentile({10, kNaN, 0, 5}, 50), 5.0);
  // 11 values 0..100 step 10: P10 = 10 exactly, P90 = 90.
  std::vector<double> tens;
  for (int i = 0; i <= 10; ++i) tens.push_back(10.0 * i);
  EXPECT_DOUBLE_EQ(percentile(tens, 10), 10.0);
  EXPECT_DOUBLE_EQ(percentile(tens, 90), 90.0);
  EXPECT_DOUBLE_EQ(percentile({7}, 90), 7.0);
  EXPECT_TRUE(std::isnan(percentile({}, 50)));
  EXPECT_TRUE(std::isnan(percentile({kNaN, kNaN}, 50)));
}

TEST(GenerateMusicalityReport, MedianInsideTheReferenceBand) {
  // Reference notes/s 0, 10, ..., 100 -> band [10, 90].
  std::vector<MusicMetrics> reference;
  for (int i = 0; i <= 10; ++i) reference.push_back(with_density(10.0 * i));
  // Samples 5, 20, 95 -> median 20: in band. Samples 1, 2, 95 -> median 2: out.
  const auto in = compare_to_reference(reference, {with_density(5), with_density(20), with_density(95)});
  ASSERT_EQ(in.size(), 8u);
  EXPECT_EQ(in[0].name, "notes_per_second");
  EXPECT_DOUBLE_EQ(in[0].reference_p10, 10.0);
  EXPECT_DOUBLE_EQ(in[0].reference_p90, 90.0);
  EXPECT_DOUBLE_EQ(in[0].median, 20.0);
  EXPECT_TRUE(in[0].in_band);
  EXPECT_EQ(in[0].reference_values, 11u);
  EXPECT_EQ(in[0].sample_values, 3u);
  const auto out = compare_to_reference(reference, {with_density(1), with_density(2), with_density(95)});
  EXPECT_FALSE(out[0].in_band);
  // The band's edges count as inside.
  EXPECT_TRUE(compare_to_reference(reference, {with_density(90)})[0].in_band);
  // A metric undefined for every sample (default MusicMetrics: polyphony 0 is defined, but set
  // NaN here) is never in band.
  MusicMetrics silent;
  silent.polyphony = kNaN;
  const auto rows = compare_to_reference(reference, {silent});
  EXPECT_EQ(rows[2].name, "polyphony");
  EXPECT_EQ(rows[2].sample_values, 0u);
  EXPECT_FALSE(rows[2].in_band);
}

TEST(GenerateMusicalityReport, TableEndsWithTheCount) {
  std::vector<MusicMetrics> reference;
  for (int i = 0; i <= 10; ++i) reference.push_back(with_density(10.0 * i));
  // All other metrics are 0 in both sets: band [0, 0], median 0 -> in band; notes/s 2 -> out.
  const auto rows = compare_to_reference(reference, {with_density(2)});
  EXPECT_EQ(metrics_in_band(rows), 7u);
  std::ostringstream table;
  print_comparison_table(rows, table);
  EXPECT_NE(table.str().find("notes per second       | 10.00 - 90.00         | 2.00 (1)             | no"),
            std::string::npos)
      << table.str();
  EXPECT_NE(table.str().find("7 of 8 metrics in band\n"), std::string::npos) << table.str();
  const auto j = comparison_to_json(rows);
  EXPECT_EQ(j.size(), 8u);
  EXPECT_EQ(j[0].at("in_band"), false);
}

TEST(GenerateMusicalityReport, ReferenceFolderSkipsBrokenFilesByName) {
  const auto dir = std::filesystem::temp_directory_path() / ("harmonia-musicality-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "sub");
  midi::Score s;
  midi::Track t;
  t.notes = {{0, 480, 60, 80}, {480, 480, 64, 90}};
  s.tracks.push_back(t);
  midi::write_midi_file(s, (dir / "sub" / "good.mid").string());
  std::ofstream(dir / "broken.mid") << "not a midi file";
  std::ostringstream messages;
  const auto set = load_reference({dir}, messages);
  ASSERT_EQ(set.files.size(), 1u);
  EXPECT_EQ(set.metrics.at(0).notes, 2u);
  EXPECT_EQ(set.metrics.at(0).distinct_velocities, 2);
  ASSERT_EQ(set.skipped.size(), 1u);
  EXPECT_NE(messages.str().find((dir / "broken.mid").string()), std::string::npos) << messages.str();
  std::filesystem::remove_all(dir);
}

TEST(GenerateMusicalityReport, GenerationSettingsAreTheDemosPieceSettings) {
  const GenerationSettings defaults = piece_settings(24, 7);
  const auto s = musicality_generation_settings(24, 7);
  EXPECT_EQ(s.max_bars, 24);
  EXPECT_EQ(s.min_bars, defaults.min_bars);
  EXPECT_EQ(s.max_empty_bars, defaults.max_empty_bars);
  EXPECT_EQ(s.max_music_seconds, defaults.max_music_seconds);
  EXPECT_EQ(s.seed, 7u);
  EXPECT_GE(s.max_new_tokens, 24 * 64);  // room for the bars at corpus-like density
  EXPECT_EQ(s.sampling.temperature, defaults.sampling.temperature);
  EXPECT_EQ(s.sampling.top_k, defaults.sampling.top_k);
  EXPECT_EQ(s.sampling.top_p, defaults.sampling.top_p);
  EXPECT_EQ(s.sampling.repetition_penalty, defaults.sampling.repetition_penalty);
  EXPECT_EQ(s.grammar, defaults.grammar);
  EXPECT_EQ(s.num_candidates, 1);
  EXPECT_THROW(musicality_generation_settings(0, 1), std::invalid_argument);
}
