// The architecture description of a causal LM, read from and written to Hugging Face's
// config.json. One struct for every architecture: fields an architecture does not use keep
// their defaults. The original JSON is kept so fields we do not model survive a round trip.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/model/rope_scaling.hpp"

namespace harmonia::model {

class ModelConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Compound tokens (MidiTok CPWord/Octuple): each position holds one id per field. Each field
// has its own embedding table and output head; the field embeddings are summed, or
// concatenated and projected back to hidden_size. Stored under "harmonia_compound".
struct CompoundConfig {
  std::vector<int64_t> field_vocab_sizes;  // empty: ordinary single-stream model
  std::vector<std::string> field_names;    // optional, for people reading the file
  std::string embedding_mode = "sum";      // "sum" or "concat"
  bool enabled() const { return !field_vocab_sizes.empty(); }
};

struct ModelConfig {
  std::string model_type;  // "gpt2", "gpt_neo", "llama", "qwen3", "gpt_neox", "mamba"
  int64_t vocab_size = 0;
  int64_t max_position_embeddings = 0;
  int64_t hidden_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;  // == num_attention_heads unless grouped-query attention
  int64_t head_dim = 0;             // hidden_size / heads unless given (Qwen3 may differ)
  int64_t intermediate_size = 0;    // MLP width (GPT-2: n_inner, default 4*hidden)
  std::string activation = "gelu_new";
  double layer_norm_epsilon = 1e-5;  // GPT-2, GPT-Neo
  double rms_norm_eps = 1e-6;        // Llama, Qwen3
  double rope_theta = 10000.0;      // GPT-NeoX: rotary_emb_base
  double rotary_pct = 1.0;          // GPT-NeoX: share of each head's channels that rotate
  bool use_parallel_residual = true;  // GPT-NeoX: x + attn(ln1 x) + mlp(ln2 x), else serial
  RopeScaling rope_scaling;         // Llama/Qwen3 "rope_scaling" (linear, dynamic, llama3, yarn)
  bool tie_word_embeddings = true;
  double initializer_range = 0.02;  // std of create_model()'s N(0, std) weights (not used when loading)
  bool attention_bias = false;      // Llama/Qwen3 q/k/v/o biases (GPT-NeoX: on by default)
  bool mlp_bias = false;            // Llama gate/up/down biases
  bool scale_attn_weights = true;   // GPT-2: scores / sqrt(head_dim)
  bool scale_attn_by_inverse_layer_idx = false;  // GPT-2: layer l's scores also / (l + 1)
  bool reorder_and_upcast_attn = false;          // GPT-2: q·k and softmax in fp32 even in bf16/fp16
  // Dropout, active only in train(): after the embeddings, on attention probabilities, and on
  // each block's residual branches (GPT-2: embd/attn/resid_pdrop; GPT-Neo: embed_dropout,
  // attention_dropout, resid_dropout; Llama/Qwen3: attention_dropout only; GPT-NeoX:
  // hidden_dropout for embeddings and branches, attention_dropout).
  double embedding_dropout = 0.0;
  double attention_dropout = 0.0;
  double residual_dropout = 0.0;
  // GPT-Neo: "global"/"local" per layer. Qwen3 with use_sliding_window: the same words for
  // transformers' layer_types "full_attention"/"sliding_attention" (empty: every layer full).
  std::vector<std::string> attention_layers;
  int64_t window_size = 256;  // GPT-Neo window_size / Qwen3 sliding_window: keys seen, the query included
  // Mamba (no attention: heads, head_dim and max_position_embeddings stay 0): the SSM state per
  // channel, the causal depthwise conv's width, the rank of the dt projection, biases on
  // in_proj/out_proj and on the conv, and whether the residual stream is kept in fp32.
  // intermediate_size is expand * hidden_size.
  int64_t state_size = 0;
  int64_t conv_kernel = 0;
  int64_t time_step_rank = 0;
  bool use_bias = false;
  bool use_conv_bias = true;
  bool residual_in_fp32 = true;
  std::optional<int64_t> bos_token_id, eos_token_id, pad_token_id;
  std::string torch_dtype = "float32";
  CompoundConfig compound;
  nlohmann::json original = nlohmann::json::object();  // as read; unknown fields are written back

  // Throws ModelConfigError naming the inconsistent field.
  void validate() const;
  int64_t kv_dim() const { return num_key_value_heads * head_dim; }
};

// Architectures this build can run, in the order error messages list them.
const std::vector<std::string>& supported_model_types();

ModelConfig config_from_json(const nlohmann::json& json, const std::string& source = "config.json");
nlohmann::json config_to_json(const ModelConfig& config);
// config.json of any Hugging Face causal LM is a few KB; a larger file is refused before it
// is read (a hostile or wrong file must not make us allocate its size).
constexpr uint64_t kMaxConfigJsonBytes = 1u << 20;
ModelConfig read_config(const std::filesystem::path& path);  // path of a config.json
void write_config(const ModelConfig& config, const std::filesystem::path& path);

}  // namespace harmonia::model
