// Qwen3: the Llama decoder plus RMSNorm over each head's q and k (self_attn.q_norm/k_norm,
// weight [head_dim]) before the rotary embedding; head_dim may differ from hidden/heads.
// Small Qwen3-style models (~30M parameters) are what the original Harmonia-LM trained.
#include "core/model/architectures.hpp"
#include "core/model/llama.hpp"

namespace harmonia::model {

std::shared_ptr<CausalLM> make_qwen3(const ModelConfig& config) { return make_llama_family(config, true); }

}  // namespace harmonia::model
