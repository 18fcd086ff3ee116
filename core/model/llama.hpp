// Internal: the Llama-family decoder shared by llama.cpp and qwen3.cpp (Qwen3 is Llama plus
// an RMSNorm over each head's q and k before the rotary embedding).
#pragma once

#include <memory>

#include "core/model/causal_lm.hpp"

namespace harmonia::model {

std::shared_ptr<CausalLM> make_llama_family(const ModelConfig& config, bool qk_norm);

}  // namespace harmonia::model
