// The fused selective scan and its hand-written backward.
//
// Work is split into (batch row, block of 64 channels) tasks: channels never interact in the
// recurrence, so each task runs the whole sequence on its own [N, 64] slice of the state, held
// in L1. The loops over channels are innermost so exp and the update vectorise (the state is
// kept [N, channels] inside a task for that reason; the public layout is transformers' [D, N]).
//
// The backward recomputes the task's states (L+1 of [N, 64]) instead of saving [B, L, D, N] in
// the forward: for the mini preset that tensor would be 134 MB per layer per batch of 16.
#include "core/model/selective_scan.hpp"

#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/model/cpu_clones.hpp"

namespace harmonia::model {
namespace {

constexpr int64_t kChannelBlock = 64;
using cpu::dot;
using cpu::kLanes;

// exp(x) for the x <= 0 the scan sees (delta > 0, A < 0), without a library call so the loops
// vectorise: Cephes' expf (range reduction by ln 2, degree-6 polynomial, 2^n from the exponent
// bits); relative error about 1e-7. Inputs are clamped to [-87, 88] (exp(-87) is 1.6e-38).
HARMONIA_INLINE float exp_approx(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);  // a select only with -fno-trapping-math (core/CMakeLists.txt)
  // floor(x / ln2 + 0.5) by truncation of a positive number, which vectorises everywhere.
  const int32_t n = static_cast<int32_t>(x * 1.44269504088896341f + 128.5f) - 128;
  const float nf = static_cast<float>(n);
  const float r = x - nf * 0.693359375f + nf * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// The loops over channels live in functions of their own because GCC trusts __restrict on
// parameters (kept through inlining) but not on pointers declared inside a loop body, and
// without it the backward's loop needs more run-time alias checks than it will emit.

// One state row n over dc channels: s = exp(dt * a) * s + du * b; y += s * c (y may be null).
HARMONIA_INLINE void forward_row(int64_t dc, const float* __restrict dt, const float* __restrict an,
                                      const float* __restrict du, float* __restrict sn, float* __restrict yt,
                                      float bn, float cn) {
  if (yt) {
    for (int64_t j = 0; j < dc; ++j) {
      sn[j] = exp_approx(dt[j] * an[j]) * sn[j] + du[j] * bn;
      yt[j] += sn[j] * cn;
    }
  } else {
    for (int64_t j = 0; j < dc; ++j) sn[j] = exp_approx(dt[j] * an[j]) * sn[j] + du[j] * bn;
  }
}

// The gradients through state row n at one time step; hn holds dLoss/ds_t from later steps on
// entry and dLoss/ds_{t-1} on exit, hcur gets dLoss/ds_t (for B's gradient).
HARMONIA_INLINE void backward_row(int64_t dc, const float* __restrict dt, const float* __restrict ut,
                                       const float* __restrict an, const float* __restrict gy,
                                       const float* __restrict s_prev, float* __restrict hn, float* __restrict hcur,
                                       float* __restrict gdt, float* __restrict gA, float* __restrict gu, float bn,
                                       float cn) {
  for (int64_t j = 0; j < dc; ++j) {
    const float hj = hn[j] + gy[j] * cn;  // from y_t and from s_{t+1}
    const float e = exp_approx(dt[j] * an[j]);
    const float ge = hj * s_prev[j] * e;  // dLoss/d(delta * A)
    gdt[j] += ge * an[j] + hj * bn * ut[j];
    gA[j] += ge * dt[j];
    gu[j] += hj * dt[j] * bn;
    hcur[j] = hj;
    hn[j] = hj * e;
  }
}

// The per-step terms of the backward that do not involve the state.
HARMONIA_INLINE void backward_skip(int64_t dc, const float* __restrict dt, const float* __restrict ut,
                                        const float* __restrict gy, const float* __restrict Dskip,
                                        float* __restrict du, float* __restrict gu, float* __restrict gD,
                                        float* __restrict gdt) {
  for (int64_t j = 0; j < dc; ++j) {
    du[j] = dt[j] * ut[j];
    gu[j] = gy[j] * Dskip[j];
    gD[j] += gy[j] * ut[j];
    gdt[j] = 0.0f;
  }
}

// One (row, channel) of a decoding step: s = exp(dt * a) * s + du * b over the N states; s . c.
HARMONIA_INLINE float step_channel(int64_t N, const float* __restrict a, const float* __restrict b,
                                        const float* __restrict c, float* __restrict s, float dt, float du) {
  for (int64_t n = 0; n < N; ++n) s[n] = exp_approx(dt * a[n]) * s[n] + du * b[n];
  return dot(s, c, N);
}

struct StepArgs {
  int64_t batch, channels, states;
  const float *u, *dt_raw, *A, *B, *C, *Dskip, *z;
  int64_t u_stride, dt_stride, b_stride, c_stride, z_stride;
  float *state, *out;
};

HARMONIA_CPU_CLONES void step_kernel(const StepArgs& a) {
  const int64_t D = a.channels, N = a.states;
  for (int64_t b = 0; b < a.batch; ++b) {
    const float* Bb = a.B + b * a.b_stride;
    const float* Cb = a.C + b * a.c_stride;
    for (int64_t d = 0; d < D; ++d) {
      const float raw = a.dt_raw[b * a.dt_stride + d];
      const float dt = raw > 20.0f ? raw : std::log1p(std::exp(raw));  // torch's softplus (threshold 20)
      const float u = a.u[b * a.u_stride + d];
      const float y = step_channel(N, a.A + d * N, Bb, Cb, a.state + (b * D + d) * N, dt, dt * u) + a.Dskip[d] * u;
      const float z = a.z[b * a.z_stride + d];
      a.out[b * D + d] = y * (z / (1.0f + std::exp(-z)));
    }
  }
}

struct Shape {
  int64_t batch, length, channels, states;
};

// Raw pointers into contiguous fp32 tensors; At is A transposed to [N, D].
struct Inputs {
  const float *u, *delta, *At, *B, *C, *Dskip, *state0;
};

// Row b, channels [d0, d0 + dc): the recurrence over the whole sequence. Writes y (if given), the
// final state into state_out [B, D, N] (if given) and every state into trace [(L+1), N, dc] (if
// given; trace[0] is state0). s and du are scratch of N*dc and dc floats.
HARMONIA_CPU_CLONES void scan_block_forward(const Shape& shape, const Inputs& in, int64_t b, int64_t d0, int64_t dc,
                                             float* y, float* state_out, float* trace, float* __restrict s,
                                             float* __restrict du) {
  const int64_t L = shape.length, D = shape.channels, N = shape.states;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < dc; ++j) s[n * dc + j] = in.state0 ? in.state0[(b * D + d0 + j) * N + n] : 0.0f;
  if (trace) std::memcpy(trace, s, sizeof(float) * N * dc);
  for (int64_t t = 0; t < L; ++t) {
    const int64_t row = b * L + t;
    const float* __restrict ut = in.u + row * D + d0;
    const float* __restrict dt = in.delta + row * D + d0;
    const float* Bt = in.B + row * N;
    const float* Ct = in.C + row * N;
    for (int64_t j = 0; j < dc; ++j) du[j] = dt[j] * ut[j];
    float* __restrict yt = y ? y + row * D + d0 : nullptr;
    if (yt)
      for (int64_t j = 0; j < dc; ++j) yt[j] = in.Dskip[d0 + j] * ut[j];
    for (int64_t n = 0; n < N; ++n) forward_row(dc, dt, in.At + n * D + d0, du, s + n * dc, yt, Bt[n], Ct[n]);
    if (trace) std::memcpy(trace + (t + 1) * N * dc, s, sizeof(float) * N * dc);
  }
  if (state_out)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t j = 0; j < dc; ++j) state_out[(b * D + d0 + j) * N + n] = s[n * dc + j];
}

