// `harmonia dataset import DIR --out DATASET` and `harmonia dataset stats DATASET`: the CLI
// face of core/data. Import runs as an ImportJob polled from here, exactly as the GUI does;
// Ctrl-C cancels it cleanly (the previous cache, if any, stays valid).
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/cli/cli_commands.hpp"
#include "core/data/dataset_stats.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/data/import_job.hpp"
#include "core/data/token_dataset.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::cli {

namespace {

std::atomic<bool> g_interrupted{false};
void on_dataset_interrupt(int) { g_interrupted = true; }

std::shared_ptr<const tokenizer::Tokenizer> dataset_tokenizer(const std::string& scheme, const std::string& config,
                                                              bool arrangement, int velocities) {
  if (config.empty()) {
    auto c = arrangement ? generate::arrangement_tokenizer_config() : tokenizer::TokenizerConfig{};
    if (velocities > 0) c.num_velocities = velocities;
    return tokenizer::Tokenizer::create(scheme.empty() ? "REMI" : scheme, c);
  }
  auto loaded = tokenizer::Tokenizer::load(config);
  if (scheme.empty()) return loaded;
  return tokenizer::Tokenizer::create(scheme, loaded->config());  // --tokenizer picks the scheme
}

nlohmann::ordered_json report_to_json(const data::ImportReport& r) {
  nlohmann::ordered_json j;
  j["dataset"] = r.dataset_dir;
  j["cancelled"] = r.cancelled;
  j["files_found"] = r.files_found;
  j["tokenized"] = r.tokenized;
  j["reused"] = r.reused;
  j["from_quick_index"] = r.from_quick_index;  // nothing changed: answered without reading a file
  j["files_in_dataset"] = r.files_in_dataset;
  j["tokens"] = r.total_tokens;
  j["seconds"] = r.seconds;
  j["tidied_bars"] = {{"leading", r.tidied.leading_bars},
                      {"trailing", r.tidied.trailing_bars},
                      {"empty_inside", r.tidied.empty_bars},
                      {"kept", r.tidied.bars_kept}};
  auto& skipped = j["skipped"] = nlohmann::ordered_json::array();
  for (const auto& s : r.skipped) skipped.push_back({{"path", s.path}, {"reason", s.reason}});
  auto& dups = j["duplicates"] = nlohmann::ordered_json::array();
  for (const auto& d : r.duplicates) dups.push_back({{"path", d.path}, {"same_as", d.same_as}});
  return j;
}

struct ImportArgs {
  std::string input, out, scheme, config;
  int jobs = 0;
  bool quiet = false, arrangement = false, tidy = false;
  int max_empty_bars = 2;
  int velocities = 0;  // 0: MidiTok's default (32)
};

int run_import(const ImportArgs& a) {
  data::ImportOptions o;
  o.input_dir = a.input;
  o.dataset_dir = a.out;
  o.threads = a.jobs;
  o.tidy.enabled = a.tidy;
  o.tidy.max_empty_bars = a.max_empty_bars;
  const bool quiet = a.quiet;
  data::ImportJob job(dataset_tokenizer(a.scheme, a.config, a.arrangement, a.velocities), o);
  auto previous = std::signal(SIGINT, on_dataset_interrupt);
  job.start();
  const bool tty = isatty(fileno(stderr));
  while (!job.finished()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (g_interrupted && !job.cancel_requested()) {
      job.cancel();
      std::cerr << "\nharmonia dataset import: cancelling...\n";
    }
    if (quiet) continue;
    const auto p = job.progress();
    char line[160];
    std::snprintf(line, sizeof line, "%zu/%zu files (%zu tokenized, %zu cached, %zu skipped)%s", p.done, p.total,
                  p.tokenized, p.reused, p.skipped,
                  p.eta_s >= 0 ? (", ETA " + std::to_string(int(p.eta_s + 0.5)) + " s").c_str() : "");
    if (tty) std::cerr << "\r" << line << "   " << std::flush;
  }
  const auto report = job.wait();
  std::signal(SIGINT, previous);
  if (!quiet && tty) std::cerr << "\n";
  std::cout << report_to_json(report).dump(2) << "\n";
  for (const auto& s : report.skipped) std::cerr << "skipped " << s.path << ": " << s.reason << "\n";
  std::cerr << (report.cancelled ? "cancelled: previous cache kept" : "imported ") << "";
  if (!report.cancelled)
    std::cerr << report.files_in_dataset << " files, " << report.total_tokens << " tokens (" << report.tokenized
              << " tokenized, " << report.reused << " from cache, " << report.skipped.size() << " skipped, "
              << report.duplicates.size() << " duplicates) in " << report.seconds << " s";
  std::cerr << "\n";
  return report.cancelled ? 130 : 0;
}

}  // namespace

void register_dataset_commands(CLI::App& app, CommandTable& table) {
  auto* dataset = app.add_subcommand("dataset", "Import a MIDI folder into a token cache; dataset statistics");
  dataset->require_subcommand(1);

  auto args = std::make_shared<ImportArgs>();
  auto* import = dataset->add_subcommand("import", "Parse + tokenize every MIDI file under DIR (progress on stderr, JSON report on stdout)");
  import->add_option("dir", args->input, "Folder of MIDI files (searched recursively)")->required()->check(CLI::ExistingDirectory);
  import->add_option("--tokenizer", args->scheme, "Scheme: remi (default), tsd, midilike, cpword, octuple")
      ->check(CLI::IsMember({"remi", "tsd", "midilike", "cpword", "octuple"}, CLI::ignore_case));
  import->add_option("--config", args->config, "MidiTok tokenizer.json")->check(CLI::ExistingFile);
  import->add_option("--out", args->out, "Dataset folder to create or update")->required();
  import->add_option("--jobs", args->jobs, "Worker threads (default: all cores)")->check(CLI::Range(0, 1024));
  import->add_flag("--quiet", args->quiet, "No progress line");
  import->add_flag("--arrangement", args->arrangement,
                   "Whole arrangements: all tracks in one stream with Program, Tempo and TimeSig tokens (as the demo; "
                   "ignored with --config)");
  import->add_option("--velocities", args->velocities,
                     "Velocity levels (MidiTok's num_velocities; ignored with --config); 127 keeps every velocity")
      ->check(CLI::Range(1, 127));
  import->add_flag("--tidy", args->tidy,
                   "Cut leading/trailing silence and shorten runs of empty bars before tokenizing (docs/dataset.md)");
  import->add_option("--max-empty-bars", args->max_empty_bars, "With --tidy: empty bars kept in a row")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  table.add(import, [args] {
    try {
      return run_import(*args);
    } catch (const std::exception& e) {
      std::cerr << "harmonia dataset import: " << e.what() << "\n";
      return 1;
    }
  });

  auto stats_dir = std::make_shared<std::string>();
  auto* stats = dataset->add_subcommand("stats", "Statistics of an imported dataset as JSON");
  stats->add_option("dataset", *stats_dir, "Dataset folder (from `harmonia dataset import`)")->required();
  table.add(stats, [stats_dir] {
    try {
      auto ds = data::TokenDataset::open(*stats_dir);
      auto j = data::stats_to_json(data::compute_stats(*ds));
      j["tokenizer"] = ds->tokenizer().name();
      std::cout << j.dump(2) << "\n";
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "harmonia dataset stats: " << e.what() << "\n";
      return 1;
    }
  });
}

}  // namespace harmonia::cli
