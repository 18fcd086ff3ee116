// CPU kernels for decoding: a few rows (one per candidate, one position each) through the
// linear layers and attention. At that size BLAS is a poor fit here: sgemm with M = 1..8
// repacks the whole weight on every call, OpenBLAS's sgemv spreads each call over its own
// thread pool (whatever at::set_num_threads says), and batched matmul for one query per
// head pays more in setup than in arithmetic. These loops stream each weight once, write
// straight into the output and let the compiler vectorise for the CPU at hand.
// Only inference takes them: each function falls back to the ATen op when autograd needs to
// see the computation, or the inputs are not float32 CPU tensors of the expected layout.
#pragma once

#include <torch/types.h>

namespace harmonia::model {

// Largest row count (batch x positions) the decode kernels take; more rows go to BLAS gemm.
constexpr int64_t kDecodeMaxRows = 8;

// x [..., in] @ w [in, out] + bias [out] — GPT-2's Conv1D layout.
torch::Tensor linear_in_out(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias);

// x [..., in] @ w [out, in]^T (+ bias [out] when defined) — nn.Linear's layout, and a tied
// lm_head over the embedding matrix.
torch::Tensor linear_out_in(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias = {});

// Attention of one query position per row over all its keys, no mask: q [B, H, 1, D],
// k, v [B, Hkv, S, D] (H a multiple of Hkv; the last axis contiguous) -> [B, 1, H*D].
// Returns an undefined tensor when the inputs do not fit (the caller then runs the general path).
torch::Tensor attend_one_query(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale);

}  // namespace harmonia::model
