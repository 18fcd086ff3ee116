// The architecture-independent half of CausalLM: compound tokens, checkpoint names, save/load.
#include "core/model/causal_lm.hpp"
#include "core/data/write_failure.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "core/model/architectures.hpp"
#include "core/model/decode_kernels.hpp"
#include "core/model/safetensors.hpp"

namespace harmonia::model {
namespace {

// [lo, hi] of int64 ids; on the CPU a plain loop (a decoding step's ids are a handful, and two
// reductions plus two item() calls cost more than the step's embedding lookup).
std::pair<int64_t, int64_t> id_range(const torch::Tensor& ids) {
  if (ids.device().is_cpu() && ids.is_contiguous()) {
    const int64_t* p = ids.data_ptr<int64_t>();
    const auto [lo, hi] = std::minmax_element(p, p + ids.numel());
    return {*lo, *hi};
  }
  return {ids.min().item<int64_t>(), ids.max().item<int64_t>()};
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Buffers that transformers versions wrote into checkpoints but that we recompute.
bool is_ignored_buffer(const std::string& name) {
  return ends_with(name, ".attn.bias") || ends_with(name, ".attn.masked_bias") || ends_with(name, ".masked_bias") ||
         ends_with(name, ".attention.bias") || ends_with(name, "rotary_emb.inv_freq");
}

// "....qkv_proj.weight" -> the three checkpoint names and the rows each takes.
struct FusedPart {
  std::string name;
  int64_t offset, size;
};
std::vector<FusedPart> fused_parts(const std::string& name, const ModelConfig& c) {
  const std::string marker = "qkv_proj.";
  const auto at = name.rfind(marker);
  if (at == std::string::npos) return {};
  const std::string head = name.substr(0, at), tail = name.substr(at + marker.size());
  const int64_t q = c.num_attention_heads * c.head_dim, kv = c.kv_dim();
  return {{head + "q_proj." + tail, 0, q}, {head + "k_proj." + tail, q, kv}, {head + "v_proj." + tail, q + kv, kv}};
}

std::string shape_text(torch::IntArrayRef sizes) {
  std::string s = "[";
  for (size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + "]";
}

}  // namespace

CausalLM::CausalLM(ModelConfig config) : config_(std::move(config)) {
  config_.validate();
  if (config_.compound.enabled()) build_compound();
}

void CausalLM::build_compound() {
  const auto& fields = config_.compound.field_vocab_sizes;
  compound_embeddings_ = register_module("compound_embeddings", torch::nn::ModuleList());
  compound_heads_ = register_module("compound_heads", torch::nn::ModuleList());
  for (int64_t vocab : fields) {
    compound_embeddings_->push_back(torch::nn::Embedding(vocab, config_.hidden_size));
    compound_heads_->push_back(torch::nn::Linear(torch::nn::LinearOptions(config_.hidden_size, vocab).bias(false)));
  }
  if (config_.compound.embedding_mode == "concat")
    compound_projection_ = register_module(
        "compound_projection",
        torch::nn::Linear(torch::nn::LinearOptions(config_.hidden_size * static_cast<int64_t>(fields.size()),
                                                   config_.hidden_size)
                              .bias(false)));
}

torch::Tensor CausalLM::embed(const torch::Tensor& input_ids) {
  const bool compound = config_.compound.enabled();
  const int64_t fields = static_cast<int64_t>(config_.compound.field_vocab_sizes.size());
  TORCH_CHECK(input_ids.scalar_type() == torch::kLong, "input_ids must be int64, got ", input_ids.scalar_type());
  if (!compound) {
    TORCH_CHECK(input_ids.dim() == 2, "input_ids must be [batch, seq], got ", input_ids.sizes());
    if (input_ids.numel() > 0) {
      const auto [lo, hi] = id_range(input_ids);
      TORCH_CHECK(lo >= 0 && hi < config_.vocab_size, "token id out of range: ids span [", lo, ", ", hi,
                  "] but vocab_size is ", config_.vocab_size);
    }
    return embed_tokens(input_ids);
  }
  TORCH_CHECK(input_ids.dim() == 3 && input_ids.size(2) == fields, "compound input_ids must be [batch, seq, ", fields,
              "], got ", input_ids.sizes());
  std::vector<torch::Tensor> parts;
  for (int64_t f = 0; f < fields; ++f) {
    auto ids = input_ids.select(2, f);
    if (ids.numel() > 0) {
      const auto [lo, hi] = id_range(ids);
      TORCH_CHECK(lo >= 0 && hi < config_.compound.field_vocab_sizes[f], "compound field ", f,
                  ": ids span [", lo, ", ", hi, "] but its vocab size is ", config_.compound.field_vocab_sizes[f]);
    }
    parts.push_back(compound_embeddings_[f]->as<torch::nn::Embedding>()->forward(ids));
  }
  if (compound_projection_) return compound_projection_->forward(torch::cat(parts, -1));
  auto sum = parts[0];
  for (int64_t f = 1; f < fields; ++f) sum = sum + parts[f];
  return sum;
}

torch::Tensor CausalLM::logits(const torch::Tensor& hidden) {
  if (!config_.compound.enabled()) return lm_head(hidden);
  std::vector<torch::Tensor> heads;
  for (const auto& head : *compound_heads_) heads.push_back(linear_out_in(hidden, head->as<torch::nn::Linear>()->weight));
  return torch::cat(heads, -1);
}

torch::Tensor CausalLM::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask, KVCache* cache) {
  return logits(forward_hidden(embed(input_ids), attention_mask, cache));
}

std::vector<torch::Tensor> CausalLM::split_field_logits(const torch::Tensor& all) const {
  if (!config_.compound.enabled()) return {all};
  std::vector<torch::Tensor> out;
  int64_t offset = 0;
  for (int64_t vocab : config_.compound.field_vocab_sizes) {
    out.push_back(all.narrow(-1, offset, vocab));
    offset += vocab;
  }
  return out;
}

std::vector<std::string> CausalLM::alternative_names(const std::string&) const { return {}; }

template <typename Pick>
std::map<std::string, torch::Tensor> CausalLM::hf_named(Pick pick) const {
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : named_parameters(/*recurse=*/true)) {
    const torch::Tensor value = pick(item.value());
    if (!value.defined()) continue;
    const auto parts = fused_parts(item.key(), config_);
    if (parts.empty()) {
      out[item.key()] = value;
      continue;
    }
    for (const auto& part : parts) out[part.name] = value.narrow(0, part.offset, part.size);
  }
  return out;
}

std::map<std::string, torch::Tensor> CausalLM::hf_state_dict() const {
  return hf_named([](const torch::Tensor& p) { return p.detach(); });
}

std::map<std::string, torch::Tensor> CausalLM::hf_gradients() const {
  return hf_named([](const torch::Tensor& p) { return p.grad().defined() ? p.grad().detach() : torch::Tensor(); });
}

void CausalLM::load_hf_state_dict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source) {
  torch::NoGradGuard no_grad;
  std::set<std::string> used;
  auto find = [&](const std::string& name) -> const torch::Tensor* {
    auto it = tensors.find(name);
    if (it != tensors.end()) {
      used.insert(name);
      return &it->second;
    }
    for (const auto& alt : alternative_names(name)) {
      it = tensors.find(alt);
      if (it != tensors.end()) {
        used.insert(alt);
        return &it->second;
      }
    }
    return nullptr;
  };
  auto copy_into = [&](torch::Tensor target, const std::string& name) {
    const torch::Tensor* value = find(name);
    if (!value)
      throw std::runtime_error(source + ": missing tensor \"" + name + "\" (a " + config_.model_type + " model needs it)");
    if (value->sizes() != target.sizes())
      throw std::runtime_error(source + ": tensor \"" + name + "\" has shape " + shape_text(value->sizes()) +
                               " but the config implies " + shape_text(target.sizes()));
    if (!value->is_floating_point())
      throw std::runtime_error(source + ": tensor \"" + name + "\" is not floating point");
    target.copy_(*value);
  };
  for (auto& item : named_parameters(/*recurse=*/true)) {
    const auto parts = fused_parts(item.key(), config_);
    if (parts.empty()) {
      copy_into(item.value(), item.key());
      continue;
    }
    for (const auto& part : parts) copy_into(item.value().narrow(0, part.offset, part.size), part.name);
  }
  std::vector<std::string> unexpected;
  for (const auto& [name, value] : tensors) {
    if (used.count(name) || is_ignored_buffer(name)) continue;
    // A saved copy of the tied output weight (GPT-NeoX calls it embed_out).
    if ((name == "lm_head.weight" || (name == "embed_out.weight" && config_.model_type == "gpt_neox")) &&
        config_.tie_word_embeddings)
      continue;
    unexpected.push_back(name);
  }
  if (!unexpected.empty()) {
    std::string list;
    for (size_t i = 0; i < unexpected.size() && i < 5; ++i) list += (i ? ", " : "") + unexpected[i];
    if (unexpected.size() > 5) list += ", ...";
    throw std::runtime_error(source + ": " + std::to_string(unexpected.size()) + " tensors that a " +
                             config_.model_type + " model with this config does not have: " + list +
                             " (does config.json match the weights?)");
  }
}

