// A recorded take on the tokenizer's grid: the take is tokenized with the chosen model's
// tokenizer and decoded again, so what the roll shows is exactly what the model will read
// as the prompt. Qt-free (the model folder is found through core/generate, torch side).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/midi/score.hpp"

namespace harmonia::ui {

struct QuantizedTake {
  midi::Score score;          // the take's notes on the grid, at the take's ticks per quarter
  std::vector<int32_t> ids;   // the take's tokens: what generation gets as its prompt
  std::string tokenizer;      // "REMI, 8 positions a beat (model: DIR)"
  std::string error;          // "" when fine
};

// `model_dir` "" = plain REMI (the tokenizer the studio starts with).
QuantizedTake quantize_take(const midi::Score& take, const std::string& model_dir);

// The prompt ids generation would read for `score` with that model's tokenizer (for tests
// and the panel's token count); empty and `error` set when the tokenizer cannot be loaded.
std::vector<int32_t> prompt_ids_for(const midi::Score& score, const std::string& model_dir, std::string* error = nullptr);

}  // namespace harmonia::ui
