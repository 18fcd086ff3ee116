#include "core/model/layers.hpp"

#include <cmath>
#include <stdexcept>

#include "core/model/decode_kernels.hpp"

namespace harmonia::model {

Conv1DImpl::Conv1DImpl(int64_t in_features, int64_t out_features) {
  weight = register_parameter("weight", torch::empty({in_features, out_features}).normal_(0.0, 0.02));
  bias = register_parameter("bias", torch::zeros({out_features}));
}

// Decoding (a few rows, no autograd) takes the decode kernel; otherwise addmm (addmv for one row).
torch::Tensor Conv1DImpl::forward(const torch::Tensor& x) { return linear_in_out(x, weight, bias); }

RMSNormImpl::RMSNormImpl(int64_t size, double eps_) : eps(eps_) {
  weight = register_parameter("weight", torch::ones({size}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  auto x32 = x.to(torch::kFloat);
  auto normed = x32 * torch::rsqrt(x32.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return weight * normed.to(x.scalar_type());
}

torch::Tensor dropout_in_training(const torch::Tensor& x, double p, bool training) {
  return training && p > 0 ? torch::dropout(x, p, /*train=*/true) : x;
}

FusedQKVImpl::FusedQKVImpl(int64_t in_features, int64_t q_out_, int64_t kv_out_, bool with_bias)
    : q_out(q_out_), kv_out(kv_out_) {
  weight = register_parameter("weight", torch::empty({q_out + 2 * kv_out, in_features}).normal_(0.0, 0.02));
  if (with_bias) bias = register_parameter("bias", torch::zeros({q_out + 2 * kv_out}));
}

std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> FusedQKVImpl::forward(const torch::Tensor& x) {
  auto qkv = linear_out_in(x, weight, bias);
  return {qkv.narrow(-1, 0, q_out), qkv.narrow(-1, q_out, kv_out), qkv.narrow(-1, q_out + kv_out, kv_out)};
}

torch::Tensor apply_rotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  const int64_t half = x.size(-1) / 2;
  auto rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * cos.to(x.scalar_type()) + rotated * sin.to(x.scalar_type());
}

}  // namespace harmonia::model
