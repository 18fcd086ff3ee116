// The Generate page's "Add a part" on the core's add_part (core/generate/add_part.hpp).
// Qt-free: runs on the worker thread that calls it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "core/midi/score.hpp"

namespace harmonia::ui {

struct AddPartOutcome {
  midi::Score score;      // the piece unchanged plus the new track (last)
  size_t added = 0;       // new notes
  bool cancelled = false;
  std::string error;      // "" when fine
};

// Why the model in `model_dir` cannot add a part ("" when it can): its tokenizer has no
// programs, or they are not in one stream... Reads only its tokenizer.json.
std::string add_part_problem(const std::string& model_dir);

AddPartOutcome run_add_part(const std::string& model_dir, const midi::Score& piece, int program, uint64_t seed,
                            const std::atomic<bool>& cancel, const std::function<void(double)>& progress = {});

}  // namespace harmonia::ui
