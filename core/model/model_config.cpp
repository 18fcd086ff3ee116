// config.json <-> ModelConfig, using the field names each transformers config class writes.
#include "core/model/model_config.hpp"
#include "core/data/write_failure.hpp"

#include "core/model/activations.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

namespace harmonia::model {
namespace {

const nlohmann::json* field(const nlohmann::json& json, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto it = json.find(name);
    if (it != json.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

[[noreturn]] void bad(const std::string& source, const std::string& problem) {
  throw ModelConfigError(source + ": " + problem);
}

int64_t get_int(const nlohmann::json& json, std::initializer_list<const char*> names, const std::string& source,
                std::optional<int64_t> fallback = std::nullopt) {
  const nlohmann::json* value = field(json, names);
  if (!value) {
    if (fallback) return *fallback;
    bad(source, std::string("missing required field \"") + *names.begin() + "\"");
  }
  if (!value->is_number_integer()) bad(source, std::string("field \"") + *names.begin() + "\" must be an integer");
  return value->get<int64_t>();
}

std::optional<int64_t> get_optional_int(const nlohmann::json& json, const char* name, const std::string& source) {
  const nlohmann::json* value = field(json, {name});
  if (!value) return std::nullopt;
  // HF allows a list of eos ids; the first one is the primary.
  if (value->is_array() && !value->empty()) value = &(*value)[0];
  if (!value->is_number_integer()) bad(source, std::string("field \"") + name + "\" must be an integer");
  return value->get<int64_t>();
}

double get_double(const nlohmann::json& json, const char* name, const std::string& source, double fallback) {
  const nlohmann::json* value = field(json, {name});
  if (!value) return fallback;
  if (!value->is_number()) bad(source, std::string("field \"") + name + "\" must be a number");
  return value->get<double>();
}

bool get_bool(const nlohmann::json& json, const char* name, const std::string& source, bool fallback) {
  const nlohmann::json* value = field(json, {name});
  if (!value) return fallback;
  if (!value->is_boolean()) bad(source, std::string("field \"") + name + "\" must be true or false");
  return value->get<bool>();
}

std::string get_string(const nlohmann::json& json, const char* name, const std::string& source,
                       const std::string& fallback) {
  const nlohmann::json* value = field(json, {name});
  if (!value) return fallback;
  if (!value->is_string()) bad(source, std::string("field \"") + name + "\" must be a string");
  return value->get<std::string>();
}

// GPT-Neo writes attention_types as [[["global","local"], repeat], ...]; expand it per layer.
std::vector<std::string> expand_attention_types(const nlohmann::json& types, const std::string& source) {
  std::vector<std::string> layers;
  if (!types.is_array()) bad(source, "\"attention_types\" must be an array");
  for (const auto& group : types) {
    if (!group.is_array() || group.size() != 2 || !group[0].is_array() || !group[1].is_number_integer() ||
        group[1].get<int64_t>() < 0 || group[1].get<int64_t>() > 4096)
      bad(source, "\"attention_types\" entries must be [[kinds...], repeat]");
    for (int64_t r = 0; r < group[1].get<int64_t>(); ++r)
      for (const auto& kind : group[0]) {
        if (!kind.is_string()) bad(source, "\"attention_types\" kinds must be strings");
        layers.push_back(kind.get<std::string>());
      }
  }
  return layers;
}

// Qwen3's sliding window, as transformers' Qwen3Config resolves it: layer_types when given,
// otherwise layers >= max_window_layers slide when use_sliding_window is on.
void read_qwen3_sliding_window(const nlohmann::json& json, const std::string& source, ModelConfig& c) {
  const bool use = get_bool(json, "use_sliding_window", source, false);
  if (!use) return;  // sliding_window is then None for every layer
  c.window_size = get_int(json, {"sliding_window"}, source, 4096);
  if (const auto* types = field(json, {"layer_types"})) {
    if (!types->is_array()) bad(source, "\"layer_types\" must be an array");
    for (const auto& t : *types) {
      const std::string kind = t.is_string() ? t.get<std::string>() : "";
      if (kind != "full_attention" && kind != "sliding_attention")
        bad(source, "\"layer_types\" entries must be \"full_attention\" or \"sliding_attention\"");
      c.attention_layers.push_back(kind == "sliding_attention" ? "local" : "global");
    }
    if (static_cast<int64_t>(c.attention_layers.size()) != c.num_hidden_layers)
      bad(source, "\"layer_types\" must list num_hidden_layers entries");
  } else {
    const int64_t first_sliding = get_int(json, {"max_window_layers"}, source, 28);
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) c.attention_layers.push_back(i >= first_sliding ? "local" : "global");
  }
}

const char* architecture_class(const std::string& model_type) {
  if (model_type == "gpt2") return "GPT2LMHeadModel";
  if (model_type == "gpt_neo") return "GPTNeoForCausalLM";
  if (model_type == "llama") return "LlamaForCausalLM";
  if (model_type == "qwen3") return "Qwen3ForCausalLM";
  if (model_type == "gpt_neox") return "GPTNeoXForCausalLM";
  if (model_type == "mamba") return "MambaForCausalLM";
  return "";
}

// The checks validate() makes for a Mamba config (it has no attention fields to check).
template <typename Positive>
void validate_mamba(const ModelConfig& c, Positive positive) {
  positive(c.state_size, "state_size");
  positive(c.conv_kernel, "conv_kernel");
  positive(c.time_step_rank, "time_step_rank");
  if (!(c.layer_norm_epsilon > 0.0 && c.layer_norm_epsilon < 1.0))
    throw ModelConfigError("mamba config: layer_norm_epsilon must be in (0, 1)");
}

// MambaConfig's fields (transformers' configuration_mamba.py, its defaults).
void read_mamba(const nlohmann::json& json, const std::string& source, ModelConfig& c) {
  c.hidden_size = get_int(json, {"hidden_size"}, source, 768);
  c.num_hidden_layers = get_int(json, {"num_hidden_layers"}, source, 32);
  c.state_size = get_int(json, {"state_size"}, source, 16);
  c.conv_kernel = get_int(json, {"conv_kernel"}, source, 4);
  const int64_t expand = get_int(json, {"expand"}, source, 2);
  if (expand <= 0 || expand > 64) bad(source, "field \"expand\" must be in [1, 64], got " + std::to_string(expand));
  if (c.hidden_size <= 0 || c.hidden_size > (int64_t{1} << 24))
    bad(source, "field \"hidden_size\" must be in [1, 2^24], got " + std::to_string(c.hidden_size));
  c.intermediate_size = expand * c.hidden_size;
  // save_pretrained writes intermediate_size too; a value that disagrees with expand would mean
  // two different widths for in_proj, so it is refused rather than guessed.
  const int64_t written = get_int(json, {"intermediate_size"}, source, c.intermediate_size);
  if (written != c.intermediate_size)
    bad(source, "field \"intermediate_size\" (" + std::to_string(written) + ") differs from expand * hidden_size (" +
                    std::to_string(c.intermediate_size) + ")");
  const nlohmann::json* rank = field(json, {"time_step_rank"});
  if (rank && rank->is_string()) {
    if (rank->get<std::string>() != "auto") bad(source, "field \"time_step_rank\" must be an integer or \"auto\"");
    c.time_step_rank = (c.hidden_size + 15) / 16;  // math.ceil(hidden_size / 16)
  } else {
    c.time_step_rank = get_int(json, {"time_step_rank"}, source, (c.hidden_size + 15) / 16);
  }
  c.use_bias = get_bool(json, "use_bias", source, false);
  c.use_conv_bias = get_bool(json, "use_conv_bias", source, true);
  c.residual_in_fp32 = get_bool(json, "residual_in_fp32", source, true);
  c.layer_norm_epsilon = get_double(json, "layer_norm_epsilon", source, 1e-5);
  c.activation = get_string(json, "hidden_act", source, "silu");
  c.tie_word_embeddings = get_bool(json, "tie_word_embeddings", source, true);
}

}  // namespace

const std::vector<std::string>& supported_model_types() {
  static const std::vector<std::string> types = {"gpt2", "gpt_neo", "llama", "qwen3", "gpt_neox", "mamba"};
  return types;
}

void ModelConfig::validate() const {
  const auto& types = supported_model_types();
  if (std::find(types.begin(), types.end(), model_type) == types.end()) {
    std::string list;
    for (const auto& t : types) list += (list.empty() ? "" : ", ") + t;
    throw ModelConfigError("unsupported model_type \"" + model_type + "\" (supported: " + list + ")");
  }
  // Real checkpoints stay far below 2^24 in every dimension (hidden sizes ~1e4, vocabularies
  // ~1e5, contexts ~1e7); a larger value is a broken or hostile file, refused before anything
  // tries to allocate it.
  constexpr int64_t kLargestDimension = int64_t{1} << 24;
  auto positive = [&](int64_t v, const char* name) {
    if (v <= 0) throw ModelConfigError(model_type + " config: " + name + " must be positive, got " + std::to_string(v));
    if (v > kLargestDimension)
      throw ModelConfigError(model_type + " config: " + name + " = " + std::to_string(v) +
                             " is implausibly large (limit " + std::to_string(kLargestDimension) + ")");
  };
  positive(vocab_size, "vocab_size");
  positive(hidden_size, "hidden_size");
  positive(num_hidden_layers, "num_hidden_layers");
  positive(intermediate_size, "intermediate_size");
  if (model_type == "mamba") {
    validate_mamba(*this, positive);
  } else {
    positive(max_position_embeddings, "max_position_embeddings");
    positive(num_attention_heads, "num_attention_heads");
    positive(num_key_value_heads, "num_key_value_heads");
    positive(head_dim, "head_dim");
    if (num_attention_heads % num_key_value_heads != 0)
      throw ModelConfigError(model_type + " config: num_attention_heads (" + std::to_string(num_attention_heads) +
                             ") must be a multiple of num_key_value_heads (" + std::to_string(num_key_value_heads) + ")");
    if ((model_type == "gpt2" || model_type == "gpt_neo" || model_type == "gpt_neox") &&
        (head_dim * num_attention_heads != hidden_size || num_key_value_heads != num_attention_heads))
      throw ModelConfigError(model_type + " config: hidden_size must be divisible by the number of heads");
    if (model_type == "llama" && head_dim % 2 != 0) throw ModelConfigError("llama config: head_dim must be even for RoPE");
    if (model_type == "qwen3" && head_dim % 2 != 0) throw ModelConfigError("qwen3 config: head_dim must be even for RoPE");
    if (model_type == "gpt_neox") {
      if (!(rotary_pct >= 0.0 && rotary_pct <= 1.0))
        throw ModelConfigError("gpt_neox config: rotary_pct must be in [0, 1], got " + std::to_string(rotary_pct));
      if (static_cast<int64_t>(static_cast<double>(head_dim) * rotary_pct) % 2 != 0)
        throw ModelConfigError("gpt_neox config: head_dim * rotary_pct must be even (rotated channels form pairs)");
    }
    if ((model_type == "llama" || model_type == "qwen3" || model_type == "gpt_neox") &&
        !(rope_theta > 0.0 && std::isfinite(rope_theta)))
      throw ModelConfigError(model_type + " config: rope_theta must be positive");
    if (model_type == "qwen3" && !attention_layers.empty()) {
      if (static_cast<int64_t>(attention_layers.size()) != num_hidden_layers)
        throw ModelConfigError("qwen3 config: layer_types must list num_hidden_layers entries");
      positive(window_size, "sliding_window");
    }
    if (model_type == "gpt_neo") {
      if (static_cast<int64_t>(attention_layers.size()) != num_hidden_layers)
        throw ModelConfigError("gpt_neo config: attention_types give " + std::to_string(attention_layers.size()) +
                               " layers but num_layers is " + std::to_string(num_hidden_layers));
      for (const auto& kind : attention_layers)
        if (kind != "global" && kind != "local")
          throw ModelConfigError("gpt_neo config: attention kind \"" + kind + "\" is neither global nor local");
      positive(window_size, "window_size");
    }
  }
  const auto& activations = supported_activations();
  if (std::find(activations.begin(), activations.end(), activation) == activations.end()) {
    std::string list;
    for (const auto& a : activations) list += (list.empty() ? "" : ", ") + a;
    throw ModelConfigError(model_type + " config: unsupported activation \"" + activation + "\" (supported: " + list +
                           ")");
  }
  if (!(initializer_range >= 0.0 && initializer_range <= 10.0))
    throw ModelConfigError(model_type + " config: initializer_range must be in [0, 10]");
  for (double p : {embedding_dropout, attention_dropout, residual_dropout})
    if (!(p >= 0.0 && p < 1.0))
      throw ModelConfigError(model_type + " config: dropout probabilities must be in [0, 1), got " + std::to_string(p));
  if (compound.enabled()) {
    for (int64_t v : compound.field_vocab_sizes) positive(v, "harmonia_compound.field_vocab_sizes[i]");
    if (compound.embedding_mode != "sum" && compound.embedding_mode != "concat")
      throw ModelConfigError("harmonia_compound.embedding_mode must be \"sum\" or \"concat\"");
    if (!compound.field_names.empty() && compound.field_names.size() != compound.field_vocab_sizes.size())
      throw ModelConfigError("harmonia_compound: field_names and field_vocab_sizes differ in length");
  }
}

ModelConfig config_from_json(const nlohmann::json& json, const std::string& source) {
  if (!json.is_object()) bad(source, "not a JSON object");
  ModelConfig c;
  c.original = json;
  c.model_type = get_string(json, "model_type", source, "");
  if (c.model_type.empty()) bad(source, "missing \"model_type\"");
  {
    const auto& types = supported_model_types();
    if (std::find(types.begin(), types.end(), c.model_type) == types.end()) {
      std::string list;
      for (const auto& t : types) list += (list.empty() ? "" : ", ") + t;
      bad(source, "unsupported model_type \"" + c.model_type + "\" (supported: " + list + ")");
    }
  }
  c.vocab_size = get_int(json, {"vocab_size"}, source);
  c.bos_token_id = get_optional_int(json, "bos_token_id", source);
  c.eos_token_id = get_optional_int(json, "eos_token_id", source);
  c.pad_token_id = get_optional_int(json, "pad_token_id", source);
  c.torch_dtype = get_string(json, "torch_dtype", source, "float32");
  c.initializer_range = get_double(json, "initializer_range", source, 0.02);

  if (c.model_type == "gpt2") {
    c.max_position_embeddings = get_int(json, {"n_positions", "max_position_embeddings"}, source, 1024);
    c.hidden_size = get_int(json, {"n_embd", "hidden_size"}, source, 768);
    c.num_hidden_layers = get_int(json, {"n_layer", "num_hidden_layers"}, source, 12);
    c.num_attention_heads = get_int(json, {"n_head", "num_attention_heads"}, source, 12);
    c.intermediate_size = get_int(json, {"n_inner"}, source, 4 * c.hidden_size);
    c.activation = get_string(json, "activation_function", source, "gelu_new");
    c.layer_norm_epsilon = get_double(json, "layer_norm_epsilon", source, 1e-5);
    c.scale_attn_weights = get_bool(json, "scale_attn_weights", source, true);
    c.embedding_dropout = get_double(json, "embd_pdrop", source, 0.1);  // GPT2Config's defaults
    c.attention_dropout = get_double(json, "attn_pdrop", source, 0.1);
    c.residual_dropout = get_double(json, "resid_pdrop", source, 0.1);
    c.tie_word_embeddings = get_bool(json, "tie_word_embeddings", source, true);
    c.scale_attn_by_inverse_layer_idx = get_bool(json, "scale_attn_by_inverse_layer_idx", source, false);
    c.reorder_and_upcast_attn = get_bool(json, "reorder_and_upcast_attn", source, false);
    // Cross-attention layers only exist in encoder-decoder setups, which a causal LM never is.
    if (get_bool(json, "add_cross_attention", source, false))
      bad(source, "add_cross_attention=true (encoder-decoder cross-attention) is not supported");
  } else if (c.model_type == "gpt_neo") {
    c.max_position_embeddings = get_int(json, {"max_position_embeddings"}, source, 2048);
    c.hidden_size = get_int(json, {"hidden_size"}, source, 2048);
    c.num_hidden_layers = get_int(json, {"num_layers", "num_hidden_layers"}, source, 24);
    c.num_attention_heads = get_int(json, {"num_heads", "num_attention_heads"}, source, 16);
    c.intermediate_size = get_int(json, {"intermediate_size"}, source, 4 * c.hidden_size);
    c.activation = get_string(json, "activation_function", source, "gelu_new");
    c.layer_norm_epsilon = get_double(json, "layer_norm_epsilon", source, 1e-5);
    c.window_size = get_int(json, {"window_size"}, source, 256);
    c.embedding_dropout = get_double(json, "embed_dropout", source, 0.0);
    c.attention_dropout = get_double(json, "attention_dropout", source, 0.0);
    c.residual_dropout = get_double(json, "resid_dropout", source, 0.0);
    c.tie_word_embeddings = get_bool(json, "tie_word_embeddings", source, true);
    if (const auto* types = field(json, {"attention_types"})) {
      c.attention_layers = expand_attention_types(*types, source);
    } else if (const auto* layers = field(json, {"attention_layers"})) {
      if (!layers->is_array()) bad(source, "\"attention_layers\" must be an array");
      for (const auto& kind : *layers) {
        if (!kind.is_string()) bad(source, "\"attention_layers\" entries must be strings");
        c.attention_layers.push_back(kind.get<std::string>());
      }
    } else {
      for (int64_t i = 0; i < c.num_hidden_layers; ++i) c.attention_layers.push_back(i % 2 ? "local" : "global");
    }
  } else if (c.model_type == "gpt_neox") {
    c.max_position_embeddings = get_int(json, {"max_position_embeddings"}, source, 2048);
    c.hidden_size = get_int(json, {"hidden_size"}, source, 6144);
    c.num_hidden_layers = get_int(json, {"num_hidden_layers"}, source, 44);
    c.num_attention_heads = get_int(json, {"num_attention_heads"}, source, 64);
    c.intermediate_size = get_int(json, {"intermediate_size"}, source, 24576);
    c.activation = get_string(json, "hidden_act", source, "gelu");
    c.layer_norm_epsilon = get_double(json, "layer_norm_eps", source, 1e-5);
    // transformers 5 renames rotary_pct / rotary_emb_base to partial_rotary_factor / rope_theta.
    c.rotary_pct = get_double(json, "rotary_pct", source, get_double(json, "partial_rotary_factor", source, 0.25));
    c.rope_theta = get_double(json, "rotary_emb_base", source, get_double(json, "rope_theta", source, 10000.0));
    c.use_parallel_residual = get_bool(json, "use_parallel_residual", source, true);
    c.attention_bias = get_bool(json, "attention_bias", source, true);
    c.attention_dropout = get_double(json, "attention_dropout", source, 0.0);
    c.embedding_dropout = c.residual_dropout = get_double(json, "hidden_dropout", source, 0.0);
    c.tie_word_embeddings = get_bool(json, "tie_word_embeddings", source, false);
    try {
      c.rope_scaling = parse_rope_scaling(field(json, {"rope_scaling"}));
    } catch (const std::invalid_argument& e) {
      bad(source, e.what());
    }
  } else if (c.model_type == "mamba") {
    read_mamba(json, source, c);
  } else {  // llama, qwen3
    const bool qwen3 = c.model_type == "qwen3";
    c.max_position_embeddings = get_int(json, {"max_position_embeddings"}, source, qwen3 ? 32768 : 2048);
    c.hidden_size = get_int(json, {"hidden_size"}, source, 4096);
    c.num_hidden_layers = get_int(json, {"num_hidden_layers"}, source, 32);
    c.num_attention_heads = get_int(json, {"num_attention_heads"}, source, 32);
    c.intermediate_size = get_int(json, {"intermediate_size"}, source, 11008);
    c.activation = get_string(json, "hidden_act", source, "silu");
    c.rms_norm_eps = get_double(json, "rms_norm_eps", source, 1e-6);
    c.rope_theta = get_double(json, "rope_theta", source, 10000.0);
    c.attention_bias = get_bool(json, "attention_bias", source, false);
    c.attention_dropout = get_double(json, "attention_dropout", source, 0.0);
    c.tie_word_embeddings = get_bool(json, "tie_word_embeddings", source, false);
    try {
      c.rope_scaling = parse_rope_scaling(field(json, {"rope_scaling"}));
    } catch (const std::invalid_argument& e) {
      bad(source, e.what());
    }
    c.mlp_bias = get_bool(json, "mlp_bias", source, false);
    if (qwen3) {
      read_qwen3_sliding_window(json, source, c);
    } else if (get_bool(json, "use_sliding_window", source, false)) {
      bad(source, "use_sliding_window=true: Llama has no sliding-window layers");
    }
    // pretraining_tp > 1 makes transformers split each projection into that many slices and sum
    // them: the same product up to rounding, so any positive value runs the ordinary matmul.
    if (get_int(json, {"pretraining_tp"}, source, 1) < 1) bad(source, "pretraining_tp must be at least 1");
    if (get_double(json, "partial_rotary_factor", source, 1.0) != 1.0)
      bad(source, "partial_rotary_factor other than 1 is not supported for " + c.model_type);
  }
  if (c.model_type != "mamba") {
    c.num_key_value_heads = get_int(json, {"num_key_value_heads"}, source, c.num_attention_heads);
    if (c.model_type == "gpt2" || c.model_type == "gpt_neo" || c.model_type == "gpt_neox")
      c.num_key_value_heads = c.num_attention_heads;
    if (c.num_attention_heads <= 0) bad(source, "the number of attention heads must be positive");
    const int64_t default_head_dim =
        c.model_type == "qwen3" && !field(json, {"head_dim"}) ? 128 : c.hidden_size / c.num_attention_heads;
    c.head_dim = get_int(json, {"head_dim"}, source, default_head_dim);
  }

  if (const auto* compound = field(json, {"harmonia_compound"})) {
    if (!compound->is_object()) bad(source, "\"harmonia_compound\" must be an object");
    const auto* sizes = field(*compound, {"field_vocab_sizes"});
    if (!sizes || !sizes->is_array() || sizes->empty())
      bad(source, "\"harmonia_compound.field_vocab_sizes\" must be a non-empty array");
    for (const auto& v : *sizes) {
      if (!v.is_number_integer()) bad(source, "\"harmonia_compound.field_vocab_sizes\" must hold integers");
      c.compound.field_vocab_sizes.push_back(v.get<int64_t>());
    }
    if (const auto* names = field(*compound, {"field_names"})) {
      if (!names->is_array()) bad(source, "\"harmonia_compound.field_names\" must be an array");
      for (const auto& n : *names) {
        if (!n.is_string()) bad(source, "\"harmonia_compound.field_names\" must hold strings");
        c.compound.field_names.push_back(n.get<std::string>());
      }
    }
    c.compound.embedding_mode = get_string(*compound, "embedding_mode", source, "sum");
  }
  try {
    c.validate();
  } catch (const ModelConfigError& e) {
    bad(source, e.what());
  }
  return c;
}

nlohmann::json config_to_json(const ModelConfig& c) {
  nlohmann::json j = c.original.is_object() ? c.original : nlohmann::json::object();
  j["model_type"] = c.model_type;
  j["architectures"] = {architecture_class(c.model_type)};
  j["vocab_size"] = c.vocab_size;
  auto optional_id = [&](const char* name, const std::optional<int64_t>& id) {
    if (id) j[name] = *id;
    else j.erase(name);
  };
  optional_id("bos_token_id", c.bos_token_id);
  optional_id("eos_token_id", c.eos_token_id);
  optional_id("pad_token_id", c.pad_token_id);
  j["torch_dtype"] = c.torch_dtype;
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  j["initializer_range"] = c.initializer_range;
  if (c.model_type == "gpt2") {
    j["n_positions"] = c.max_position_embeddings;
    j["n_embd"] = c.hidden_size;
    j["n_layer"] = c.num_hidden_layers;
    j["n_head"] = c.num_attention_heads;
    if (c.intermediate_size == 4 * c.hidden_size) j["n_inner"] = nullptr;
    else j["n_inner"] = c.intermediate_size;
    j["activation_function"] = c.activation;
    j["layer_norm_epsilon"] = c.layer_norm_epsilon;
    j["scale_attn_weights"] = c.scale_attn_weights;
    j["scale_attn_by_inverse_layer_idx"] = c.scale_attn_by_inverse_layer_idx;
    j["reorder_and_upcast_attn"] = c.reorder_and_upcast_attn;
    j["embd_pdrop"] = c.embedding_dropout;
    j["attn_pdrop"] = c.attention_dropout;
    j["resid_pdrop"] = c.residual_dropout;
  } else if (c.model_type == "gpt_neo") {
    j["max_position_embeddings"] = c.max_position_embeddings;
    j["hidden_size"] = c.hidden_size;
    j["num_layers"] = c.num_hidden_layers;
    j["num_heads"] = c.num_attention_heads;
    if (c.intermediate_size == 4 * c.hidden_size) j["intermediate_size"] = nullptr;
    else j["intermediate_size"] = c.intermediate_size;
    j["activation_function"] = c.activation;
    j["layer_norm_epsilon"] = c.layer_norm_epsilon;
    j["window_size"] = c.window_size;
    j["embed_dropout"] = c.embedding_dropout;
    j["attention_dropout"] = c.attention_dropout;
    j["resid_dropout"] = c.residual_dropout;
    j["attention_layers"] = c.attention_layers;
    // HF rebuilds attention_layers from attention_types, so write one [kinds, 1] group per layer.
    nlohmann::json types = nlohmann::json::array();
    for (const auto& kind : c.attention_layers) types.push_back({nlohmann::json::array({kind}), 1});
    j["attention_types"] = types;
  } else if (c.model_type == "gpt_neox") {
    j["max_position_embeddings"] = c.max_position_embeddings;
    j["hidden_size"] = c.hidden_size;
    j["num_hidden_layers"] = c.num_hidden_layers;
    j["num_attention_heads"] = c.num_attention_heads;
    j["intermediate_size"] = c.intermediate_size;
    j["hidden_act"] = c.activation;
    j["layer_norm_eps"] = c.layer_norm_epsilon;
    j["rotary_pct"] = c.rotary_pct;
    j["rotary_emb_base"] = c.rope_theta;
    j["use_parallel_residual"] = c.use_parallel_residual;
    j["attention_bias"] = c.attention_bias;
    j["attention_dropout"] = c.attention_dropout;
    j["hidden_dropout"] = c.residual_dropout;
    j["rope_scaling"] = rope_scaling_to_json(c.rope_scaling);
  } else if (c.model_type == "mamba") {
    j["hidden_size"] = c.hidden_size;
    j["num_hidden_layers"] = c.num_hidden_layers;
    j["state_size"] = c.state_size;
    j["expand"] = c.intermediate_size / c.hidden_size;
    j["intermediate_size"] = c.intermediate_size;
    j["conv_kernel"] = c.conv_kernel;
    j["time_step_rank"] = c.time_step_rank;
    j["use_bias"] = c.use_bias;
    j["use_conv_bias"] = c.use_conv_bias;
    j["residual_in_fp32"] = c.residual_in_fp32;
    j["layer_norm_epsilon"] = c.layer_norm_epsilon;
    j["hidden_act"] = c.activation;
  } else {
    j["max_position_embeddings"] = c.max_position_embeddings;
    j["hidden_size"] = c.hidden_size;
    j["num_hidden_layers"] = c.num_hidden_layers;
    j["num_attention_heads"] = c.num_attention_heads;
    j["num_key_value_heads"] = c.num_key_value_heads;
    j["head_dim"] = c.head_dim;
    j["intermediate_size"] = c.intermediate_size;
    j["hidden_act"] = c.activation;
    j["rms_norm_eps"] = c.rms_norm_eps;
    j["rope_theta"] = c.rope_theta;
    j["attention_bias"] = c.attention_bias;
    j["mlp_bias"] = c.mlp_bias;
    j["attention_dropout"] = c.attention_dropout;
    j["rope_scaling"] = rope_scaling_to_json(c.rope_scaling);
    if (c.model_type == "qwen3") {
      j["use_sliding_window"] = !c.attention_layers.empty();
      if (!c.attention_layers.empty()) {
        j["sliding_window"] = c.window_size;
        nlohmann::json types = nlohmann::json::array();
        for (const auto& kind : c.attention_layers) types.push_back(kind == "local" ? "sliding_attention" : "full_attention");
        j["layer_types"] = types;
      } else {
        j.erase("layer_types");
      }
    }
  }
  if (c.compound.enabled()) {
    j["harmonia_compound"] = {{"field_vocab_sizes", c.compound.field_vocab_sizes},
                              {"embedding_mode", c.compound.embedding_mode}};
    if (!c.compound.field_names.empty()) j["harmonia_compound"]["field_names"] = c.compound.field_names;
  } else {
    j.erase("harmonia_compound");
  }
  return j;
}

ModelConfig read_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelConfigError(path.string() + ": cannot open (is this a model directory?)");
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) throw ModelConfigError(path.string() + ": cannot read (" + ec.message() + ")");
  if (size > kMaxConfigJsonBytes)
    throw ModelConfigError(path.string() + ": " + std::to_string(size) + " bytes, larger than any model config (limit " +
                           std::to_string(kMaxConfigJsonBytes >> 10) + " KiB)");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw ModelConfigError(path.string() + ": not valid JSON (" + e.what() + ")");
  }
  return config_from_json(json, path.string());
}

void write_config(const ModelConfig& config, const std::filesystem::path& path) {
  errno = 0;
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw ModelConfigError(path.string() + ": " + data::write_failure("cannot open for writing"));
  out << config_to_json(config).dump(2) << "\n";
  out.close();  // a full disk shows only when the buffer is flushed
  if (!out) throw ModelConfigError(path.string() + ": " + data::write_failure());
}

}  // namespace harmonia::model