struct Gradients {
  float *u, *delta;  // [B, L, D]
  float* A;          // [B, N, D]: per row, summed afterwards
  float* Dskip;      // [B, D]
  float *B, *C;      // [B, blocks, L, N]: per channel block, summed afterwards
  float* state0;     // [B, D, N]
  int64_t blocks;
};

// The reverse pass over one task, with its states in `trace` from scan_block_forward. h carries
// dLoss/ds_t backwards (N*dc scratch); hcur and du are dc floats of scratch.
HARMONIA_CPU_CLONES void scan_block_backward(const Shape& shape, const Inputs& in, const float* grad_y, int64_t b,
                                              int64_t block, int64_t d0, int64_t dc, const float* trace,
                                              const Gradients& g, float* __restrict h, float* __restrict hcur,
                                              float* __restrict du) {
  const int64_t L = shape.length, D = shape.channels, N = shape.states;
  std::fill(h, h + N * dc, 0.0f);
  float* gB = g.B + (b * g.blocks + block) * L * N;
  float* gC = g.C + (b * g.blocks + block) * L * N;
  float* __restrict gD = g.Dskip + b * D + d0;
  for (int64_t t = L - 1; t >= 0; --t) {
    const int64_t row = b * L + t;
    const float* __restrict ut = in.u + row * D + d0;
    const float* __restrict dt = in.delta + row * D + d0;
    const float* __restrict gy = grad_y + row * D + d0;
    float* __restrict gu = g.u + row * D + d0;
    float* __restrict gdt = g.delta + row * D + d0;
    backward_skip(dc, dt, ut, gy, in.Dskip + d0, du, gu, gD, gdt);
    for (int64_t n = 0; n < N; ++n) {
      gC[t * N + n] = dot(gy, trace + (t + 1) * N * dc + n * dc, dc);
      backward_row(dc, dt, ut, in.At + n * D + d0, gy, trace + t * N * dc + n * dc, h + n * dc, hcur, gdt,
                   g.A + (b * N + n) * D + d0, gu, in.B[row * N + n], in.C[row * N + n]);
      gB[t * N + n] = dot(hcur, du, dc);
    }
  }
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < dc; ++j) g.state0[(b * D + d0 + j) * N + n] = h[n * dc + j];
}

