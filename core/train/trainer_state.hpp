// trainer_state.json, the trainer's position in a checkpoint: read back on every resume, and a
// file a user may have edited or a disk may have damaged. Parsing is torch-free so it can be
// fuzzed under sanitizers (tests/fuzz/trainer_state_fuzz_target.cpp); whatever it accepts is
// safe for the trainer and for BatchSource::restore to use.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace harmonia::train {

class TrainerStateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TrainerState {
  int64_t step = 0;   // optimizer steps done
  int64_t epoch = 0;
  nlohmann::json data = nlohmann::json::object();  // BatchSource::state()
  double best_val_loss = std::numeric_limits<double>::infinity();
  int64_t evals_without_improvement = 0;
  double elapsed_s = 0;  // training time so far (evaluation and checkpointing excluded)
  int64_t tokens = 0;    // tokens trained on, all ranks
  nlohmann::json config = nlohmann::json::object();  // for people reading the file
};

// trainer_state.json files are a few KiB; anything bigger is not one.
constexpr size_t kMaxTrainerStateBytes = 1u << 20;

nlohmann::json trainer_state_to_json(const TrainerState& state);
// Throws TrainerStateError "<path>: <problem>" for text that is not a trainer state: bad JSON,
// a missing or mistyped field, negative counts, a data position without "epoch"/"batch_index".
TrainerState parse_trainer_state(std::string_view text, const std::string& path);
// Reads and parses PATH (refusing files over kMaxTrainerStateBytes before reading them).
TrainerState read_trainer_state(const std::string& path);

}  // namespace harmonia::train
