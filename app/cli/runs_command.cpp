// `harmonia runs DIR...`: the training runs in these folders side by side (model, size,
// tokenizer, steps, training time, best validation loss, tokens/s, status) as a table, or as
// JSON with their loss curves. Reads files only, so it runs in the light `harmonia`.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <memory>

#include "app/cli/cli_commands.hpp"
#include "core/train/run_summary.hpp"

namespace harmonia::cli {

namespace {

struct RunsOptions {
  std::vector<std::string> folders;
  bool json = false, curves = false;
};

std::string clock_text(double s) {
  const int total = static_cast<int>(std::max(0.0, s) + 0.5);
  char buf[32];
  if (total >= 3600) std::snprintf(buf, sizeof buf, "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60);
  else std::snprintf(buf, sizeof buf, "%d:%02d", total / 60, total % 60);
  return buf;
}

std::string size_text(int64_t parameters) {
  char buf[32];
  if (parameters <= 0) return "-";
  std::snprintf(buf, sizeof buf, "%.2fM", double(parameters) / 1e6);
  return buf;
}

int run_runs(const RunsOptions& o) {
  std::vector<train::RunSummary> runs;
  std::vector<std::filesystem::path> seen;  // a run named twice (itself and its parent) is listed once
  int errors = 0;
  for (const auto& folder : o.folders) {
    const auto found = train::find_runs(folder);
    if (found.empty()) {
      std::cerr << "harmonia runs: " << folder << ": no training run here (no train_log.csv, checkpoints/ ...)\n";
      ++errors;
    }
    for (const auto& f : found) {
      const auto canonical = std::filesystem::weakly_canonical(f);
      if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) continue;
      seen.push_back(canonical);
      try {
        runs.push_back(train::read_run_summary(f));
      } catch (const std::exception& e) {
        std::cerr << "harmonia runs: " << e.what() << "\n";
        ++errors;
      }
    }
  }
  if (o.json || o.curves) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (const auto& r : runs) a.push_back(train::run_summary_to_json(r, o.curves));
    std::cout << a.dump(2) << "\n";
  } else if (!runs.empty()) {
    std::printf("%-28s %-18s %8s %-14s %7s %8s %-16s %8s  %s\n", "run", "model", "params", "tokenizer", "steps",
                "time", "best val (step)", "tok/s", "status");
    for (const auto& r : runs) {
      std::string name = r.folder.filename().string();
      if (name.empty()) name = r.folder.parent_path().filename().string();
      const std::string model = r.architecture.empty() ? "-" : r.architecture + (r.preset.empty() ? "" : "/" + r.preset);
      char best[40] = "-";
      if (std::isfinite(r.best_val_loss))
        std::snprintf(best, sizeof best, "%.3f (%lld)", r.best_val_loss, static_cast<long long>(r.best_val_step));
      std::printf("%-28s %-18s %8s %-14s %7lld %8s %-16s %8.0f  %s\n", name.c_str(), model.c_str(),
                  size_text(r.parameters).c_str(), r.tokenizer.empty() ? "-" : r.tokenizer.c_str(),
                  static_cast<long long>(r.steps), clock_text(r.training_seconds).c_str(), best,
                  r.tokens_per_second, r.status.c_str());
    }
  }
  return errors ? 1 : 0;
}

}  // namespace

void register_runs_command(CLI::App& app, CommandTable& table) {
  auto o = std::make_shared<RunsOptions>();
  auto* cmd = app.add_subcommand("runs", "Training runs side by side: model, size, steps, time, best validation loss");
  cmd->add_option("folders", o->folders, "Run folders, or folders holding runs")->required()->check(CLI::ExistingDirectory);
  cmd->add_flag("--json", o->json, "JSON instead of a table");
  cmd->add_flag("--curves", o->curves, "JSON with each run's loss curves ([step, seconds, loss, tokens seen])");
  table.add(cmd, [o] { return run_runs(*o); });
}

}  // namespace harmonia::cli
