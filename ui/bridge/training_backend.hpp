// The Qt-free bridge between the Model & Training page and core/model + core/train. Its
// .cpp includes LibTorch, so this header exposes only plain structs and std::function
// callbacks; the Qt side never sees a torch header (their keyword macros collide).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ui/bridge/dataset_cache.hpp"

namespace harmonia::ui {

struct TrainingSpec {
  std::string preset = "tiny";
  std::string architecture;  // "" = the preset's own
  int64_t max_steps = 200;
  int batch_size = 8;
  int seq_len = 256;
  double lr = 1e-3;
  int64_t warmup_steps = 20;
  // "auto" (bf16 where the CPU has native bf16, else fp32: compute::resolve_precision),
  // "fp32" or "bf16"; run.json records what "auto" became.
  std::string precision = "auto";
  int threads = 0;  // <= 0: all cores
  int64_t eval_every = 25;
  uint64_t seed = 1234;
  std::string run_dir;         // created; logs and checkpoints go there
  std::string tokenizer_json;  // the Tokenizer page's tokenizer.json text
  // The Dataset page's input (folder or file list). A new or resumed run imports it with the
  // run's tokenizer into that pair's cache under dataset_cache_root ("" = the default root;
  // see ui/dataset_cache.hpp) -- the quick index answers when the Dataset page already did --
  // and trains from the cache, with the validation share split by file as the CLI does.
  DatasetInput dataset;
  std::string dataset_cache_root;
  double validation = 0.1;
  // Share of train windows in fill-in-the-middle order (core/train/fim.hpp; REMI): the model
  // can then regenerate bars (harmonia infill). 0: plain left-to-right training.
  double fim_rate = 0;
  std::string resume_from;     // a checkpoint directory, or ""
};

struct TrainingUpdate {
  enum class Kind { Started, Step, Validation, CheckpointSaved, Paused, Resumed, Finished, Cancelled, Error };
  Kind kind = Kind::Step;
  int64_t step = 0, total_steps = 0;
  double train_loss = 0, val_loss = 0, lr = 0, tokens_per_s = 0, elapsed_s = 0, eta_s = 0;
  std::string message;
};

const std::vector<std::string>& model_presets();
const std::vector<std::string>& model_architectures();
// Parameters of `preset` built for `architecture` with `vocab_size` tokens. Builds the model
// (hundreds of ms for the big presets): call it from a worker thread. Throws with a message.
int64_t parameter_count(const std::string& preset, const std::string& architecture, int64_t vocab_size);

// The architecture a preset builds when `architecture` is "" (the preset's own), else `architecture`.
std::string effective_architecture(const std::string& preset, const std::string& architecture);
// One line on what sets the architecture apart, "GPT-2: the classic transformer (...)"; "" if unknown.
std::string architecture_explanation(const std::string& architecture);

bool training_available();
std::string training_unavailable_reason();

// One run on its own thread. Updates arrive on a thread of the session's own; the callback
// must hand them over (the GUI queues them). The destructor cancels and joins.
class TrainingSession {
 public:
  TrainingSession(TrainingSpec spec, std::function<void(const TrainingUpdate&)> on_update);
  ~TrainingSession();
  TrainingSession(const TrainingSession&) = delete;
  TrainingSession& operator=(const TrainingSession&) = delete;
  void start();
  void pause();
  void resume();
  void cancel();
  bool finished() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace harmonia::ui
