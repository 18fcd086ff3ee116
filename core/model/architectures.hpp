// Internal: one factory per architecture file, used by create_model().
#pragma once

#include <memory>

#include "core/model/causal_lm.hpp"

namespace harmonia::model {

std::shared_ptr<CausalLM> make_gpt2(const ModelConfig& config);     // gpt2.cpp
std::shared_ptr<CausalLM> make_gpt_neo(const ModelConfig& config);  // gpt_neo.cpp
std::shared_ptr<CausalLM> make_llama(const ModelConfig& config);    // llama.cpp
std::shared_ptr<CausalLM> make_qwen3(const ModelConfig& config);    // qwen3.cpp
std::shared_ptr<CausalLM> make_gpt_neox(const ModelConfig& config); // gpt_neox.cpp
std::shared_ptr<CausalLM> make_mamba(const ModelConfig& config);    // mamba.cpp
// The SSM parameters' own initialisation (A_log, D, dt_proj, conv), after create_model's.
void init_mamba_weights(CausalLM& model, const ModelConfig& config);  // mamba.cpp

}  // namespace harmonia::model
