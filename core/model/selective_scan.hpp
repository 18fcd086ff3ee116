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

// One decoding step of a whole mixer's recurrence, fused, for the rows of a batch (no autograd,
// CPU fp32): delta = softplus(dt_raw); state = exp(delta A) state + delta B u (in place);
// returns (state C + Dskip u) * silu(z), [B, D]. u, dt_raw, z: [B, D]; Bm, Cm: [B, N]; each may be
// a column slice of a wider matrix (rows apart by their stride) but its columns contiguous.
// state: [B, D, N] contiguous.
torch::Tensor selective_scan_step(const torch::Tensor& u, const torch::Tensor& dt_raw, const torch::Tensor& A,
                                  const torch::Tensor& Bm, const torch::Tensor& Cm, const torch::Tensor& Dskip,
                                  const torch::Tensor& z, torch::Tensor& state);

// The same recurrence as one tensor operation per time step, differentiated by autograd: the
// reference the fused kernel is tested against, and the path for CUDA tensors.
ScanResult selective_scan_reference(const torch::Tensor& u, const torch::Tensor& delta, const torch::Tensor& A,
                                    const torch::Tensor& Bm, const torch::Tensor& Cm, const torch::Tensor& Dskip,
                                    const torch::Tensor& state0 = {});

}  // namespace harmonia::model
