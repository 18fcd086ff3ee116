// Small building blocks shared by the architectures. Parameter names match the ones
// Hugging Face uses inside each block, so a model's named_parameters() mirror its checkpoint.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <string>

#include "core/model/activations.hpp"

namespace harmonia::model {

// GPT-2's "Conv1D": a linear layer whose weight is stored [in, out] (transposed from nn.Linear).
class Conv1DImpl : public torch::nn::Module {
 public:
  Conv1DImpl(int64_t in_features, int64_t out_features);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;
};
TORCH_MODULE(Conv1D);

// Llama's RMSNorm: normalise in fp32, cast back, then scale (HF's order of operations).
class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t size, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;
  double eps;
};
TORCH_MODULE(RMSNorm);

// Dropout that is the identity (no copy) outside training or at p == 0.
torch::Tensor dropout_in_training(const torch::Tensor& x, double p, bool training);

// q, k and v projections as one matmul. The weight is [q_out + 2*kv_out, in]; checkpoints keep
// q_proj/k_proj/v_proj apart, and CausalLM's state-dict mapping splits and joins them.
class FusedQKVImpl : public torch::nn::Module {
 public:
  FusedQKVImpl(int64_t in_features, int64_t q_out, int64_t kv_out, bool bias);
  // Returns q [.., q_out], k [.., kv_out], v [.., kv_out] (views of one matmul result).
  std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> forward(const torch::Tensor& x);
  torch::Tensor weight, bias;
  int64_t q_out, kv_out;
};
TORCH_MODULE(FusedQKV);

// Rotary position embedding, "rotate_half" layout (the first and second halves of each head
// form the pairs), as in HF Llama/Qwen; cos/sin come from RotaryEmbedding (rope_scaling.hpp).
// x [B, H, T, D]; computed in x's dtype, as HF does after casting cos/sin to it.
torch::Tensor apply_rotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

}  // namespace harmonia::model
