// What a training run folder holds, read from its files alone (no tensors, no LibTorch): the
// model's architecture and size (config.json, the safetensors header), the tokenizer, the
// options it was started with (train_args.json, or the studio's run.json), its loss curves
// (train_log.csv) and where it stands. `harmonia runs` prints these; the studio's run lists
// and chart overlays read the same summaries, so a class compares runs on one set of numbers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace harmonia::train {

// A run file that exists but cannot be read as we write it; the message names the file.
struct RunFolderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LossPoint {
  int64_t step = 0;
  double seconds = 0;  // training time at that step (elapsed_s)
  double loss = 0;
  // Tokens trained on up to that step. The log has no such column: each train row's
  // tokens_per_s is its window's tokens over its window's training seconds, so the sum of
  // tokens_per_s x (elapsed_s - the previous row's) gives it back (exactly when rows are not
  // lost); a validation point takes the tokens of the step it follows.
  double tokens = 0;
};

struct RunSummary {
  std::filesystem::path folder;
  std::string architecture;  // config.json's model_type ("" when no model was saved yet)
  std::string preset;        // as asked ("" when unknown)
  int64_t parameters = 0;    // elements of the saved weights (buffers such as rotary tables left out)
  int64_t layers = 0, hidden_size = 0;
  std::string tokenizer;     // "REMI", "REMI + BPE" ...
  int64_t vocab_size = 0;
  int64_t steps = 0;         // last step logged
  int64_t max_steps = 0;     // asked (0: unknown or bound by time/epochs)
  double training_seconds = 0;
  double last_train_loss = std::numeric_limits<double>::quiet_NaN();
  double best_val_loss = std::numeric_limits<double>::quiet_NaN();
  int64_t best_val_step = 0;
  double tokens_per_second = 0;  // mean over the logged steps
  int64_t tokens_seen = 0;       // from the newest checkpoint (0 when none)
  int64_t checkpoints = 0;       // step-N folders
  bool model_saved = false;      // RUN/model/ holds weights: ready for generation
  std::string status;            // "finished", "stopped at step N", "checkpoint at step N", "no model yet"
  std::vector<LossPoint> train_curve, validation_curve;
};

// True when the folder looks like a run (train_log.csv, train_args.json, run.json or checkpoints/).
bool is_run_folder(const std::filesystem::path& folder);

// The folder itself when it is a run, else the runs among its sub-folders (sorted by name).
std::vector<std::filesystem::path> find_runs(const std::filesystem::path& folder);

// Reads one run. Missing files leave their fields empty; a damaged one throws RunFolderError.
RunSummary read_run_summary(const std::filesystem::path& folder);

nlohmann::ordered_json run_summary_to_json(const RunSummary& run, bool with_curves);

}  // namespace harmonia::train
