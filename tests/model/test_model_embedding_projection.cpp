// The embedding map's PCA (core/model/embedding_projection.hpp) against decompositions known in
// advance (a rotated grid whose covariance is diagonal in a chosen basis) and against
// LibTorch's own LAPACK eigh as the reference; principal axes are compared up to sign.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/compute/threads.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/embedding_projection.hpp"
#include "core/model/safetensors.hpp"
#include "fixture_helpers.hpp"

namespace hm = harmonia::model;
namespace ht = harmonia::test;

namespace {

// |cos| of the angle between two vectors: 1 when they span the same line, whatever the sign.
double alignment(const torch::Tensor& a, const torch::Tensor& b) {
  return std::abs(a.dot(b).item<double>()) / (a.norm().item<double>() * b.norm().item<double>());
}

// An orthonormal basis of R^d (columns) from a seeded random matrix, by LibTorch's QR.
torch::Tensor random_basis(int64_t d, uint64_t seed) {
  torch::manual_seed(seed);
  return std::get<0>(torch::linalg::qr(torch::randn({d, d}, torch::kDouble)));
}

TEST(SymmetricEigen, DecomposesASmallSymmetricMatrix) {
  torch::manual_seed(3);
  const auto m = torch::randn({6, 6}, torch::kDouble);
  const auto a = (m + m.t()).contiguous();
  std::vector<double> values, vectors;
  hm::symmetric_eigen(std::vector<double>(a.data_ptr<double>(), a.data_ptr<double>() + 36), 6, values, vectors);
  const auto v = torch::from_blob(vectors.data(), {6, 6}, torch::kDouble).clone();
  const auto l = torch::tensor(values, torch::kDouble);
  EXPECT_LE((v.mm(torch::diag(l)).mm(v.t()) - a).abs().max().item<double>(), 1e-10);  // A = V L V^T
  EXPECT_LE((v.t().mm(v) - torch::eye(6, torch::kDouble)).abs().max().item<double>(), 1e-10);
  for (size_t i = 1; i < values.size(); ++i) EXPECT_GE(values[i - 1], values[i]);
  // The same eigenvalues as LAPACK's (eigh sorts ascending).
  const auto lapack = std::get<0>(torch::linalg::eigh(a, "L")).flip(0);
  EXPECT_LE((l - lapack).abs().max().item<double>(), 1e-10);
}

// Points a_i u1 + b_j u2 on a full grid, with a and b centred: the covariance is exactly
// var(a) u1 u1^T + var(b) u2 u2^T, so u1 and u2 are the axes and var(a), var(b) their variances.
TEST(PrincipalComponents, FindTheAxesOfARotatedGrid) {
  const int64_t d = 12;
  const auto basis = random_basis(d, 5);
  const auto u1 = basis.select(1, 0), u2 = basis.select(1, 1);
  const std::vector<double> a = {-3, -1, 0, 1, 3}, b = {-1, -0.5, 0, 0.5, 1};
  std::vector<torch::Tensor> rows;
  for (double ai : a)
    for (double bj : b) rows.push_back(ai * u1 + bj * u2 + 7.0);  // an offset: centring matters
  const auto x = torch::stack(rows);
  const auto pca = hm::principal_components_2d(x);
  EXPECT_GE(alignment(pca.axes[0], u1), 1 - 1e-9);
  EXPECT_GE(alignment(pca.axes[1], u2), 1 - 1e-9);
  const double n = double(rows.size());
  EXPECT_NEAR(pca.variance[0], 5 * (9 + 1 + 0 + 1 + 9) / (n - 1), 1e-9);
  EXPECT_NEAR(pca.variance[1], 5 * (1 + 0.25 + 0 + 0.25 + 1) / (n - 1), 1e-9);
  EXPECT_NEAR(pca.explained[0] + pca.explained[1], 1.0, 1e-9);  // the grid is flat
  // Each point lands at its own grid coordinates (up to the axes' signs).
  const double s1 = pca.axes[0].dot(u1).item<double>() > 0 ? 1 : -1, s2 = pca.axes[1].dot(u2).item<double>() > 0 ? 1 : -1;
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < b.size(); ++j) {
      const auto p = pca.points[int64_t(i * b.size() + j)];
      EXPECT_NEAR(p[0].item<double>(), s1 * a[i], 1e-9);
      EXPECT_NEAR(p[1].item<double>(), s2 * b[j], 1e-9);
    }
}

