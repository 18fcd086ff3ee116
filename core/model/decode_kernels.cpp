#include "core/model/decode_kernels.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "core/compute/decode_pool.hpp"
#include "core/model/cpu_clones.hpp"

namespace harmonia::model {
namespace {

using cpu::dot;
using cpu::kLanes;

// y[r, :] = bias + x[r, :] @ w, w [in, out] row-major. Columns go in blocks so a block of every
// row's output stays in L1 while each weight row segment is read once for all rows. Eight
// weight rows are streamed at a time: one row at a time reached about half the memory
// bandwidth of eight (the 42 MB of the small preset do not fit in this CPU's cache). The
// sums still add x[i] * w[i, j] in order of i, so the result does not depend on the unrolling.
// x may be a column slice of the inputs (its rows `ldx` floats apart), w and y column slices of
// wider matrices (rows `ld` floats apart).
HARMONIA_CPU_CLONES void in_out_kernel(const float* __restrict x, int64_t rows, int64_t in, int64_t ldx,
                                       const float* __restrict w, int64_t out, int64_t ld,
                                       const float* __restrict bias, float* __restrict y) {
  const int64_t block = rows == 1 ? out : 512;
  for (int64_t j0 = 0; j0 < out; j0 += block) {
    const int64_t n = std::min(block, out - j0);
    for (int64_t r = 0; r < rows; ++r) {
      float* __restrict yr = y + r * ld + j0;
      for (int64_t j = 0; j < n; ++j) yr[j] = bias ? bias[j0 + j] : 0.0f;
    }
    int64_t i = 0;
    for (; i + 8 <= in; i += 8) {
      const float* __restrict w0 = w + i * ld + j0;
      const float* __restrict w1 = w0 + ld;
      const float* __restrict w2 = w1 + ld;
      const float* __restrict w3 = w2 + ld;
      const float* __restrict w4 = w3 + ld;
      const float* __restrict w5 = w4 + ld;
      const float* __restrict w6 = w5 + ld;
      const float* __restrict w7 = w6 + ld;
      for (int64_t r = 0; r < rows; ++r) {
        const float* xr = x + r * ldx + i;
        const float x0 = xr[0], x1 = xr[1], x2 = xr[2], x3 = xr[3], x4 = xr[4], x5 = xr[5], x6 = xr[6], x7 = xr[7];
        float* __restrict yr = y + r * ld + j0;
        for (int64_t j = 0; j < n; ++j) {
          float acc = yr[j];
          acc += x0 * w0[j];
          acc += x1 * w1[j];
          acc += x2 * w2[j];
          acc += x3 * w3[j];
          acc += x4 * w4[j];
          acc += x5 * w5[j];
          acc += x6 * w6[j];
          acc += x7 * w7[j];
          yr[j] = acc;
        }
      }
    }
    for (; i < in; ++i) {
      const float* __restrict wi = w + i * ld + j0;
      for (int64_t r = 0; r < rows; ++r) {
        const float xv = x[r * ldx + i];
        float* __restrict yr = y + r * ld + j0;
        for (int64_t j = 0; j < n; ++j) yr[j] += xv * wi[j];
      }
    }
  }
}

// y[r, o] = bias[o] + dot(w[o, :], x[r, :]), w [out, in] row-major: four weight rows are
// streamed at a time (as above, for memory bandwidth), each read once for all rows; every
// dot product keeps the lane order of dot().
// w, bias and y may start at a slice of the outputs: y's rows are `ld` floats apart.
HARMONIA_CPU_CLONES void out_in_kernel(const float* __restrict x, int64_t rows, int64_t in, const float* __restrict w,
                                       int64_t out, int64_t ld, const float* __restrict bias, float* __restrict y) {
  int64_t o = 0;
  for (; o + 4 <= out; o += 4) {
    const float* __restrict w0 = w + o * in;
    for (int64_t r = 0; r < rows; ++r) {
      const float* __restrict xr = x + r * in;
      float a0[kLanes] = {}, a1[kLanes] = {}, a2[kLanes] = {}, a3[kLanes] = {};
      int64_t i = 0;
      for (; i + kLanes <= in; i += kLanes)
        for (int64_t l = 0; l < kLanes; ++l) {
          const float xv = xr[i + l];
          a0[l] += w0[i + l] * xv;
          a1[l] += w0[in + i + l] * xv;
          a2[l] += w0[2 * in + i + l] * xv;
          a3[l] += w0[3 * in + i + l] * xv;
        }
      float* acc[4] = {a0, a1, a2, a3};
      for (int64_t k = 0; k < 4; ++k) {
        float sum = 0;
        for (int64_t l = 0; l < kLanes; ++l) sum += acc[k][l];
        for (int64_t t = i; t < in; ++t) sum += w0[k * in + t] * xr[t];
        y[r * ld + o + k] = (bias ? bias[o + k] : 0.0f) + sum;
      }
    }
  }
  for (; o < out; ++o)
    for (int64_t r = 0; r < rows; ++r) y[r * ld + o] = (bias ? bias[o] : 0.0f) + dot(w + o * in, x + r * in, in);
}

// One head of one row: out = softmax(query . keys) @ values, the query already scaled.
// `scores` has room for `keys` floats.
HARMONIA_CPU_CLONES void attend_head(const float* __restrict query, const float* __restrict k, int64_t k_step,
                                     const float* __restrict v, int64_t v_step, int64_t keys, int64_t dim,
                                     float* __restrict scores, float* __restrict out) {
  float best = -INFINITY;
  for (int64_t j = 0; j < keys; ++j) {
    const float sum = dot(query, k + j * k_step, dim);
    scores[j] = sum;
    best = std::max(best, sum);
  }
  float total = 0;
  for (int64_t j = 0; j < keys; ++j) total += (scores[j] = std::exp(scores[j] - best));
  const float inv = 1.0f / total;
  for (int64_t d = 0; d < dim; ++d) out[d] = 0.0f;
  for (int64_t j = 0; j < keys; ++j) {
    const float p = scores[j] * inv;
    const float* __restrict vj = v + j * v_step;
    for (int64_t d = 0; d < dim; ++d) out[d] += p * vj[d];
  }
}

bool plain_float_cpu(const torch::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat && t.layout() == torch::kStrided;
}

// Inference only: with autograd recording, the ATen ops must run so gradients exist.
bool autograd_sees(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& c = {}) {
  return c10::GradMode::is_enabled() &&
         (a.requires_grad() || b.requires_grad() || (c.defined() && c.requires_grad()));
}

bool kernel_fits(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias, int64_t in,
                 int64_t out) {
  if (!plain_float_cpu(x) || !plain_float_cpu(w) || !w.is_contiguous() || w.dim() != 2) return false;
  if (bias.defined() && (!plain_float_cpu(bias) || !bias.is_contiguous() || bias.numel() != out)) return false;
  if (x.dim() == 0 || x.size(-1) != in || autograd_sees(x, w, bias)) return false;
  const int64_t rows = x.numel() / std::max<int64_t>(in, 1);
  return rows >= 1 && rows <= kDecodeMaxRows;
}

// Below this many weights a hand-off to the pool costs more than the second core saves.
constexpr int64_t kSplitMinWeights = 32 * 1024;

int parts_for(int64_t weights) { return weights < kSplitMinWeights ? 1 : compute::decode_parts(); }

// Row blocks a large Conv1D-layout weight is summed in (see linear_in_out).
constexpr int64_t kInChunks = 4;

HARMONIA_CPU_CLONES void add_into(float* __restrict y, const float* __restrict p, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += p[i];
}

// [begin, end) of part `index` of `total` items, boundaries on multiples of `align`.
std::pair<int64_t, int64_t> slice(int64_t total, int index, int parts, int64_t align) {
  const int64_t units = (total + align - 1) / align;
  const int64_t b = units * index / parts * align, e = units * (index + 1) / parts * align;
  return {std::min(b, total), std::min(e, total)};
}

std::vector<int64_t> with_last(const torch::Tensor& x, int64_t last) {
  auto sizes = x.sizes().vec();
  sizes.back() = last;
  return sizes;
}

// The raw pointers of one linear-layer call (x made contiguous, the output allocated), for
// kernels that passed kernel_fits.
struct KernelCall {
  KernelCall(const torch::Tensor& x_in, const torch::Tensor& w_in, const torch::Tensor& b_in, int64_t in, int64_t out)
      : contiguous(x_in.contiguous()),
        result(at::empty(with_last(x_in, out), contiguous.options())),
        rows(contiguous.numel() / in),
        x(contiguous.data_ptr<float>()),
        w(w_in.data_ptr<float>()),
        bias(b_in.defined() ? b_in.data_ptr<float>() : nullptr),
        y(result.data_ptr<float>()) {}
  torch::Tensor contiguous, result;
  int64_t rows;
  const float *x, *w, *bias;
  float* y;
};

}  // namespace

torch::Tensor linear_in_out(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias) {
  const int64_t in = w.size(0), out = w.size(1);
  if (!kernel_fits(x, w, bias, in, out)) {
    const auto rows = x.reshape({-1, in});
    if (rows.size(0) == 1) return at::addmv(bias, w.t(), rows[0]).view(with_last(x, out));
    return at::addmm(bias, rows, w).view(with_last(x, out));
  }
  const KernelCall call(x, w, bias, in, out);
  const int64_t rows = call.rows;
  const float *xp = call.x, *wp = call.w, *bp = call.bias;
  float* yp = call.y;
  // Large weights are read as kInChunks contiguous blocks of rows of w, each summed on its own
  // and the partial sums added in chunk order at the end. The chunking depends on the shape
  // only, never on the thread count, so every machine gets the same bits; threads take whole
  // chunks (two threads streaming separate blocks reached ~43 GB/s here, splitting each weight
  // row's columns between them ~30 GB/s, one thread ~27 GB/s) and, past kInChunks threads,
  // column slices of them as well (which changes no sum).
  const int64_t chunks = in * out < kSplitMinWeights || in < 8 * kInChunks ? 1 : kInChunks;
  const int threads = parts_for(in * out);
  const int64_t slices = std::max<int64_t>(1, (threads + chunks - 1) / chunks);
  thread_local std::vector<float> scratch;  // chunks 1.. write here; chunk 0 straight into y
  scratch.resize(size_t((chunks - 1) * rows * out));
  float* partial = scratch.data();
  const auto part = [&](int index, int) {
    const int64_t c = index % chunks, sl = index / chunks;
    const auto [i0, i1] = slice(in, int(c), int(chunks), 8);
    const auto [j0, j1] = slice(out, int(sl), int(slices), 16);
    if (i1 <= i0 || j1 <= j0) return;
    float* dst = c == 0 ? yp : partial + (c - 1) * rows * out;
    in_out_kernel(xp + i0, rows, i1 - i0, in, wp + i0 * out + j0, j1 - j0, out, c == 0 && bp ? bp + j0 : nullptr,
                  dst + j0);
  };
  const int pieces = int(chunks * slices);
  if (threads > 1) compute::run_parts(pieces, part);
  else
    for (int i = 0; i < pieces; ++i) part(i, pieces);
  for (int64_t c = 1; c < chunks; ++c) add_into(yp, partial + (c - 1) * rows * out, rows * out);
  return call.result;
}

torch::Tensor linear_out_in(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias) {
  const int64_t out = w.size(0), in = w.size(1);
  if (!kernel_fits(x, w, bias, in, out)) return bias.defined() ? at::linear(x, w, bias) : at::linear(x, w);
  const KernelCall call(x, w, bias, in, out);
  const int64_t rows = call.rows;
  const float *xp = call.x, *wp = call.w, *bp = call.bias;
  float* yp = call.y;
  // Each part takes a slice of the outputs (rows of w): every dot product is unchanged.
  compute::run_parts(parts_for(in * out), [&](int part, int parts) {
    const auto [o0, o1] = slice(out, part, parts, 4);
    if (o1 > o0) out_in_kernel(xp, rows, in, wp + o0 * in, o1 - o0, out, bp ? bp + o0 : nullptr, yp + o0);
  });
  return call.result;
}

torch::Tensor attend_one_query(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale) {
  if (!plain_float_cpu(q) || !plain_float_cpu(k) || !plain_float_cpu(v) || q.dim() != 4 || k.dim() != 4 ||
      v.dim() != 4 || autograd_sees(q, k, v))
    return {};
  const int64_t batch = q.size(0), heads = q.size(1), dim = q.size(3);
  const int64_t kv_heads = k.size(1), keys = k.size(2);
  if (q.size(2) != 1 || k.size(0) != batch || v.size(0) != batch || v.size(1) != kv_heads || v.size(2) != keys ||
      k.size(3) != dim || v.size(3) != dim || kv_heads == 0 || heads % kv_heads != 0 || keys == 0 ||
      q.stride(3) != 1 || k.stride(3) != 1 || v.stride(3) != 1)
    return {};
  const int64_t group = heads / kv_heads;
  auto out = at::empty({batch, 1, heads * dim}, q.options());
  float* o = out.data_ptr<float>();
  const float* qp = q.data_ptr<float>();
  const float* kp = k.data_ptr<float>();
  const float* vp = v.data_ptr<float>();
  const float s = float(scale);
  const int64_t pairs = batch * heads;
  // Each part takes whole (row, head) pairs; the keys and values read dominate, as weights do above.
  compute::run_parts(std::min<int64_t>(parts_for(2 * keys * dim * pairs), pairs), [&](int part, int parts) {
    thread_local std::vector<float> scores, query;
    scores.resize(size_t(keys));
    query.resize(size_t(dim));
    const auto [p0, p1] = slice(pairs, part, parts, 1);
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t b = p / heads, h = p % heads;
      const float* qh = qp + b * q.stride(0) + h * q.stride(1);
      const float* kh = kp + b * k.stride(0) + (h / group) * k.stride(1);
      const float* vh = vp + b * v.stride(0) + (h / group) * v.stride(1);
      for (int64_t d = 0; d < dim; ++d) query[size_t(d)] = qh[d] * s;  // scale q first, as attend() does
      attend_head(query.data(), kh, k.stride(2), vh, v.stride(2), keys, dim, scores.data(), o + p * dim);
    }
  });
  return out;
}

}  // namespace harmonia::model
