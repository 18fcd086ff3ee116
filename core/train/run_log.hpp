// The run's logs, written by rank 0 only: RUN_DIR/train_log.csv (one row per logged step or
// validation) and TensorBoard scalars under RUN_DIR/tensorboard/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/train/tfevents_writer.hpp"

namespace harmonia::train {

struct LogRow {
  int64_t step = 0, epoch = 0;
  double train_loss = -1, val_loss = -1;  // < 0: not measured in this row (empty CSV cell)
  double lr = 0, grad_norm = 0, tokens_per_s = 0, elapsed_s = 0;
};

class RunLog {
 public:
  // append: continue an existing CSV (resumed runs) instead of starting a new one.
  RunLog(const std::filesystem::path& run_dir, bool tensorboard, bool append);
  void write(const LogRow& row);
  void flush();

 private:
  std::ofstream csv_;
  std::unique_ptr<TfEventsWriter> tensorboard_;
};

}  // namespace harmonia::train
