// Inverse frequencies per RoPE scaling kind, computed in fp32 with the same operations
// transformers uses, so cos/sin agree to the last bit or two (the fixtures show 2e-6 logits).
#include "core/model/rope_scaling.hpp"

#include <cmath>
#include <set>
#include <stdexcept>

namespace harmonia::model {
namespace {

constexpr double kPi = 3.14159265358979323846;

[[noreturn]] void refuse(const std::string& problem) { throw std::invalid_argument("rope_scaling: " + problem); }

double number(const nlohmann::json& json, const char* key, std::optional<double> fallback) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) {
    if (fallback) return *fallback;
    refuse(std::string("\"") + key + "\" is required for this rope type");
  }
  if (!it->is_number()) refuse(std::string("\"") + key + "\" must be a number");
  const double v = it->get<double>();
  if (!std::isfinite(v)) refuse(std::string("\"") + key + "\" must be finite");
  return v;
}

// 1 / theta^(2i/dim), i = 0..dim/2-1, in fp32 as transformers computes it.
torch::Tensor default_inverse_frequencies(int64_t dim, double theta) {
  const auto exponents = torch::arange(0, dim, 2, torch::kLong).to(torch::kFloat) / static_cast<double>(dim);
  return 1.0 / torch::pow(theta, exponents);
}

// Llama 3.1: wavelengths longer than original/low_freq_factor are interpolated (/ factor), those
// shorter than original/high_freq_factor kept, and the band between blended linearly in
// original/wavelength.
torch::Tensor llama3_inverse_frequencies(int64_t dim, double theta, const RopeScaling& s) {
  const auto inv_freq = default_inverse_frequencies(dim, theta);
  const double original = static_cast<double>(*s.original_max_position_embeddings);
  const double low_freq_wavelen = original / s.low_freq_factor, high_freq_wavelen = original / s.high_freq_factor;
  const auto wavelen = 2.0 * kPi / inv_freq;
  auto scaled = torch::where(wavelen > low_freq_wavelen, inv_freq / s.factor, inv_freq);
  const auto smooth = (original / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
  const auto blended = (1.0 - smooth) * scaled / s.factor + smooth * scaled;
  const auto medium = wavelen.ge(high_freq_wavelen).logical_and(wavelen.le(low_freq_wavelen));
  return torch::where(medium, blended, scaled);
}

// YaRN: dimensions that turn fewer than beta_slow times over the original context are
// interpolated, those turning more than beta_fast times extrapolated, a linear ramp between.
torch::Tensor yarn_inverse_frequencies(int64_t dim, double theta, int64_t max_positions, const RopeScaling& s) {
  const double original =
      static_cast<double>(s.original_max_position_embeddings ? *s.original_max_position_embeddings : max_positions);
  const auto pos_freqs = torch::pow(theta, torch::arange(0, dim, 2, torch::kLong).to(torch::kFloat) / static_cast<double>(dim));
  const auto extrapolated = 1.0 / pos_freqs;
  const auto interpolated = 1.0 / (s.factor * pos_freqs);
  // The dimension index at which a frequency completes `rotations` turns over the original context.
  auto correction_dim = [&](double rotations) {
    return (static_cast<double>(dim) * std::log(original / (rotations * 2.0 * kPi))) / (2.0 * std::log(theta));
  };
  double low = correction_dim(s.beta_fast), high = correction_dim(s.beta_slow);
  if (s.truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, 0.0);
  high = std::min(high, static_cast<double>(dim - 1));
  if (low == high) high += 0.001;  // keeps the ramp defined
  const auto ramp = ((torch::arange(dim / 2, torch::kFloat) - low) / (high - low)).clamp(0.0, 1.0);
  const auto extrapolation_share = 1.0 - ramp;
  return interpolated * (1.0 - extrapolation_share) + extrapolated * extrapolation_share;
}

double yarn_mscale(double scale, double mscale) { return scale <= 1.0 ? 1.0 : 0.1 * mscale * std::log(scale) + 1.0; }

}  // namespace

