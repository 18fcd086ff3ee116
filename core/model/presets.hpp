// Named model sizes: `tiny` trains in minutes on 2 CPU cores, `small` (~10M) is the CPU
// benchmark size, `distilgpt2` is HF's DistilGPT-2 shape, `qwen3-30m` the Qwen3-style size the
// original Harmonia-LM trained on a GPU, `mamba-mini` a Mamba of mini's size. Any preset with
// model_type "mamba" keeps the width and doubles the layers (about the same parameter count).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/model_config.hpp"

namespace harmonia::model {

const std::vector<std::string>& preset_names();

// The preset's shape for `model_type` ("" = the preset's own architecture: gpt2, or qwen3 for
// qwen3-30m). Throws ModelConfigError for an unknown preset or architecture.
ModelConfig preset_config(const std::string& preset, const std::string& model_type, int64_t vocab_size);

}  // namespace harmonia::model
