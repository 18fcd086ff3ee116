#include "ui/bridge/run_models.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ui/bridge/run_history.hpp"

namespace harmonia::ui {

namespace fs = std::filesystem;

namespace {

bool is_model_dir(const fs::path& d) {
  std::error_code ec;
  return fs::is_regular_file(d / "config.json", ec) && fs::is_regular_file(d / "model.safetensors", ec);
}

std::optional<nlohmann::json> read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The validation loss the model had: the last one logged at or before its step.
std::optional<double> val_loss_at(const RunHistory& history, int64_t step) {
  std::optional<double> loss;
  for (const auto& p : history.valLoss)
    if (p.step <= step) loss = p.value;
  return loss;
}

}  // namespace

bool is_run_folder(const std::string& dir) {
  std::error_code ec;
  const fs::path d(dir);
  return fs::is_regular_file(d / "run.json", ec) || fs::is_regular_file(d / "train_log.csv", ec) ||
         fs::is_directory(d / "checkpoints", ec);
}

RunModels scan_run_models(const std::string& runDir) {
  RunModels run;
  run.runDir = runDir;
  const fs::path dir(runDir);
  if (const auto j = read_json(dir / "run.json")) run.maxSteps = j->value("max_steps", int64_t(0));
  if (const auto j = read_json(dir / "outcome.json")) {
    run.outcome = j->value("outcome", std::string());
    run.outcomeStep = j->value("step", int64_t(-1));
    run.outcomeMessage = j->value("message", std::string());
    if (run.maxSteps == 0) run.maxSteps = j->value("max_steps", int64_t(0));
  }
  RunHistory history;
  try {
    history = read_run_history(runDir);
  } catch (const std::exception&) {
    // A damaged log costs the losses in the names, not the models.
  }
  for (const auto& c : list_run_checkpoints(runDir)) {
    if (!is_model_dir(fs::path(c.path) / "model")) continue;
    SavedModel m;
    m.dir = (fs::path(c.path) / "model").string();
    m.step = c.step;
    m.best = c.name == "best";
    if (m.best && c.bestValLoss >= 0)
      m.valLoss = c.bestValLoss;
    else if (m.step >= 0)
      m.valLoss = val_loss_at(history, m.step);
    run.checkpoints.push_back(m);
  }
  // list_run_checkpoints gives step-N oldest first, then best: the picker wants the newest first.
  std::stable_sort(run.checkpoints.begin(), run.checkpoints.end(), [](const SavedModel& a, const SavedModel& b) {
    if (a.best != b.best) return b.best;
    return a.step > b.step;
  });
  if (is_model_dir(dir / "model")) {
    SavedModel m;
    m.dir = (dir / "model").string();
    // RUN/model is saved with the run's last checkpoint (at the end and on cancel).
    if (run.outcomeStep >= 0) {
      m.step = run.outcomeStep;
    } else {
      for (const auto& c : run.checkpoints)
        if (!c.best) m.step = std::max(m.step, c.step);
    }
    if (m.step >= 0) m.valLoss = val_loss_at(history, m.step);
    run.finalModel = m;
  }
  return run;
}

void write_run_outcome(const std::string& runDir, const std::string& outcome, int64_t step, int64_t maxSteps,
                       const std::string& message) {
  const nlohmann::ordered_json j = {
      {"outcome", outcome}, {"step", step}, {"max_steps", maxSteps}, {"message", message}};
  std::ofstream(fs::path(runDir) / "outcome.json") << j.dump(2) << "\n";
}

}  // namespace harmonia::ui
