#include "core/model/presets.hpp"

#include <algorithm>

namespace harmonia::model {
namespace {

struct PresetShape {
  const char* name;
  const char* default_type;
  int64_t hidden, layers, heads, kv_heads, context, llama_intermediate;
};

// tiny matches the classroom-demo GPT-2 in perf/BASELINES.md (4 x 128, 4 heads, 256 positions:
// ~0.86M parameters with a REMI vocabulary), so its results compare with the Python baseline.
const PresetShape kPresets[] = {
    {"tiny", "gpt2", 128, 4, 4, 4, 256, 352},
    // mini: perf/BASELINES.md's training shape (6 x 256, 8 heads; ~5M parameters): the POP909
    // starter model's size, 10 MB in bf16.
    {"mini", "gpt2", 256, 6, 8, 8, 256, 704},
    {"small", "gpt2", 384, 6, 6, 6, 1024, 1024},
    {"distilgpt2", "gpt2", 768, 6, 12, 12, 1024, 2048},
    {"qwen3-30m", "qwen3", 512, 8, 8, 4, 2048, 1792},
    // pythia-14m: EleutherAI's smallest Pythia shape (6 x 128, 4 heads, 4x MLP, rotary on a
    // quarter of each head, parallel residual, untied embed_out); 2048 positions.
    {"pythia-14m", "gpt_neox", 128, 6, 4, 4, 2048, 352},
    // mamba-mini: mini's width for a Mamba; with twice the layers (see preset_config) it has
    // mini's parameter count (5.3M vs 5.0M with vocabulary 512).
    {"mamba-mini", "mamba", 256, 6, 8, 8, 256, 704},
};

}  // namespace

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& p : kPresets) out.push_back(p.name);
    return out;
  }();
  return names;
}

ModelConfig preset_config(const std::string& preset, const std::string& model_type, int64_t vocab_size) {
  const PresetShape* shape = nullptr;
  for (const auto& p : kPresets)
    if (preset == p.name) shape = &p;
  if (!shape) {
    std::string list;
    for (const auto& n : preset_names()) list += (list.empty() ? "" : ", ") + n;
    throw ModelConfigError("unknown preset \"" + preset + "\" (known: " + list + ")");
  }
  ModelConfig c;
  c.model_type = model_type.empty() ? shape->default_type : model_type;
  c.vocab_size = vocab_size;
  c.hidden_size = shape->hidden;
  c.num_hidden_layers = shape->layers;
  c.num_attention_heads = shape->heads;
  c.num_key_value_heads = shape->heads;
  c.head_dim = shape->hidden / shape->heads;
  c.max_position_embeddings = shape->context;
  c.intermediate_size = 4 * shape->hidden;
  c.activation = "gelu_new";
  c.tie_word_embeddings = true;
  if (c.model_type == "gpt_neo") {
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) c.attention_layers.push_back(i % 2 ? "local" : "global");
    c.window_size = std::min<int64_t>(256, c.max_position_embeddings);
  } else if (c.model_type == "llama" || c.model_type == "qwen3") {
    c.num_key_value_heads = shape->kv_heads;
    c.intermediate_size = shape->llama_intermediate;  // ~8/3 hidden, as SwiGLU has three matrices
    c.activation = "silu";
    c.rope_theta = c.model_type == "qwen3" ? 1000000.0 : 10000.0;
  } else if (c.model_type == "gpt_neox") {
    // Pythia's choices: erf GELU, a quarter of each head rotated, parallel residual, biases,
    // output head separate from the input embedding.
    c.activation = "gelu";
    c.rotary_pct = 0.25;
    c.use_parallel_residual = true;
    c.attention_bias = true;
    c.tie_word_embeddings = false;
    c.rope_theta = 10000.0;
  } else if (c.model_type == "mamba") {
    // A Mamba block (in_proj, out_proj at expand 2: ~6 hidden^2 weights) is half a transformer
    // block (~12 hidden^2), so a preset's Mamba has twice its layers, as the Mamba paper pairs
    // sizes. No attention and no position limit; transformers' MambaConfig defaults otherwise.
    c.num_hidden_layers = 2 * shape->layers;
    c.num_attention_heads = c.num_key_value_heads = c.head_dim = 0;
    c.max_position_embeddings = 0;
    c.intermediate_size = 2 * shape->hidden;
    c.state_size = 16;
    c.conv_kernel = 4;
    c.time_step_rank = (shape->hidden + 15) / 16;
    c.use_bias = false;
    c.use_conv_bias = true;
    c.residual_in_fp32 = true;
    c.activation = "silu";
  }
  c.validate();  // also rejects an unknown model_type, listing the supported ones
  return c;
}

}  // namespace harmonia::model
