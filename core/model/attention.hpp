// Shared attention pieces: which keys each query may see (causal + padding + optional window),
// the position ids that follow from the padding mask, and scaled dot-product attention over
// all heads at once (batched matmuls, no per-head loops).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace harmonia::model {

// Opt-in capture of the attention probabilities, for the studio's attention view
// (core/model/attention_maps.hpp). While one is alive on a thread, attend() and
// attend_upcast() on that thread compute the probabilities explicitly (the same q, k, scale
// and mask the model passed) and append each call's [B, H, T, S] fp32 probabilities, one call
// per attention layer in order. Without one, the only cost is a thread-local read per call.
class AttentionRecorder {
 public:
  AttentionRecorder();   // installs itself on this thread (nesting keeps the previous one)
  ~AttentionRecorder();  // and uninstalls
  AttentionRecorder(const AttentionRecorder&) = delete;
  AttentionRecorder& operator=(const AttentionRecorder&) = delete;

  const std::vector<torch::Tensor>& calls() const { return calls_; }
  // The recorder installed on this thread, or null.
  static AttentionRecorder* active();
  void record(const torch::Tensor& probs) { calls_.push_back(probs); }

 private:
  std::vector<torch::Tensor> calls_;
  AttentionRecorder* previous_;
};

// What one forward call sees: `past` cached positions followed by `length` new ones.
struct AttentionLayout {
  int64_t past = 0;
  int64_t length = 0;
  torch::Tensor position_ids;  // [B, length] int64
  torch::Tensor key_is_real;   // bool [B, past+length], undefined when no position is padding
};

// attention_mask: [B, past+length] of 0/1 (1 = real token), or undefined for "all real".
// Position ids are cumsum(mask)-1 clamped at 0, as Hugging Face's generate() builds them, so a
// left-padded row starts counting at its first real token.
AttentionLayout make_attention_layout(const torch::Tensor& attention_mask, int64_t batch, int64_t past,
                                      int64_t length, const torch::Device& device);

// bool [B|1, 1, length, past+length]: query i may attend key j iff j <= past+i, key j is real,
// and (window > 0) past+i-j < window. Undefined when every key is allowed (a decode step with
// no padding), so the caller can skip masking.
torch::Tensor allowed_keys(const AttentionLayout& layout, int64_t window = 0);

// q [B, H, T, D]; k, v [B, Hkv, S, D] with H a multiple of Hkv (grouped-query attention);
// allowed as above or undefined. Scores and softmax run in fp32 whatever the input dtype.
// `dropout` applies to the attention probabilities (pass 0 outside training).
// Returns [B, T, H*D] in q's dtype.
torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                     const torch::Tensor& allowed, double scale, double dropout = 0.0);

// GPT-2's reorder_and_upcast_attn: q and k cast to fp32 before the product, the scale applied
// to the fp32 product (transformers folds it into baddbmm's alpha), softmax in fp32, the
// probabilities cast to v's dtype. Only differs from attend() when q is bf16/fp16: there the
// scores never pass through a 16-bit matmul. Same shapes and result layout as attend().
torch::Tensor attend_upcast(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                            const torch::Tensor& allowed, double scale, double dropout = 0.0);

}  // namespace harmonia::model
