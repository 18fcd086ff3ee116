#include "core/train/model_setup.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/model/presets.hpp"

namespace harmonia::train {

model::ModelConfig model_config_for(const std::string& preset, const std::string& arch,
                                    const tokenizer::Tokenizer& tok, int64_t context) {
  auto config = model::preset_config(preset, arch, static_cast<int64_t>(tok.model_vocab_size()));
  config.max_position_embeddings = std::max(config.max_position_embeddings, context);
  if (tok.is_compound())
    for (const auto& v : tok.vocabs()) config.compound.field_vocab_sizes.push_back(static_cast<int64_t>(v.size()));
  return config;
}

void check_model_fits(const model::ModelConfig& c, const tokenizer::Tokenizer& tok) {
  const std::string what = "the model ";
  if (c.compound.enabled() != tok.is_compound())
    throw std::invalid_argument(what + (c.compound.enabled() ? "is compound-token" : "is single-stream") +
                                " but the data is tokenized with " + tok.name());
  if (!tok.is_compound()) {
    if (c.vocab_size < static_cast<int64_t>(tok.model_vocab_size()))
      throw std::invalid_argument(what + "has " + std::to_string(c.vocab_size) + " ids, the " + tok.name() +
                                  " vocabulary " + std::to_string(tok.model_vocab_size()));
    return;
  }
  if (c.compound.field_vocab_sizes.size() != tok.num_fields())
    throw std::invalid_argument(what + "has " + std::to_string(c.compound.field_vocab_sizes.size()) + " fields, " +
                                tok.name() + " tokens " + std::to_string(tok.num_fields()));
  for (size_t f = 0; f < tok.num_fields(); ++f)
    if (c.compound.field_vocab_sizes[f] < static_cast<int64_t>(tok.vocab(f).size()))
      throw std::invalid_argument(what + "has " + std::to_string(c.compound.field_vocab_sizes[f]) + " ids in field " +
                                  std::to_string(f) + ", the " + tok.name() + " vocabulary " +
                                  std::to_string(tok.vocab(f).size()));
}

}  // namespace harmonia::train
