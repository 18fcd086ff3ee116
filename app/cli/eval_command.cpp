// `harmonia eval`: music metrics of MIDI files, and with --reference where their median lies
// against a corpus' P10-P90 band (core/generate/musicality_report.hpp). Needs no tensors, so it
// runs in the light `harmonia` without loading LibTorch (and in harmonia-engine too).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli/cli_commands.hpp"
#include "core/generate/music_metrics.hpp"
#include "core/generate/musicality_report.hpp"
#include "core/midi/midi_file.hpp"

namespace harmonia::cli {

namespace {

namespace gen = harmonia::generate;

struct EvalOptions {
  std::vector<std::string> files;
  std::vector<std::string> reference;
};

int run_eval(const EvalOptions& o) {
  nlohmann::ordered_json per_file = nlohmann::ordered_json::object();
  std::vector<gen::MusicMetrics> metrics;
  for (const auto& f : o.files) {
    try {
      metrics.push_back(gen::compute_metrics(midi::read_midi_file(f)));
    } catch (const std::exception& e) {
      std::cerr << "harmonia eval: " << f << ": " << e.what() << "\n";
      return 1;
    }
    per_file[f] = gen::metrics_to_json(metrics.back());
  }
  if (o.reference.empty()) {
    std::cout << per_file.dump(2) << "\n";
    return 0;
  }
  const auto reference = gen::load_reference({o.reference.begin(), o.reference.end()}, std::cerr);
  if (reference.metrics.empty()) {
    std::cerr << "harmonia eval: no readable MIDI file in the reference folders\n";
    return 1;
  }
  const auto rows = gen::compare_to_reference(reference.metrics, metrics);
  nlohmann::ordered_json out = {{"files", per_file},
                                {"reference", {{"folders", o.reference},
                                               {"files", reference.files.size()},
                                               {"skipped", reference.skipped}}},
                                {"metrics", gen::comparison_to_json(rows)},
                                {"in_band", gen::metrics_in_band(rows)},
                                {"of", rows.size()}};
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

void register_eval_command(CLI::App& app, CommandTable& table) {
  auto eo = std::make_shared<EvalOptions>();
  auto* e = app.add_subcommand("eval", "Music metrics of MIDI files as JSON (MusPy's empty-beat rate, polyphony, ...)");
  e->add_option("files", eo->files, "MIDI files")->required()->check(CLI::ExistingFile);
  e->add_option("--reference", eo->reference,
                "Folder of reference MIDI files (repeatable): per metric its P10-P90 band and whether the files' median is in it")
      ->check(CLI::ExistingDirectory);
  table.add(e, [eo] { return run_eval(*eo); });
}

}  // namespace harmonia::cli
