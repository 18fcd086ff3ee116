// One training run from the command line's options: shared by `harmonia train` and
// `harmonia demo`. Reads a dataset folder, builds or resumes the model, trains with a
// progress line, and leaves RUN_DIR/model + tokenizer.json for `harmonia generate`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/cli/train_saved_args.hpp"
#include "core/train/trainer.hpp"

namespace harmonia::cli {

struct TrainArgs {
  // arch "": the preset's own architecture (gpt2 for tiny/mini/small, mamba for mamba-mini, ...).
  std::string dataset, arch, preset = "tiny", out, resume, precision = "auto", schedule = "cosine", device = "cpu";
  int64_t max_steps = 0, epochs = 1, batch_size = 16, grad_accum = 1, warmup = 50;
  int64_t min_window_notes = 0;  // windows with fewer notes are not trained on
  int64_t eval_every = 0, eval_batches = 0, checkpoint_every = 0, context = 256, patience = 0, log_every = 1;
  double lr = 1e-3, time_budget = 0, val_fraction = 0.1;
  double fim_rate = 0;  // share of windows trained in fill-in-the-middle order (core/train/fim.hpp)
  uint64_t seed = 1234;
  // Seed of the train/validation file split; -1: --seed. Set, runs with other --seed values
  // (init, shuffling, dropout) are validated on the same files, so their losses compare.
  int64_t split_seed = -1;
  int nproc = 1;
  int threads = 0;  // 0: leave the process setting alone
  bool schedule_over_time = false;  // cosine over --time-budget instead of --max-steps
  bool progress = true;  // the \r progress line on stderr (rank 0)
};

// The run's options under their command-line names (what train_args.json keeps).
OptionList train_options(const TrainArgs& args);

// The command line that makes another process run the same training (for --nproc ranks).
std::vector<std::string> train_command_line(const TrainArgs& args);

// Trains in this process. Under WORLD_SIZE/RANK/MASTER_ADDR/MASTER_PORT it is one rank of a
// data-parallel group (each rank reads its shard; rank 0 writes). Throws on bad input.
train::TrainResult run_training(const TrainArgs& args);

// `--nproc N` without WORLD_SIZE set: starts N local ranks of this binary and waits; else
// runs in this process. Returns the exit code.
int run_train_command(const TrainArgs& args);

}  // namespace harmonia::cli