// A cloud like an embedding table (vocabulary x hidden): the axes equal the top two
// eigenvectors of the sample covariance by LAPACK, the variances its top eigenvalues.
TEST(PrincipalComponents, MatchLapackEighOnAnEmbeddingLikeCloud) {
  const int64_t n = 400, d = 48;
  const auto basis = random_basis(d, 9);
  torch::manual_seed(10);
  auto spread = torch::linspace(0.2, 1.0, d, torch::kDouble);
  spread[0] = 4.0;
  spread[1] = 2.5;
  const auto x = (torch::randn({n, d}, torch::kDouble) * spread).mm(basis.t()) + 0.3;
  const auto pca = hm::principal_components_2d(x);
  const auto centred = x - x.mean(0, true);
  const auto [values, vectors] = torch::linalg::eigh(centred.t().mm(centred) / double(n - 1), "L");
  EXPECT_GE(alignment(pca.axes[0], vectors.select(1, d - 1)), 1 - 1e-9);
  EXPECT_GE(alignment(pca.axes[1], vectors.select(1, d - 2)), 1 - 1e-9);
  EXPECT_NEAR(pca.variance[0], values[d - 1].item<double>(), 1e-9 * values[d - 1].item<double>());
  EXPECT_NEAR(pca.variance[1], values[d - 2].item<double>(), 1e-9 * values[d - 1].item<double>());
  EXPECT_NEAR(pca.explained[0], values[d - 1].item<double>() / values.sum().item<double>(), 1e-9);
  EXPECT_LE((pca.points - centred.mm(pca.axes.t())).abs().max().item<double>(), 1e-12);
  // The sign rule: each axis' largest entry is positive.
  for (int64_t k = 0; k < 2; ++k) EXPECT_GT(pca.axes[k][pca.axes[k].abs().argmax()].item<double>(), 0);
  EXPECT_LE((pca.axes.mm(pca.axes.t()) - torch::eye(2, torch::kDouble)).abs().max().item<double>(), 1e-10);
}

// Two nearly equal top variances converge slowly: still the right plane, within the iteration cap.
TEST(PrincipalComponents, CloseVariancesStillGiveTheTopPlane) {
  const int64_t n = 300, d = 20;
  const auto basis = random_basis(d, 21);
  torch::manual_seed(22);
  auto spread = torch::full({d}, 0.5, torch::kDouble);
  spread[0] = 2.0;
  spread[1] = 1.98;
  const auto x = (torch::randn({n, d}, torch::kDouble) * spread).mm(basis.t());
  const auto pca = hm::principal_components_2d(x);
  const auto centred = x - x.mean(0, true);
  const auto vectors = std::get<1>(torch::linalg::eigh(centred.t().mm(centred) / double(n - 1), "L"));
  const auto top = vectors.narrow(1, d - 2, 2);  // the reference plane
  for (int64_t k = 0; k < 2; ++k)  // each axis lies in it
    EXPECT_NEAR(top.t().mv(pca.axes[k]).norm().item<double>(), 1.0, 1e-8);
}

TEST(PrincipalComponents, RefuseTooLittleData) {
  EXPECT_THROW(hm::principal_components_2d(torch::ones({1, 4})), std::invalid_argument);
  EXPECT_THROW(hm::principal_components_2d(torch::ones({5})), std::invalid_argument);
}

TEST(InputEmbeddings, AreTheCheckpointsEmbeddingTables) {
  HARMONIA_REQUIRE_SHARED();
  for (const auto& [fixture, name] : std::vector<std::pair<std::string, std::string>>{
           {"hf/gpt2", "transformer.wte.weight"},
           {"hf/llama", "model.embed_tokens.weight"},
           {"hf-more/gpt_neox", "gpt_neox.embed_in.weight"},
           {"hf-more/mamba", "backbone.embeddings.weight"}}) {
    const auto dir = ht::shared_dir() / "fixtures" / fixture;
    const auto tables = hm::input_embedding_tables(*hm::load_model(dir));
    ASSERT_EQ(tables.size(), 1u) << fixture;
    EXPECT_TRUE(tables[0].equal(hm::SafetensorsReader(dir / "model.safetensors").tensor(name))) << fixture;
  }
}

}  // namespace
