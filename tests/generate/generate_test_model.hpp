// A random (untrained) tiny model with a REMI tokenizer, saved in the model-directory layout
// generation expects. Shared by the generation tests.
#pragma once

#include <memory>
#include <torch/torch.h>

#include "core/generate/model_bundle.hpp"
#include "core/model/presets.hpp"
#include "test_paths.hpp"

namespace harmonia::test {

inline std::shared_ptr<tokenizer::Tokenizer> remi_tokenizer() {
  return std::shared_ptr<tokenizer::Tokenizer>(tokenizer::Tokenizer::create("REMI"));
}

// Seeded, so tests are repeatable; context shrunk so sliding-window code runs in short tests.
inline std::shared_ptr<model::CausalLM> random_tiny_model(const tokenizer::Tokenizer& tok, int64_t context = 256,
                                                           uint64_t seed = 1) {
  torch::manual_seed(seed);
  auto config = model::preset_config("tiny", "", int64_t(tok.vocab_size()));
  config.max_position_embeddings = context;
  auto m = model::create_model(config);
  m->eval();
  return m;
}

}  // namespace harmonia::test