Shape shape_of(const torch::Tensor& u, const torch::Tensor& A) { return {u.size(0), u.size(1), u.size(2), A.size(1)}; }

int64_t block_count(const Shape& s) { return (s.channels + kChannelBlock - 1) / kChannelBlock; }

// Runs body(begin, end) over the tasks, on the calling thread when a task is under ~32k state
// updates (a decoding step): waking the OpenMP team costs more than such a scan.
// (at::parallel_for only stays serial when the range is *smaller* than its grain.)
template <typename Body>
void for_tasks(const Shape& s, int64_t tasks, const Body& body) {
  if (s.length * s.states * std::min(kChannelBlock, s.channels) < 32768) body(0, tasks);
  else at::parallel_for(0, tasks, 1, body);
}

// Scratch that lives as long as its thread: the backward's trace is about 1 MB per task at
// T = 256, and a fresh allocation of that size is a fresh mmap with its page faults each call.
float* scratch(std::vector<float>& buffer, int64_t size) {
  if (static_cast<int64_t>(buffer.size()) < size) buffer.resize(static_cast<size_t>(size));
  return buffer.data();
}

Inputs pointers(const torch::Tensor& u, const torch::Tensor& delta, const torch::Tensor& At, const torch::Tensor& Bm,
                const torch::Tensor& Cm, const torch::Tensor& Dskip, const torch::Tensor& state0) {
  return {u.data_ptr<float>(),  delta.data_ptr<float>(), At.data_ptr<float>(),
          Bm.data_ptr<float>(), Cm.data_ptr<float>(),    Dskip.data_ptr<float>(),
          state0.defined() ? state0.data_ptr<float>() : nullptr};
}

