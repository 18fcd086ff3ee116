// The token embeddings seen from above: principal component analysis down to two axes, for the
// studio's embedding map. Computed here (subspace iteration with Rayleigh-Ritz, a small Jacobi
// eigensolver for the k x k step), not by a LAPACK call, so it behaves the same in every
// LibTorch build and stays cheap for a 30,000-token vocabulary.
#pragma once

#include <torch/types.h>

#include <array>
#include <vector>

#include "core/model/causal_lm.hpp"

namespace harmonia::model {

struct Projection2D {
  torch::Tensor axes;    // [2, D] fp64 unit rows: the directions of most and second-most variance
  torch::Tensor points;  // [N, 2] fp64: each centred row's coordinates on those axes
  std::array<double, 2> variance{};   // the variance along each axis (the covariance's eigenvalues)
  std::array<double, 2> explained{};  // that variance as a fraction of the total
  int iterations = 0;                 // subspace iterations until the two axes settled
};

// rows [N, D] (N >= 2, D >= 2). Axis signs are fixed so that each axis' largest-magnitude entry
// is positive (a principal axis has no sign of its own; this keeps the map from flipping).
Projection2D principal_components_2d(const torch::Tensor& rows);

// Eigenvalues (descending) and unit eigenvectors (columns, same order) of a small symmetric
// matrix given row-major as n x n, by cyclic Jacobi rotations. Exposed for its test.
void symmetric_eigen(std::vector<double> a, int n, std::vector<double>& values, std::vector<double>& vectors);

// The model's input embedding tables, as [vocab, hidden] fp32 on the CPU: one for a plain model
// (wte / embed_tokens / embed_in / embeddings), one per field for a compound one.
std::vector<torch::Tensor> input_embedding_tables(const CausalLM& model);

}  // namespace harmonia::model
