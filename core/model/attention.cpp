#include "core/model/attention.hpp"

#include <torch/version.h>

#include "core/model/decode_kernels.hpp"

#include <limits>

namespace harmonia::model {

namespace {

thread_local AttentionRecorder* active_recorder = nullptr;

// Each query head's keys or values: kv head h / (H / Hkv) serves query head h (HF's repeat_kv).
torch::Tensor repeat_kv(const torch::Tensor& t, int64_t heads) {
  const int64_t kv_heads = t.size(1);
  if (kv_heads == heads) return t;
  const int64_t group = heads / kv_heads;
  return t.unsqueeze(2).expand({t.size(0), kv_heads, group, t.size(2), t.size(3)}).reshape({t.size(0), heads, t.size(2), t.size(3)});
}

// attend() while a recorder listens: the probabilities made explicit (fp32 scores and softmax,
// as attend() computes them) and handed to it, then applied to the values.
torch::Tensor attend_recorded(AttentionRecorder& recorder, const torch::Tensor& q, const torch::Tensor& k,
                              const torch::Tensor& v, const torch::Tensor& allowed, double scale, double dropout) {
  const int64_t batch = q.size(0), heads = q.size(1), length = q.size(2);
  const auto key = repeat_kv(k, heads), value = repeat_kv(v, heads);
  auto scores = torch::matmul(q.to(torch::kFloat), key.to(torch::kFloat).transpose(-2, -1)) * scale;
  if (allowed.defined()) scores = scores.masked_fill(allowed.logical_not(), std::numeric_limits<float>::lowest());
  const auto probs = torch::softmax(scores, -1);
  recorder.record(probs.detach().clone());
  auto used = probs.to(value.scalar_type());
  if (dropout > 0) used = torch::dropout(used, dropout, /*train=*/true);
  const auto out = torch::matmul(used, value);
  return out.transpose(1, 2).reshape({batch, length, heads * out.size(3)});
}

}  // namespace

AttentionRecorder::AttentionRecorder() : previous_(active_recorder) { active_recorder = this; }
AttentionRecorder::~AttentionRecorder() { active_recorder = previous_; }
AttentionRecorder* AttentionRecorder::active() { return active_recorder; }

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
  const int64_t batch = q.size(0), heads = q.size(1), length = q.size(2);
  if (active_recorder) return attend_recorded(*active_recorder, q, k, v, allowed, scale, dropout);
  // A decoding step (one query, every key allowed): one fused loop per head instead of the
  // batched matmuls below, whose setup costs more than the arithmetic at this size.
  if (length == 1 && !allowed.defined() && dropout == 0) {
    auto out = attend_one_query(q, k, v, scale);
    if (out.defined()) return out;
  }
  const auto key = repeat_kv(k, heads), value = repeat_kv(v, heads);
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
  // Its scores are fp32 products of fp32 q and k: what attend_recorded() computes.
  if (active_recorder) return attend_recorded(*active_recorder, q, k, v, allowed, scale, dropout);
  auto scores = torch::matmul(q.to(torch::kFloat), k.to(torch::kFloat).transpose(-2, -1)) * scale;
  if (allowed.defined()) scores = scores.masked_fill(allowed.logical_not(), std::numeric_limits<float>::lowest());
  auto probs = torch::softmax(scores, -1).to(v.scalar_type());
  if (dropout > 0) probs = torch::dropout(probs, dropout, /*train=*/true);
  auto out = torch::matmul(probs, v);
  return out.transpose(1, 2).reshape({batch, length, heads * out.size(3)});
}

}  // namespace harmonia::model