// Every input fp32 and contiguous.
ScanResult run_forward(const torch::Tensor& u, const torch::Tensor& delta, const torch::Tensor& A,
                       const torch::Tensor& Bm, const torch::Tensor& Cm, const torch::Tensor& Dskip,
                       const torch::Tensor& state0) {
  const Shape shape = shape_of(u, A);
  const auto At = A.t().contiguous();
  auto y = torch::empty({shape.batch, shape.length, shape.channels}, u.options());
  auto state = torch::empty({shape.batch, shape.channels, shape.states}, u.options());
  const Inputs in = pointers(u, delta, At, Bm, Cm, Dskip, state0);
  float* y_ptr = y.data_ptr<float>();
  float* state_ptr = state.data_ptr<float>();
  const int64_t blocks = block_count(shape), tasks = shape.batch * blocks;
  for_tasks(shape, tasks, [&](int64_t begin, int64_t end) {
    thread_local std::vector<float> s_buffer, du_buffer;
    float* s = scratch(s_buffer, shape.states * kChannelBlock);
    float* du = scratch(du_buffer, kChannelBlock);
    for (int64_t task = begin; task < end; ++task) {
      const int64_t b = task / blocks, d0 = (task % blocks) * kChannelBlock;
      scan_block_forward(shape, in, b, d0, std::min(kChannelBlock, shape.channels - d0), y_ptr, state_ptr, nullptr, s,
                         du);
    }
  });
  return {y, state};
}

torch::autograd::variable_list run_backward(const torch::Tensor& grad_y, const torch::Tensor& u,
                                            const torch::Tensor& delta, const torch::Tensor& A,
                                            const torch::Tensor& Bm, const torch::Tensor& Cm,
                                            const torch::Tensor& Dskip, const torch::Tensor& state0) {
  const Shape shape = shape_of(u, A);
  const int64_t blocks = block_count(shape), tasks = shape.batch * blocks;
  const int64_t L = shape.length, D = shape.channels, N = shape.states;
  const auto At = A.t().contiguous();
  const auto gy = grad_y.to(torch::kFloat).contiguous();
  const auto opts = u.options();
  auto gu = torch::empty_like(u), gdelta = torch::empty_like(u);
  auto gA = torch::zeros({shape.batch, N, D}, opts);
  auto gD = torch::zeros({shape.batch, D}, opts);
  auto gB = torch::empty({shape.batch, blocks, L, N}, opts), gC = torch::empty({shape.batch, blocks, L, N}, opts);
  auto gstate0 = torch::empty({shape.batch, D, N}, opts);
  const Inputs in = pointers(u, delta, At, Bm, Cm, Dskip, state0);
  const Gradients g{gu.data_ptr<float>(),    gdelta.data_ptr<float>(), gA.data_ptr<float>(),
                    gD.data_ptr<float>(),    gB.data_ptr<float>(),     gC.data_ptr<float>(),
                    gstate0.data_ptr<float>(), blocks};
  const float* gy_ptr = gy.data_ptr<float>();
  for_tasks(shape, tasks, [&](int64_t begin, int64_t end) {
    thread_local std::vector<float> trace_buffer, h_buffer, hcur_buffer, du_buffer;
    float* trace = scratch(trace_buffer, (L + 1) * N * kChannelBlock);
    float* h = scratch(h_buffer, N * kChannelBlock);
    float* hcur = scratch(hcur_buffer, kChannelBlock);
    float* du = scratch(du_buffer, kChannelBlock);
    for (int64_t task = begin; task < end; ++task) {
      const int64_t b = task / blocks, block = task % blocks, d0 = block * kChannelBlock;
      const int64_t dc = std::min(kChannelBlock, D - d0);
      scan_block_forward(shape, in, b, d0, dc, nullptr, nullptr, trace, h, du);
      scan_block_backward(shape, in, gy_ptr, b, block, d0, dc, trace, g, h, hcur, du);
    }
  });
  return {gu, gdelta, gA.sum(0).t().contiguous(), gB.sum(1), gC.sum(1), gD.sum(0), gstate0};
}