RopeScaling parse_rope_scaling(const nlohmann::json* json) {
  RopeScaling s;
  if (!json || json->is_null()) return s;
  if (!json->is_object()) refuse("must be an object or null");
  const nlohmann::json* type = nullptr;
  if (json->contains("rope_type") && !(*json)["rope_type"].is_null()) type = &(*json)["rope_type"];
  else if (json->contains("type") && !(*json)["type"].is_null()) type = &(*json)["type"];
  if (!type || !type->is_string()) refuse("needs a \"rope_type\" (or \"type\") string");
  s.type = type->get<std::string>();

  std::set<std::string> allowed = {"rope_type", "type"};
  if (s.type == "default") {
  } else if (s.type == "linear" || s.type == "dynamic") {
    allowed.insert("factor");
    s.factor = number(*json, "factor", std::nullopt);
  } else if (s.type == "llama3") {
    allowed.insert({"factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"});
    s.factor = number(*json, "factor", std::nullopt);
    s.low_freq_factor = number(*json, "low_freq_factor", std::nullopt);
    s.high_freq_factor = number(*json, "high_freq_factor", std::nullopt);
    if (!(s.high_freq_factor > s.low_freq_factor) || s.low_freq_factor <= 0)
      refuse("llama3 needs 0 < low_freq_factor < high_freq_factor");
  } else if (s.type == "yarn") {
    allowed.insert({"factor", "original_max_position_embeddings", "beta_fast", "beta_slow", "attention_factor",
                    "mscale", "mscale_all_dim", "truncate"});
    s.beta_fast = number(*json, "beta_fast", 32.0);
    s.beta_slow = number(*json, "beta_slow", 1.0);
    if (s.beta_fast <= 0 || s.beta_slow <= 0) refuse("yarn's beta_fast and beta_slow must be positive");
    if (json->contains("attention_factor") && !(*json)["attention_factor"].is_null()) {
      s.attention_factor = number(*json, "attention_factor", std::nullopt);
      if (*s.attention_factor <= 0) refuse("\"attention_factor\" must be positive");
    }
    s.mscale = number(*json, "mscale", 0.0);
    s.mscale_all_dim = number(*json, "mscale_all_dim", 0.0);
    if (json->contains("truncate") && !(*json)["truncate"].is_null()) {
      if (!(*json)["truncate"].is_boolean()) refuse("\"truncate\" must be true or false");
      s.truncate = (*json)["truncate"].get<bool>();
    }
  } else {
    refuse("rope type \"" + s.type + "\" is not supported (supported: default, linear, dynamic, llama3, yarn)");
  }
  if (allowed.count("original_max_position_embeddings") && json->contains("original_max_position_embeddings") &&
      !(*json)["original_max_position_embeddings"].is_null()) {
    const auto& v = (*json)["original_max_position_embeddings"];
    if (!v.is_number_integer() || v.get<int64_t>() <= 0)
      refuse("\"original_max_position_embeddings\" must be a positive integer");
    s.original_max_position_embeddings = v.get<int64_t>();
  } else if (s.type == "llama3") {
    refuse("\"original_max_position_embeddings\" is required for llama3");
  }
  if (s.type == "yarn") {
    // Without a factor, transformers derives it from max_position_embeddings / original (0 here
    // marks "derive"; RotaryEmbedding knows max_position_embeddings).
    if (json->contains("factor") && !(*json)["factor"].is_null()) s.factor = number(*json, "factor", std::nullopt);
    else if (s.original_max_position_embeddings) s.factor = 0.0;
    else refuse("yarn needs \"factor\" (or \"original_max_position_embeddings\" to derive it)");
    if (s.factor < 0 || (s.factor == 0 && json->contains("factor") && !(*json)["factor"].is_null()))
      refuse("\"factor\" must be positive");
  } else if (s.type != "default" && !(s.factor > 0)) {
    refuse("\"factor\" must be positive");
  }
  if (s.factor > 1e6) refuse("\"factor\" is implausibly large");
  for (const auto& item : json->items())
    if (!allowed.count(item.key()) && !item.value().is_null())
      refuse("\"" + item.key() + "\" is not supported with rope type \"" + s.type + "\"");
  return s;
}

