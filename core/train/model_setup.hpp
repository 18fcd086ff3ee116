// The model a training run starts from, shaped for its tokenizer, and the check that a resumed
// model reads the run's data. Shared by `harmonia train` (app/cli/train_run.cpp) and open to
// the GUI's training page: a compound tokenizer (CPWord, Octuple) gets one embedding table and
// one output head per field, sized like that field's vocabulary (config.json
// "harmonia_compound", which `harmonia generate` reads).
#pragma once

#include <cstdint>
#include <string>

#include "core/model/model_config.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::train {

// preset_config(preset, arch, summed vocabulary) with at least `context` positions and, for
// compound tokenizers, the per-field vocabulary sizes.
model::ModelConfig model_config_for(const std::string& preset, const std::string& arch,
                                    const tokenizer::Tokenizer& tok, int64_t context);

// Throws std::invalid_argument saying why `config` cannot train on ids of `tok`: single-stream
// vs compound, another field count, or a field (or vocabulary) smaller than the tokenizer's.
void check_model_fits(const model::ModelConfig& config, const tokenizer::Tokenizer& tok);

}  // namespace harmonia::train
