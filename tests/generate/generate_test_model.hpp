// A random (untrained) tiny model with a REMI tokenizer, saved in the model-directory layout
// generation expects. Shared by the generation tests.
#pragma once

#include <memory>
#include <torch/torch.h>

#include "core/generate/generation_output.hpp"
#include "core/generate/generator.hpp"
#include "core/generate/model_bundle.hpp"
#include "core/model/presets.hpp"
#include "test_paths.hpp"

namespace harmonia::test {

inline std::shared_ptr<tokenizer::Tokenizer> remi_tokenizer() {
  return std::shared_ptr<tokenizer::Tokenizer>(tokenizer::Tokenizer::create("REMI"));
}

// Seeded, so tests are repeatable; context shrunk so sliding-window code runs in short tests.
// A compound tokenizer (CPWord, Octuple) gets a compound model: one embedding and head per field.
inline std::shared_ptr<model::CausalLM> random_tiny_model(const tokenizer::Tokenizer& tok, int64_t context = 256,
                                                           uint64_t seed = 1) {
  torch::manual_seed(seed);
  auto config = model::preset_config("tiny", "", int64_t(tok.vocab_size()));
  config.max_position_embeddings = context;
  if (tok.is_compound())
    for (const auto& v : tok.vocabs()) config.compound.field_vocab_sizes.push_back(int64_t(v.size()));
  auto m = model::create_model(config);
  m->eval();
  return m;
}

// How many sampled sequences decode, and how many tokens the decoder had to drop.
struct DecodeTally {
  size_t sequences = 0, invalid = 0, notes = 0, dropped = 0;

  void add(const tokenizer::Tokenizer& tok, const generate::GenerationResult& r) {
    for (const auto& seq : r.sequences) {
      tokenizer::DecodeReport report;
      generate::to_score(tok, seq, 0, &report);
      ++sequences;
      notes += report.notes;
      dropped += report.tokens_dropped;
      if (report.tokens_dropped > 0) ++invalid;
    }
  }
};

}  // namespace harmonia::test