nlohmann::json rope_scaling_to_json(const RopeScaling& s) {
  if (!s.enabled()) return nullptr;
  // transformers 4.33 accepts exactly {"type", "factor"} for linear and dynamic; later versions
  // still read "type", and need "rope_type" for the kinds 4.33 did not have.
  if (s.type == "linear" || s.type == "dynamic") return {{"type", s.type}, {"factor", s.factor}};
  nlohmann::json j = {{"rope_type", s.type}};
  if (s.factor != 0.0) j["factor"] = s.factor;  // 0: a yarn factor derived from the contexts
  if (s.original_max_position_embeddings) j["original_max_position_embeddings"] = *s.original_max_position_embeddings;
  if (s.type == "llama3") {
    j["low_freq_factor"] = s.low_freq_factor;
    j["high_freq_factor"] = s.high_freq_factor;
  }
  if (s.type == "yarn") {
    j["beta_fast"] = s.beta_fast;
    j["beta_slow"] = s.beta_slow;
    if (s.attention_factor) j["attention_factor"] = *s.attention_factor;
    if (s.mscale != 0) j["mscale"] = s.mscale;
    if (s.mscale_all_dim != 0) j["mscale_all_dim"] = s.mscale_all_dim;
    if (!s.truncate) j["truncate"] = false;
  }
  return j;
}

RotaryEmbedding::RotaryEmbedding(int64_t dim, double theta, int64_t max_position_embeddings, RopeScaling scaling)
    : dim_(dim), theta_(theta), max_positions_(max_position_embeddings), scaling_(std::move(scaling)) {
  if (scaling_.type == "llama3") {
    fixed_inv_freq_ = llama3_inverse_frequencies(dim_, theta_, scaling_);
  } else if (scaling_.type == "yarn") {
    // transformers derives the factor from the context ratio when only the original is given.
    if (scaling_.factor == 0.0)
      scaling_.factor = static_cast<double>(max_positions_) / *scaling_.original_max_position_embeddings;
    fixed_inv_freq_ = yarn_inverse_frequencies(dim_, theta_, max_positions_, scaling_);
    if (scaling_.attention_factor) attention_scaling_ = *scaling_.attention_factor;
    else if (scaling_.mscale != 0 && scaling_.mscale_all_dim != 0)
      attention_scaling_ = yarn_mscale(scaling_.factor, scaling_.mscale) / yarn_mscale(scaling_.factor, scaling_.mscale_all_dim);
    else attention_scaling_ = yarn_mscale(scaling_.factor, 1.0);
  } else {
    fixed_inv_freq_ = default_inverse_frequencies(dim_, theta_);
  }
}

double RotaryEmbedding::dynamic_base(int64_t kv_length) const {
  if (scaling_.type != "dynamic" || kv_length <= max_positions_) return theta_;
  const double f = scaling_.factor;
  const double d = static_cast<double>(dim_);
  return theta_ * std::pow(f * static_cast<double>(kv_length) / static_cast<double>(max_positions_) - (f - 1.0),
                           d / (d - 2.0));
}

torch::Tensor RotaryEmbedding::inverse_frequencies(int64_t kv_length) const {
  if (scaling_.type == "dynamic" && kv_length > max_positions_)
    return default_inverse_frequencies(dim_, dynamic_base(kv_length));
  return fixed_inv_freq_;
}

std::pair<torch::Tensor, torch::Tensor> RotaryEmbedding::cos_sin(const torch::Tensor& position_ids,
                                                                 int64_t kv_length) const {
  const auto inv_freq = inverse_frequencies(kv_length).to(position_ids.device());
  auto positions = position_ids.to(torch::kFloat);
  // transformers 4.33 divides the positions (not the frequencies) by the linear factor.
  if (scaling_.type == "linear") positions = positions / scaling_.factor;
  const auto freqs = positions.unsqueeze(-1) * inv_freq;           // [B, T, dim/2]
  const auto emb = torch::cat({freqs, freqs}, -1).unsqueeze(1);   // [B, 1, T, dim]
  if (attention_scaling_ != 1.0) return {emb.cos() * attention_scaling_, emb.sin() * attention_scaling_};
  return {emb.cos(), emb.sin()};
}

}  // namespace harmonia::model