int64_t CausalLM::num_parameters() const {
  int64_t total = 0;
  for (const auto& p : parameters()) total += p.numel();
  return total;
}

torch::Device CausalLM::device() const {
  const auto params = parameters();
  return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}

torch::ScalarType CausalLM::dtype() const {
  const auto params = parameters();
  return params.empty() ? torch::kFloat : params.front().scalar_type();
}

void CausalLM::save(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  ModelConfig saved = config_;
  const auto type = dtype();
  saved.torch_dtype = type == torch::kBFloat16 ? "bfloat16" : type == torch::kHalf ? "float16" : "float32";
  write_config(saved, dir / "config.json");
  // save_pretrained also writes the special token ids here; generate() reads them from it.
  nlohmann::json generation = {{"_from_model_config", true}};
  if (saved.bos_token_id) generation["bos_token_id"] = *saved.bos_token_id;
  if (saved.eos_token_id) generation["eos_token_id"] = *saved.eos_token_id;
  if (saved.pad_token_id) generation["pad_token_id"] = *saved.pad_token_id;
  errno = 0;
  std::ofstream out(dir / "generation_config.json", std::ios::trunc);
  out << generation.dump(2) << "\n";
  out.close();  // a full disk shows only when the buffer is flushed
  if (!out) throw ModelConfigError((dir / "generation_config.json").string() + ": " + data::write_failure());
  write_safetensors(dir / "model.safetensors", hf_state_dict(), {{"format", "pt"}});
}

