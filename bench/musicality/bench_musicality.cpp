// Does a model's unconditional output look like its corpus? Generates N seeded samples
// (seeds seed .. seed+N-1, one candidate each, the settings of musicality_generation_settings)
// and prints, per metric of musicality_report.hpp, the reference folders' P10-P90 band, the
// samples' median and whether it lies in the band (issue 15's acceptance table).
// Usage: bench_musicality --model MODEL_DIR --reference DIR [--reference DIR2 ...]
//                         [--samples 16] [--seed 1] [--bars 24] [--threads 2]
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "core/compute/threads.hpp"
#include "core/generate/generation_output.hpp"
#include "core/generate/generator.hpp"
#include "core/generate/model_bundle.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/generate/musicality_report.hpp"

namespace gen = harmonia::generate;

namespace {

struct Options {
  std::string model;
  std::vector<std::filesystem::path> reference;
  int samples = 16;
  uint64_t seed = 1;
  int64_t bars = 24;
  int threads = 2;
  int max_empty_beats = -2;  // -2: the recipe's; else an override, to measure what the limit does
  float density = 0;          // added to the model's recorded density bias (music_controls.hpp)
};

int usage() {
  std::cerr << "usage: bench_musicality --model MODEL_DIR --reference DIR [--reference DIR ...] [--samples 16] "
               "[--seed 1] [--bars 24] [--threads 2] [--max-empty-beats N] [--density B]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (!std::strcmp(argv[i], "--model") && has_value) o.model = argv[++i];
    else if (!std::strcmp(argv[i], "--reference") && has_value) o.reference.emplace_back(argv[++i]);
    else if (!std::strcmp(argv[i], "--samples") && has_value) o.samples = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--seed") && has_value) o.seed = std::stoull(argv[++i]);
    else if (!std::strcmp(argv[i], "--bars") && has_value) o.bars = std::stoll(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && has_value) o.threads = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--max-empty-beats") && has_value) o.max_empty_beats = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--density") && has_value) o.density = std::stof(argv[++i]);
    else return usage();
  }
  if (o.model.empty() || o.reference.empty() || o.samples < 1) return usage();
  try {
    gen::musicality_generation_settings(o.bars, o.seed);  // a bad --bars fails before any loading
    harmonia::compute::set_compute_threads(o.threads);
    const auto reference = gen::load_reference(o.reference, std::cerr);
    if (reference.metrics.empty()) {
      std::cerr << "bench_musicality: no readable MIDI file in the reference folders\n";
      return 1;
    }
    const auto bundle = gen::load_bundle(o.model);
    gen::Generator generator(bundle.model, bundle.tokenizer);
    std::printf("model %s (%s), reference: %zu files (%zu skipped), %d samples of up to %lld bars, seeds %llu-%llu, "
                "%d threads\n",
                bundle.paths.model_dir.string().c_str(), bundle.tokenizer->name().c_str(), reference.files.size(),
                reference.skipped.size(), o.samples, (long long)o.bars, (unsigned long long)o.seed,
                (unsigned long long)(o.seed + uint64_t(o.samples) - 1), o.threads);
    std::vector<gen::MusicMetrics> samples;
    for (int i = 0; i < o.samples; ++i) {
      auto settings = gen::musicality_generation_settings(o.bars, o.seed + uint64_t(i));
      settings.max_programs = gen::program_limit(bundle.music);  // as the demo
      if (o.max_empty_beats > -2) settings.max_empty_beats = o.max_empty_beats;
      settings.controls.density_bias += o.density;
      const auto result = generator.generate({}, settings);
      auto score = gen::to_score(*bundle.tokenizer, result.sequences.at(0));
      gen::apply_music_defaults(bundle.music, score);  // the corpus' tempo where the tokens gave none
      samples.push_back(gen::compute_metrics(score));
      // One line per sample, so that a bad median can be traced to the samples behind it.
      std::printf("sample %d (seed %llu): %zu notes + %zu drum notes, %.1f s, %lld tokens, stop %s\n", i + 1,
                  (unsigned long long)settings.seed, samples.back().notes, samples.back().drum_notes,
                  samples.back().seconds, (long long)result.new_tokens, result.stop_reasons.at(0).c_str());
    }
    const auto silent = std::count_if(samples.begin(), samples.end(),
                                      [](const gen::MusicMetrics& m) { return m.notes + m.drum_notes == 0; });
    // MusPy leaves most metrics undefined for an empty piece, so such samples drop out of those
    // medians (the count in brackets); say how many there were.
    std::printf("%ld of %d samples have no note\n\n", long(silent), o.samples);
    gen::print_comparison_table(gen::compare_to_reference(reference.metrics, samples), std::cout);
  } catch (const std::exception& e) {
    std::cerr << "bench_musicality: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
