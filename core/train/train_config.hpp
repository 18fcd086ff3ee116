// Everything a training run is configured with. Plain data: the CLI, the GUI and the demo
// fill it in and hand it to train() (trainer.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace harmonia::train {

struct TrainConfig {
  // Length of the run, in optimizer steps. max_steps <= 0: epochs * batches per epoch.
  int64_t max_steps = 0;
  int64_t epochs = 1;
  double time_budget_s = 0;  // > 0: also stop after this much training time (eval excluded)
  // With a time budget: the cosine decay runs over the budget's training time instead of
  // over max_steps (the "five minutes" runs, where the step count is not known in advance).
  bool schedule_over_time_budget = false;
  int64_t grad_accum = 1;    // micro-batches per optimizer step

  // AdamW with decoupled weight decay; 1-D parameters (biases, norm gains) never decay,
  // embeddings only when asked (HF Trainer decays them, nanoGPT does not).
  double lr = 1e-3;
  double min_lr = 1e-4;
  double beta1 = 0.9, beta2 = 0.95, eps = 1e-8;
  double weight_decay = 0.1;
  bool decay_embeddings = false;
  std::string schedule = "cosine";  // "cosine" (linear warm-up, cosine to min_lr) or "constant"
  int64_t warmup_steps = 0;
  double clip_norm = 1.0;  // <= 0: no clipping (the norm is still measured and logged)

  uint64_t seed = 1234;
  std::string precision = "fp32";  // "fp32" or "bf16" (autocast, fp32 master weights)

  // Validation and early stopping (needs a validation source).
  int64_t eval_every = 0;     // steps; 0 = only at the end
  double eval_every_s = 0;    // also every this many seconds of training time; 0 = off
  int64_t eval_batches = 0;   // 0 = the whole validation split
  int64_t patience = 0;       // evaluations without improvement before stopping; 0 = never

  // Run directory: checkpoints/, train_log.csv, tensorboard/. Empty = keep nothing on disk.
  std::filesystem::path out_dir;
  int64_t checkpoint_every = 0;  // steps; 0 = only at the end and on cancel
  int keep_checkpoints = 2;      // newest step-N directories kept
  int64_t log_every = 1;         // steps between CSV/TensorBoard rows and step events
  bool tensorboard = true;
};

}  // namespace harmonia::train
