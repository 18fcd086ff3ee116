#include "core/model/embedding_projection.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace harmonia::model {

void symmetric_eigen(std::vector<double> a, int n, std::vector<double>& values, std::vector<double>& vectors) {
  std::vector<double> v(size_t(n) * n, 0.0);
  for (int i = 0; i < n; ++i) v[size_t(i) * n + i] = 1.0;
  auto at = [&](int r, int c) -> double& { return a[size_t(r) * n + c]; };
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0, total = 0;
    for (int r = 0; r < n; ++r)
      for (int c = 0; c < n; ++c) (r == c ? total : off) += at(r, c) * at(r, c);
    if (off <= 1e-30 * (total + off) || off == 0) break;
    for (int p = 0; p < n - 1; ++p)
      for (int q = p + 1; q < n; ++q) {
        if (at(p, q) == 0) continue;
        // The rotation that zeroes a[p][q] (the smaller of the two angles, for stability).
        const double theta = (at(q, q) - at(p, p)) / (2 * at(p, q));
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; ++k) {  // columns p, q
          const double akp = at(k, p), akq = at(k, q);
          at(k, p) = c * akp - s * akq;
          at(k, q) = s * akp + c * akq;
        }
        for (int k = 0; k < n; ++k) {  // rows p, q
          const double apk = at(p, k), aqk = at(q, k);
          at(p, k) = c * apk - s * aqk;
          at(q, k) = s * apk + c * aqk;
        }
        for (int k = 0; k < n; ++k) {
          const double vkp = v[size_t(k) * n + p], vkq = v[size_t(k) * n + q];
          v[size_t(k) * n + p] = c * vkp - s * vkq;
          v[size_t(k) * n + q] = s * vkp + c * vkq;
        }
      }
  }
  std::vector<int> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int x, int y) { return at(x, x) > at(y, y); });
  values.assign(size_t(n), 0.0);
  vectors.assign(size_t(n) * n, 0.0);
  for (int j = 0; j < n; ++j) {
    values[size_t(j)] = at(order[size_t(j)], order[size_t(j)]);
    for (int k = 0; k < n; ++k) vectors[size_t(k) * n + j] = v[size_t(k) * n + order[size_t(j)]];
  }
}

namespace {

// Orthonormal columns spanning z's (modified Gram-Schmidt; a column that vanishes is replaced
// by a unit vector not yet spanned, so the block keeps its width).
torch::Tensor orthonormal_columns(torch::Tensor z) {
  z = z.clone();
  const int64_t d = z.size(0), k = z.size(1);
  for (int64_t j = 0; j < k; ++j) {
    auto col = z.select(1, j);
    for (int pass = 0; pass < 2; ++pass)  // twice: one pass loses orthogonality when columns nearly align
      for (int64_t i = 0; i < j; ++i) col.sub_(z.select(1, i) * z.select(1, i).dot(col));
    double norm = col.norm().item<double>();
    for (int64_t e = 0; norm < 1e-12 && e < d; ++e) {
      col.zero_();
      col[e] = 1.0;
      for (int64_t i = 0; i < j; ++i) col.sub_(z.select(1, i) * z.select(1, i).dot(col));
      norm = col.norm().item<double>();
    }
    col.div_(norm);
  }
  return z;
}

// A fixed, well-spread start block (no global RNG: the same map every time).
torch::Tensor start_block(int64_t d, int64_t k) {
  auto q = torch::empty({d, k}, torch::kDouble);
  auto* p = q.data_ptr<double>();
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (int64_t i = 0; i < d * k; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    p[i] = double(state >> 11) / double(1ull << 53) - 0.5;
  }
  return orthonormal_columns(q);
}

}  // namespace

Projection2D principal_components_2d(const torch::Tensor& rows) {
  if (rows.dim() != 2 || rows.size(0) < 2 || rows.size(1) < 2)
    throw std::invalid_argument("principal_components_2d: need at least 2 rows of at least 2 values, got a tensor of " +
                                std::to_string(rows.dim()) + " dimensions");
  torch::NoGradGuard no_grad;
  const auto x = rows.detach().to(torch::kCPU, torch::kDouble);
  const auto centred = x - x.mean(0, /*keepdim=*/true);
  const int64_t d = x.size(1);
  const auto cov = torch::matmul(centred.t(), centred) / double(x.size(0) - 1);  // [D, D]
  const double total = cov.trace().item<double>();

  // Subspace iteration on a block wider than 2: the top two converge at the rate
  // (lambda_{k+1} / lambda_2)^iterations instead of (lambda_3 / lambda_2)^iterations.
  const int64_t k = std::min<int64_t>(d, 8);
  auto q = start_block(d, k);
  Projection2D out;
  std::vector<double> values, vectors;
  for (int it = 1; it <= 3000; ++it) {
    q = orthonormal_columns(torch::matmul(cov, q));
    // Rayleigh-Ritz: the best eigenpairs inside span(q).
    const auto small = torch::matmul(q.t(), torch::matmul(cov, q)).contiguous();
    std::vector<double> b(small.data_ptr<double>(), small.data_ptr<double>() + k * k);
    symmetric_eigen(b, int(k), values, vectors);
    q = torch::matmul(q, torch::from_blob(vectors.data(), {k, k}, torch::kDouble).clone());
    out.iterations = it;
    // Settled when each of the two axes is an eigenvector to within 1e-9 of the top variance.
    const auto top = q.narrow(1, 0, 2);
    const auto residual = torch::matmul(cov, top) - top * torch::tensor({values[0], values[1]}, torch::kDouble);
    const double scale = std::max(std::abs(values[0]), 1e-300);
    if (residual.norm(2, {0}).max().item<double>() <= 1e-9 * scale) break;
  }
  out.axes = q.narrow(1, 0, 2).t().contiguous();  // [2, D]
  for (int64_t a = 0; a < 2; ++a) {
    auto axis = out.axes[a];
    if (axis[axis.abs().argmax().item<int64_t>()].item<double>() < 0) axis.neg_();
    out.variance[size_t(a)] = values[size_t(a)];
    out.explained[size_t(a)] = total > 0 ? values[size_t(a)] / total : 0.0;
  }
  out.points = torch::matmul(centred, out.axes.t()).contiguous();
  return out;
}

std::vector<torch::Tensor> input_embedding_tables(const CausalLM& model) {
  std::vector<torch::Tensor> tables;
  const auto params = model.named_parameters(/*recurse=*/true);
  if (model.config().compound.enabled()) {
    for (size_t f = 0; f < model.config().compound.field_vocab_sizes.size(); ++f) {
      const auto* t = params.find("compound_embeddings." + std::to_string(f) + ".weight");
      if (!t) throw std::logic_error("input_embedding_tables: no embedding for compound field " + std::to_string(f));
      tables.push_back(t->detach().to(torch::kCPU, torch::kFloat));
    }
    return tables;
  }
  for (const char* name : {"transformer.wte.weight", "model.embed_tokens.weight", "gpt_neox.embed_in.weight",
                           "backbone.embeddings.weight"})
    if (const auto* t = params.find(name)) return {t->detach().to(torch::kCPU, torch::kFloat)};
  throw std::logic_error("input_embedding_tables: no input embedding found in a " + model.config().model_type + " model");
}

}  // namespace harmonia::model
