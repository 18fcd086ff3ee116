// What a training run folder already holds, read back for the Model & Training page: the
// loss, learning-rate and speed history from RUN_DIR/train_log.csv (so a resumed or reopened
// run shows its whole curve, not just the steps since the page started) and its checkpoints
// (step-N and best) with the step each was taken at. Qt-free; no LibTorch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace harmonia::ui {

struct RunHistoryPoint {
  int64_t step = 0;
  double value = 0;
};

struct RunHistory {
  std::vector<RunHistoryPoint> trainLoss, valLoss, lr, tokensPerS;
  int64_t lastStep = 0;
};

// Reads RUN_DIR/train_log.csv. A resumed run appends to the log from its checkpoint's step,
// so steps it had logged past that checkpoint appear twice: the later rows win (what the
// model that exists now went through). A missing file is an empty history; a malformed one
// throws std::runtime_error naming the file and the line.
RunHistory read_run_history(const std::string& run_dir);

struct RunCheckpoint {
  std::string path;   // the checkpoint folder
  std::string name;   // "step-00000050" or "best"
  int64_t step = -1;  // from trainer_state.json; -1 when unreadable
  double bestValLoss = -1;  // the best checkpoint's validation loss, -1 when unknown
};

// RUN_DIR/checkpoints' complete checkpoints, step-N oldest first, then best (if any).
std::vector<RunCheckpoint> list_run_checkpoints(const std::string& run_dir);

}  // namespace harmonia::ui
