// The training loop. One call trains a model on a BatchSource and reports through hooks:
//
//   harmonia::train::TrainConfig config;  config.max_steps = 500;  config.out_dir = "runs/x";
//   auto model = harmonia::model::create_model(harmonia::model::preset_config("tiny", "", vocab));
//   harmonia::train::InMemoryBatchSource data(windows, {.batch_size = 16, .context = 256});
//   auto result = harmonia::train::train(config, *model, data, &validation, hooks);
//
// Under torchrun-style variables (WORLD_SIZE...) pass a Distributed; each rank then reads its
// own shard (build the source with rank/world_size) and only rank 0 writes files.
#pragma once

#include <string>

#include "core/model/causal_lm.hpp"
#include "core/train/batch_source.hpp"
#include "core/train/distributed.hpp"
#include "core/train/progress.hpp"
#include "core/train/train_config.hpp"

namespace harmonia::train {

struct TrainResult {
  int64_t steps = 0;               // optimizer steps done in total (resumed runs included)
  double last_train_loss = 0;      // mean over the last logged step
  double last_val_loss = -1;       // < 0: never validated
  double best_val_loss = -1;
  double elapsed_s = 0;            // training time
  double tokens_per_s = 0;
  std::string stop_reason;         // "max_steps", "time_budget", "early_stopping", "cancelled"
  std::filesystem::path last_checkpoint;  // empty without out_dir
};

// resume_from: a run directory or checkpoint to continue from (empty = fresh start). The
// model must have the checkpoint's shape; its weights are replaced.
TrainResult train(const TrainConfig& config, model::CausalLM& model, BatchSource& train_data,
                  BatchSource* validation = nullptr, TrainHooks hooks = {}, Distributed* distributed = nullptr,
                  const std::filesystem::path& resume_from = {});

// Mean loss over the validation split (or its first `max_batches`), token-weighted.
double evaluate(model::CausalLM& model, BatchSource& validation, int64_t max_batches, bool bf16,
                Distributed* distributed = nullptr);

}  // namespace harmonia::train
