// Mamba's selective scan: the input-dependent linear recurrence at the heart of each mixer.
//
//   s_t = exp(delta_t * A) * s_{t-1} + (delta_t * B_t) * u_t      s: [D, N] per row, s_{-1} = state0
//   y_t = s_t @ C_t + Dskip * u_t
//
// u, delta: [B, L, D]; A: [D, N] (negative); Bm, Cm: [B, L, N]; Dskip: [D]; state0: [B, D, N] or
// undefined (zeros). Computed in fp32 whatever the inputs' dtype, as transformers does.
#pragma once

#include <torch/types.h>

namespace harmonia::model {

struct ScanResult {
  torch::Tensor y;      // [B, L, D] fp32
  torch::Tensor state;  // [B, D, N] fp32, after the last step (a recurrent decoder's next state0)
};

// The fused CPU loop (one pass over time per row and block of channels, exp and the state update
// vectorised across channels). Differentiable in every input through a hand-written backward
// that recomputes the states instead of storing [B, L, D, N]; `state` is not differentiable.
// Tensors on other devices go through selective_scan_reference.
ScanResult selective_scan(const torch::Tensor& u, const torch::Tensor& delta, const torch::Tensor& A,
                          const torch::Tensor& Bm, const torch::Tensor& Cm, const torch::Tensor& Dskip,
                          const torch::Tensor& state0 = {});

// The same recurrence as one tensor operation per time step, differentiated by autograd: the
// reference the fused kernel is tested against, and the path for CUDA tensors.
ScanResult selective_scan_reference(const torch::Tensor& u, const torch::Tensor& delta, const torch::Tensor& A,
                                    const torch::Tensor& Bm, const torch::Tensor& Cm, const torch::Tensor& Dskip,
                                    const torch::Tensor& state0 = {});

}  // namespace harmonia::model
