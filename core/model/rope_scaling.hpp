// RoPE scaling ("rope_scaling" in config.json): the ways transformers stretches rotary position
// embeddings beyond the trained context. Each kind changes only the inverse frequencies (and,
// for YaRN, scales cos/sin), so the attention code stays the same.
//
//   linear   positions divided by factor (transformers 4.33's LlamaLinearScalingRotaryEmbedding)
//   dynamic  NTK-aware: when a call covers L > max_position_embeddings positions, the base grows
//            to theta * (factor*L/max_pos - (factor-1))^(d/(d-2)) for that call's q and k
//   llama3   Llama 3.1: low frequencies / factor, high ones kept, a smooth ramp between
//   yarn     YaRN: ramp between interpolated and extrapolated frequencies + attention factor
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <torch/types.h>

namespace harmonia::model {

struct RopeScaling {
  std::string type = "default";  // default, linear, dynamic, llama3, yarn
  double factor = 1.0;  // yarn: 0 = derive as max_position_embeddings / original
  std::optional<int64_t> original_max_position_embeddings;  // llama3 (required), yarn
  double low_freq_factor = 1.0, high_freq_factor = 4.0;      // llama3
  double beta_fast = 32.0, beta_slow = 1.0;                  // yarn
  std::optional<double> attention_factor;                    // yarn; default from factor/mscale
  double mscale = 0.0, mscale_all_dim = 0.0;                 // yarn (DeepSeek-style attention factor)
  bool truncate = true;                                      // yarn: floor/ceil the ramp's ends

  bool enabled() const { return type != "default"; }
};

// Parses config.json's "rope_scaling" (null or absent: default). Accepts "rope_type" or the
// older "type". Throws std::invalid_argument naming the offending key or value: an unknown or
// unsupported kind (longrope, ...), a missing or non-positive factor, a key the kind does not use.
RopeScaling parse_rope_scaling(const nlohmann::json* json);
nlohmann::json rope_scaling_to_json(const RopeScaling& scaling);  // null for default

// The rotary embedding of one model: `dim` rotated channels per head, base `theta`.
class RotaryEmbedding {
 public:
  RotaryEmbedding(int64_t dim, double theta, int64_t max_position_embeddings, RopeScaling scaling);

  // fp32 [dim/2] inverse frequencies for a call whose keys span `kv_length` positions (past +
  // new; only dynamic NTK depends on it).
  torch::Tensor inverse_frequencies(int64_t kv_length) const;
  // The base dynamic NTK uses for such a call (theta itself up to max_position_embeddings).
  double dynamic_base(int64_t kv_length) const;
  // YaRN's multiplier on cos and sin (1 for the other kinds).
  double attention_scaling() const { return attention_scaling_; }

  // cos, sin [B, 1, T, dim] in fp32 for position_ids [B, T] (rotate-half layout).
  std::pair<torch::Tensor, torch::Tensor> cos_sin(const torch::Tensor& position_ids, int64_t kv_length) const;

 private:
  int64_t dim_;
  double theta_;
  int64_t max_positions_;
  RopeScaling scaling_;
  double attention_scaling_ = 1.0;
  torch::Tensor fixed_inv_freq_;  // every kind but dynamic: computed once
};

}  // namespace harmonia::model
