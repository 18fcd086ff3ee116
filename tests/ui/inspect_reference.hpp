// Qt-free helpers for the "Inside the model" tests (the torch side: Qt's keyword macros and
// LibTorch cannot share a translation unit): tiny models of any architecture on disk, the
// core's own attention for a piece, and a reference PCA of a model's embeddings by LAPACK.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/midi/score.hpp"

namespace harmonia::ui::test {

// A randomly initialised "tiny" model of `model_type` ("gpt2", "gpt_neo", "llama", "qwen3",
// "gpt_neox", "mamba") with a REMI tokenizer, written to `dir`.
void writeTinyModelOf(const std::string& dir, const std::string& model_type, uint64_t seed);

// core/model's attention_maps for the first `tokens` tokens of `score` read as a prompt
// (generate::prompt_tokens), loaded straight from the folder: probs [L][H][T][T].
struct CoreAttention {
  int layers = 0, heads = 0, length = 0;
  std::vector<float> probs;
  float at(int l, int h, int q, int k) const {
    return probs[((size_t(l) * size_t(heads) + size_t(h)) * size_t(length) + size_t(q)) * size_t(length) + size_t(k)];
  }
};
CoreAttention coreAttention(const std::string& model_dir, const midi::Score& score, int tokens);

// The embedding table projected on the top two eigenvectors of its covariance, computed with
// LibTorch's LAPACK eigh (not our PCA), one row per token id; signs are arbitrary.
std::vector<std::array<double, 2>> referenceEmbeddingPca(const std::string& model_dir);

}  // namespace harmonia::ui::test
