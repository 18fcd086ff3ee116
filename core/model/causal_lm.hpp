// The interface every architecture implements, and what trainers and generators use.
//
//   auto model = harmonia::model::load_model("runs/x/model");       // config.json + model.safetensors
//   harmonia::model::KVCache cache = model->make_cache();
//   auto logits = model->forward(ids, mask, &cache);               // [B, T, vocab]
//   model->save("runs/x/model");                                    // readable by transformers
//
// A CausalLM is a torch::nn::Module: parameters(), train()/eval(), to(device, dtype) work as
// usual. Compound-token models (config.compound) take ids [B, T, F] and return the F fields'
// logits concatenated along the last axis; split_field_logits() separates them.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/model/kv_cache.hpp"
#include "core/model/model_config.hpp"

namespace harmonia::model {

class CausalLM : public torch::nn::Module {
 public:
  explicit CausalLM(ModelConfig config);
  ~CausalLM() override = default;

  const ModelConfig& config() const { return config_; }

  // input_ids: [B, T] int64 ([B, T, F] for compound models). attention_mask: [B, past+T] 0/1,
  // undefined = all ones; left padding is supported (positions start at each row's first real
  // token). cache: when given, its past positions are attended to and the new ones appended.
  // Returns logits [B, T, vocab] in the model's dtype.
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask = {},
                        KVCache* cache = nullptr);

  // The three stages of forward(), for callers that work on hidden states.
  torch::Tensor embed(const torch::Tensor& input_ids);  // [B, T, hidden]
  virtual torch::Tensor forward_hidden(const torch::Tensor& embeddings, const torch::Tensor& attention_mask,
                                       KVCache* cache) = 0;  // after the final norm
  torch::Tensor logits(const torch::Tensor& hidden);

  KVCache make_cache() const { return KVCache(config_.num_hidden_layers); }

  // Compound models: the per-field slices of forward()'s last axis. Otherwise {logits}.
  std::vector<torch::Tensor> split_field_logits(const torch::Tensor& logits) const;

  // Tensors under the names transformers uses in model.safetensors (fused q/k/v split apart,
  // tied lm_head left out as save_pretrained does). Values are detached views.
  std::map<std::string, torch::Tensor> hf_state_dict() const;
  // The same names for the parameters' .grad() (parameters without a gradient are left out).
  std::map<std::string, torch::Tensor> hf_gradients() const;
  // Copies checkpoint tensors in (converting dtype); every parameter must be present with the
  // right shape. Known non-persistent buffers (attn.bias, masked_bias, inv_freq) are ignored,
  // any other unknown name is an error. `source` names the file in messages.
  void load_hf_state_dict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source);

  // Writes DIR/config.json, DIR/generation_config.json and DIR/model.safetensors (creating DIR).
  void save(const std::filesystem::path& dir) const;

  int64_t num_parameters() const;
  torch::Device device() const;
  torch::ScalarType dtype() const;

 protected:
  // Token embedding of the architecture (HF: wte / embed_tokens) and its output projection.
  virtual torch::Tensor embed_tokens(const torch::Tensor& input_ids) = 0;
  virtual torch::Tensor lm_head(const torch::Tensor& hidden) = 0;
  // Checkpoint names accepted for `name` besides itself (GPT-2's hub files lack "transformer.").
  virtual std::vector<std::string> alternative_names(const std::string& name) const;

  // Applies hf names to each parameter's `pick(param)` (the value or its gradient).
  template <typename Pick>
  std::map<std::string, torch::Tensor> hf_named(Pick pick) const;

  // Compound-token embeddings and heads, created when config.compound is enabled.
  void build_compound();

  ModelConfig config_;
  torch::nn::ModuleList compound_embeddings_{nullptr}, compound_heads_{nullptr};
  torch::nn::Linear compound_projection_{nullptr};  // F*hidden -> hidden, embedding_mode "concat"
};

// Builds a freshly initialised model (HF-style init: N(0, 0.02), norms at 1, biases at 0).
std::shared_ptr<CausalLM> create_model(const ModelConfig& config);

struct LoadOptions {
  torch::Device device = torch::kCPU;
  torch::ScalarType dtype = torch::kFloat;
};
// Reads DIR/config.json and DIR/model.safetensors.
std::shared_ptr<CausalLM> load_model(const std::filesystem::path& dir, const LoadOptions& options = {});

}  // namespace harmonia::model
