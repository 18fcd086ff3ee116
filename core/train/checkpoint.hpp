// Checkpoints: RUN_DIR/checkpoints/step-NNNNNNNN/ holds
//   model/               the HF directory (config.json, model.safetensors)
//   optimizer.pt         AdamW moments and step counts (torch archive)
//   rng.pt               torch's CPU generator state (dropout)
//   trainer_state.json   step, epoch, data position, best val loss, elapsed time, config
// A checkpoint is written to a hidden temporary directory, every file and the directory are
// fsynced, then it is renamed into place: a step-N directory either is complete or does not
// exist, even after kill -9 or power loss. The best one by validation loss is kept as
// checkpoints/best/ (same layout).
#pragma once

#include <torch/optim/optimizer.h>

#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/model/causal_lm.hpp"
#include "core/train/trainer_state.hpp"

namespace harmonia::train {

// Writes checkpoints_dir/name atomically (replacing an existing one of that name).
std::filesystem::path save_checkpoint(const std::filesystem::path& checkpoints_dir, const std::string& name,
                                      const model::CausalLM& model, const torch::optim::Optimizer& optimizer,
                                      const TrainerState& state);
// Restores model weights, optimizer and RNG state; returns the trainer state. trainer_state.json
// is read first, so a damaged one (TrainerStateError) leaves the model and optimizer untouched.
TrainerState load_checkpoint(const std::filesystem::path& checkpoint_dir, model::CausalLM& model,
                             torch::optim::Optimizer& optimizer);
// The newest complete step-N checkpoint under RUN_DIR/checkpoints (or a checkpoints dir, or a
// checkpoint itself).
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& run_dir);
// Removes all but the newest `keep` step-N checkpoints.
void prune_checkpoints(const std::filesystem::path& checkpoints_dir, int keep);
std::string checkpoint_name(int64_t step);

}  // namespace harmonia::train