std::shared_ptr<CausalLM> create_model(const ModelConfig& config) {
  config.validate();
  std::shared_ptr<CausalLM> model;
  if (config.model_type == "gpt2") model = make_gpt2(config);
  else if (config.model_type == "gpt_neo") model = make_gpt_neo(config);
  else if (config.model_type == "llama") model = make_llama(config);
  else if (config.model_type == "qwen3") model = make_qwen3(config);
  else if (config.model_type == "gpt_neox") model = make_gpt_neox(config);
  else if (config.model_type == "mamba") model = make_mamba(config);
  else throw ModelConfigError("unsupported model_type \"" + config.model_type + "\"");  // validate() lists them

  // Hugging Face's _init_weights: matrices N(0, initializer_range = 0.02), biases 0, norm
  // weights 1. GPT-2 also shrinks residual projections by 1/sqrt(2 * n_layer) so deep stacks
  // start stable.
  torch::NoGradGuard no_grad;
  const double std_dev = config.initializer_range;
  const double residual_std = std_dev / std::sqrt(2.0 * config.num_hidden_layers);
  for (auto& item : model->named_parameters(true)) {
    auto& p = item.value();
    const std::string& name = item.key();
    if (ends_with(name, ".bias")) p.zero_();
    else if (p.dim() >= 2)
      p.normal_(0.0, config.model_type == "gpt2" && ends_with(name, "c_proj.weight") ? residual_std : std_dev);
  }
  if (config.model_type == "mamba") init_mamba_weights(*model, config);
  return model;
}

std::shared_ptr<CausalLM> load_model(const std::filesystem::path& dir, const LoadOptions& options) {
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error(dir.string() + ": not a directory (expected config.json + model.safetensors)");
  const ModelConfig config = read_config(dir / "config.json");
  auto model = create_model(config);
  const auto weights = dir / "model.safetensors";
  if (std::filesystem::exists(weights)) {
    SafetensorsReader reader(weights);
    model->load_hf_state_dict(reader.all_tensors(), weights.string());
  } else if (std::filesystem::exists(dir / "model.safetensors.index.json")) {
    // Sharded checkpoint: the index maps each tensor to its shard file.
    const auto index_path = dir / "model.safetensors.index.json";
    std::ifstream in(index_path);
    nlohmann::json index;
    try {
      index = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(index_path.string() + ": not valid JSON (" + e.what() + ")");
    }
    if (!index.contains("weight_map") || !index["weight_map"].is_object())
      throw std::runtime_error(index_path.string() + ": no \"weight_map\" object");
    std::set<std::string> shards;
    for (const auto& [name, file] : index["weight_map"].items()) {
      if (!file.is_string() || file.get<std::string>().find('/') != std::string::npos)
        throw std::runtime_error(index_path.string() + ": bad shard file name for \"" + name + "\"");
      shards.insert(file.get<std::string>());
    }
    std::map<std::string, torch::Tensor> all;
    for (const auto& shard : shards) {
      SafetensorsReader reader(dir / shard);
      auto part = reader.all_tensors();
      all.insert(part.begin(), part.end());
    }
    model->load_hf_state_dict(all, index_path.string());
  } else if (std::filesystem::exists(dir / "pytorch_model.bin")) {
    throw std::runtime_error(dir.string() +
                             ": only pytorch_model.bin (pickle) found; pickle files are never loaded. Convert it "
                             "with transformers: model.save_pretrained(dir, safe_serialization=True)");
  } else {
    throw std::runtime_error(dir.string() + ": no model.safetensors");
  }
  model->to(options.device, options.dtype);
  model->eval();
  return model;
}

}  // namespace harmonia::model