class SelectiveScanFunction : public torch::autograd::Function<SelectiveScanFunction> {
 public:
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& u,
                                                const torch::Tensor& delta, const torch::Tensor& A,
                                                const torch::Tensor& Bm, const torch::Tensor& Cm,
                                                const torch::Tensor& Dskip, const torch::Tensor& state0) {
    ctx->save_for_backward({u, delta, A, Bm, Cm, Dskip, state0});
    auto result = run_forward(u, delta, A, Bm, Cm, Dskip, state0);
    ctx->mark_non_differentiable({result.state});
    return {result.y, result.state};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    if (!grads[0].defined()) return torch::autograd::variable_list(7);
    return run_backward(grads[0], saved[0], saved[1], saved[2], saved[3], saved[4], saved[5], saved[6]);
  }
};

torch::Tensor fp32(const torch::Tensor& t) { return t.to(torch::kFloat).contiguous(); }

void check_shapes(const torch::Tensor& u, const torch::Tensor& delta, const torch::Tensor& A, const torch::Tensor& Bm,
                  const torch::Tensor& Cm, const torch::Tensor& Dskip, const torch::Tensor& state0) {
  TORCH_CHECK(u.dim() == 3 && delta.sizes() == u.sizes(), "selective_scan: u and delta must be [B, L, D], got ",
              u.sizes(), " and ", delta.sizes());
  const int64_t B = u.size(0), L = u.size(1), D = u.size(2);
  TORCH_CHECK(A.dim() == 2 && A.size(0) == D, "selective_scan: A must be [D, N] with D = ", D, ", got ", A.sizes());
  const int64_t N = A.size(1);
  TORCH_CHECK(Bm.sizes() == torch::IntArrayRef({B, L, N}) && Cm.sizes() == Bm.sizes(),
              "selective_scan: B and C must be [B, L, N] = [", B, ", ", L, ", ", N, "], got ", Bm.sizes(), " and ",
              Cm.sizes());
  TORCH_CHECK(Dskip.dim() == 1 && Dskip.size(0) == D, "selective_scan: D must be [", D, "], got ", Dskip.sizes());
  TORCH_CHECK(!state0.defined() || state0.sizes() == torch::IntArrayRef({B, D, N}), "selective_scan: state0 must be [",
              B, ", ", D, ", ", N, "], got ", state0.sizes());
}

}  // namespace

ScanResult selective_scan(const torch::Tensor& u, const torch::Tensor& delta, const torch::Tensor& A,
                          const torch::Tensor& Bm, const torch::Tensor& Cm, const torch::Tensor& Dskip,
                          const torch::Tensor& state0) {
  check_shapes(u, delta, A, Bm, Cm, Dskip, state0);
  if (!u.device().is_cpu()) return selective_scan_reference(u, delta, A, Bm, Cm, Dskip, state0);
  bool needs_grad = false;
  if (torch::GradMode::is_enabled())
    for (const auto* t : {&u, &delta, &A, &Bm, &Cm, &Dskip, &state0})
      needs_grad = needs_grad || (t->defined() && t->requires_grad());
  if (!needs_grad) {
    torch::NoGradGuard no_grad;
    return run_forward(fp32(u), fp32(delta), fp32(A), fp32(Bm), fp32(Cm), fp32(Dskip),
                       state0.defined() ? fp32(state0) : torch::Tensor());
  }
  const auto start = state0.defined() ? fp32(state0) : torch::zeros({u.size(0), u.size(2), A.size(1)}, u.options().dtype(torch::kFloat));
  auto out = SelectiveScanFunction::apply(fp32(u), fp32(delta), fp32(A), fp32(Bm), fp32(Cm), fp32(Dskip), start);
  return {out[0], out[1]};
}

