#include "core/model/attention.hpp"

#include <torch/version.h>

#include "core/model/decode_kernels.hpp"

#include <limits>

namespace harmonia::model {

AttentionLayout make_attention_layout(const torch::Tensor& attention_mask, int64_t batch, int64_t past,
                                      int64_t length, const torch::Device& device) {
  AttentionLayout layout;
  layout.past = past;
  layout.length = length;
  const auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(device);
  if (attention_mask.defined()) {
    TORCH_CHECK(attention_mask.dim() == 2 && attention_mask.size(0) == batch && attention_mask.size(1) == past + length,
                "attention_mask must be [batch, past+new] = [", batch, ", ", past + length, "], got ",
                attention_mask.sizes());
    auto mask = attention_mask.to(device, torch::kLong);
    layout.position_ids = (mask.cumsum(1) - 1).clamp_min(0).narrow(1, past, length);
    auto real = mask.ne(0);
    if (!real.all().item<bool>()) layout.key_is_real = real;
  } else {
    layout.position_ids = torch::arange(past, past + length, long_opts).unsqueeze(0).expand({batch, length});
  }
  return layout;
}

torch::Tensor allowed_keys(const AttentionLayout& layout, int64_t window) {
  const int64_t total = layout.past + layout.length;
  const bool window_matters = window > 0 && total > window;
  if (layout.length == 1 && !layout.key_is_real.defined() && !window_matters) return {};
  const auto device = layout.position_ids.device();
  const auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(device);
  auto query_pos = torch::arange(layout.past, total, long_opts).unsqueeze(1);  // [T, 1]
  auto key_pos = torch::arange(0, total, long_opts).unsqueeze(0);              // [1, S]
  auto distance = query_pos - key_pos;                                         // [T, S]
  auto allowed = distance.ge(0);
  if (window_matters) allowed = allowed.logical_and(distance.lt(window));
  allowed = allowed.view({1, 1, layout.length, total});
  if (layout.key_is_real.defined())
    allowed = allowed.logical_and(layout.key_is_real.view({layout.key_is_real.size(0), 1, 1, total}));
  return allowed;
}

torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                     const torch::Tensor& allowed, double scale, double dropout) {
  const int64_t batch = q.size(0), heads = q.size(1), length = q.size(2), head_dim = q.size(3);
  const int64_t kv_heads = k.size(1), keys = k.size(2);
  // A decoding step (one query, every key allowed): one fused loop per head instead of the
  // batched matmuls below, whose setup costs more than the arithmetic at this size.
  if (length == 1 && !allowed.defined() && dropout == 0) {
    auto out = attend_one_query(q, k, v, scale);
    if (out.defined()) return out;
  }
  torch::Tensor key = k, value = v;
  if (kv_heads != heads) {
    // Grouped-query attention: each kv head serves heads/kv_heads query heads (HF's repeat_kv).
    const int64_t group = heads / kv_heads;
    key = k.unsqueeze(2).expand({batch, kv_heads, group, keys, head_dim}).reshape({batch, heads, keys, head_dim});
    value = v.unsqueeze(2).expand({batch, kv_heads, group, keys, v.size(3)}).reshape({batch, heads, keys, v.size(3)});
  }
  torch::Tensor out;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  // LibTorch >= 2.1 has the fused kernel with an explicit scale. An additive mask with a finite
  // minimum (not -inf) keeps fully padded query rows finite, as the manual path does.
  c10::optional<torch::Tensor> bias;
  const double masked = q.scalar_type() == torch::kHalf ? -30000.0 : std::numeric_limits<float>::lowest() / 2;
  if (allowed.defined()) bias = torch::zeros(allowed.sizes(), q.options()).masked_fill(allowed.logical_not(), masked);
  out = at::scaled_dot_product_attention(q, key, value, bias, dropout, /*is_causal=*/false,
                                         c10::optional<double>(scale));
#else
  // Scale q before the matmul: T*D multiplies instead of T*S.
  auto scores = torch::matmul(q * scale, key.transpose(-2, -1)).to(torch::kFloat);
  if (allowed.defined()) scores = scores.masked_fill(allowed.logical_not(), std::numeric_limits<float>::lowest());
  auto probs = torch::softmax(scores, -1).to(value.scalar_type());
  if (dropout > 0) probs = torch::dropout(probs, dropout, /*train=*/true);
  out = torch::matmul(probs, value);
#endif
  return out.transpose(1, 2).reshape({batch, length, heads * out.size(3)});
}

torch::Tensor attend_upcast(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                            const torch::Tensor& allowed, double scale, double dropout) {
  const int64_t batch = q.size(0), heads = q.size(1), length = q.size(2);
  TORCH_CHECK(k.size(1) == heads, "attend_upcast: grouped-query attention is not used by GPT-2");
  auto scores = torch::matmul(q.to(torch::kFloat), k.to(torch::kFloat).transpose(-2, -1)) * scale;
  if (allowed.defined()) scores = scores.masked_fill(allowed.logical_not(), std::numeric_limits<float>::lowest());
  auto probs = torch::softmax(scores, -1).to(v.scalar_type());
  if (dropout > 0) probs = torch::dropout(probs, dropout, /*train=*/true);
  auto out = torch::matmul(probs, v);
  return out.transpose(1, 2).reshape({batch, length, heads * out.size(3)});
}

}  // namespace harmonia::model
