// The models a training run folder holds, for the Generate page's model picker: the run's
// final model (RUN/model, saved when the run finishes and also when it is cancelled) and
// each checkpoint's (RUN/checkpoints/step-N/model, best/model), with the step and the
// validation loss they were saved at, and how the run ended (RUN/outcome.json, which the
// studio's training writes; runs without one are described from their files). Qt-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace harmonia::ui {

struct SavedModel {
  std::string dir;  // a model folder: config.json + model.safetensors
  int64_t step = -1;  // -1 when unknown
  std::optional<double> valLoss;  // the last validation at or before `step`
  bool best = false;  // checkpoints/best: the lowest validation loss so far
};

struct RunModels {
  std::string runDir;
  int64_t maxSteps = 0;  // the steps asked for (run.json), 0 when unknown
  // "finished", "cancelled", "error" (from outcome.json), or "" when the run wrote none: it
  // is training now, or it stopped without saving its final model (crashed, killed).
  std::string outcome;
  std::string outcomeMessage;  // the error's text for "error"
  int64_t outcomeStep = -1;
  std::optional<SavedModel> finalModel;  // RUN/model
  std::vector<SavedModel> checkpoints;  // newest step first, then best
  bool hasModel() const { return finalModel || !checkpoints.empty(); }
};

// True when `dir` looks like a training run (run.json, train_log.csv or checkpoints/).
bool is_run_folder(const std::string& dir);
// Reads what the run folder holds; a missing or unreadable part is left out, never thrown.
RunModels scan_run_models(const std::string& runDir);
// How the run ended, for the picker (the training backend calls this when a run stops).
void write_run_outcome(const std::string& runDir, const std::string& outcome, int64_t step, int64_t maxSteps,
                       const std::string& message);

}  // namespace harmonia::ui