torch::Tensor selective_scan_step(const torch::Tensor& u, const torch::Tensor& dt_raw, const torch::Tensor& A,
                                  const torch::Tensor& Bm, const torch::Tensor& Cm, const torch::Tensor& Dskip,
                                  const torch::Tensor& z, torch::Tensor& state) {
  const int64_t batch = u.size(0), D = u.size(1), N = A.size(1);
  auto rows_ok = [&](const torch::Tensor& t, int64_t width) {
    return t.dim() == 2 && t.size(0) == batch && t.size(1) == width && t.stride(1) == 1 &&
           t.scalar_type() == torch::kFloat && t.device().is_cpu();
  };
  TORCH_CHECK(rows_ok(u, D) && rows_ok(dt_raw, D) && rows_ok(z, D) && rows_ok(Bm, N) && rows_ok(Cm, N),
              "selective_scan_step: u, dt_raw, z [B, D] and B, C [B, N] must be fp32 CPU rows");
  TORCH_CHECK(A.is_contiguous() && A.size(0) == D && Dskip.is_contiguous() && Dskip.numel() == D &&
                  A.scalar_type() == torch::kFloat && Dskip.scalar_type() == torch::kFloat,
              "selective_scan_step: A must be [D, N] and Dskip [D], contiguous fp32");
  TORCH_CHECK(state.is_contiguous() && state.sizes() == torch::IntArrayRef({batch, D, N}) &&
                  state.scalar_type() == torch::kFloat,
              "selective_scan_step: state must be a contiguous fp32 [B, D, N]");
  auto out = torch::empty({batch, D}, u.options());
  const StepArgs args{batch,
                      D,
                      N,
                      u.data_ptr<float>(),
                      dt_raw.data_ptr<float>(),
                      A.data_ptr<float>(),
                      Bm.data_ptr<float>(),
                      Cm.data_ptr<float>(),
                      Dskip.data_ptr<float>(),
                      z.data_ptr<float>(),
                      u.stride(0),
                      dt_raw.stride(0),
                      Bm.stride(0),
                      Cm.stride(0),
                      z.stride(0),
                      state.data_ptr<float>(),
                      out.data_ptr<float>()};
  step_kernel(args);
  return out;
}

ScanResult selective_scan_reference(const torch::Tensor& u, const torch::Tensor& delta, const torch::Tensor& A,
                                    const torch::Tensor& Bm, const torch::Tensor& Cm, const torch::Tensor& Dskip,
                                    const torch::Tensor& state0) {
  check_shapes(u, delta, A, Bm, Cm, Dskip, state0);
  const auto uf = u.to(torch::kFloat), df = delta.to(torch::kFloat);
  const auto decay = torch::exp(df.unsqueeze(-1) * A.to(torch::kFloat));                    // [B, L, D, N]
  const auto input = (df * uf).unsqueeze(-1) * Bm.to(torch::kFloat).unsqueeze(2);           // [B, L, D, N]
  const auto C = Cm.to(torch::kFloat);
  auto s = state0.defined() ? state0.to(torch::kFloat)
                            : torch::zeros({u.size(0), u.size(2), A.size(1)}, uf.options());
  std::vector<torch::Tensor> ys;
  for (int64_t t = 0; t < u.size(1); ++t) {
    s = decay.select(1, t) * s + input.select(1, t);
    ys.push_back(torch::matmul(s, C.select(1, t).unsqueeze(-1)).squeeze(-1));
  }
  auto y = (ys.empty() ? torch::zeros_like(uf) : torch::stack(ys, 1)) + uf * Dskip.to(torch::kFloat);
  return {y, s};
}

}  // namespace harmonia::model
