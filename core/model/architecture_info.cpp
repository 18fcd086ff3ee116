#include "core/model/architecture_info.hpp"

namespace harmonia::model {

std::string architecture_summary(const std::string& model_type) {
  if (model_type == "gpt2") return "GPT-2: the classic transformer (learned positions, LayerNorm, GELU MLP).";
  if (model_type == "gpt_neo")
    return "GPT-Neo: GPT-2 with layers alternating full and local (windowed) attention.";
  if (model_type == "llama")
    return "Llama: transformer with rotary positions, RMSNorm and a SwiGLU MLP; grouped-query attention.";
  if (model_type == "qwen3") return "Qwen3: Llama-style transformer that also normalises queries and keys.";
  if (model_type == "gpt_neox")
    return "GPT-NeoX (Pythia): rotary positions on part of each head, attention and MLP side by side.";
  if (model_type == "mamba")
    return "Mamba: no attention; a selective state-space recurrence, constant cost per generated token.";
  return "";
}

}  // namespace harmonia::model
