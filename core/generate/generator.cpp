#include "core/generate/generator.hpp"

#include <torch/torch.h>

#include <stdexcept>

#include "core/compute/decode_pool.hpp"
#include "core/generate/decoding_session.hpp"

namespace harmonia::generate {

Generator::Generator(std::shared_ptr<model::CausalLM> model, std::shared_ptr<const tokenizer::Tokenizer> tokenizer)
    : model_(std::move(model)), tokenizer_(std::move(tokenizer)) {
  if (!model_ || !tokenizer_) throw std::invalid_argument("generator: model and tokenizer are required");
  const auto& compound = model_->config().compound;
  if (compound.enabled() != tokenizer_->is_compound())
    throw std::invalid_argument(std::string("generator: a ") + (compound.enabled() ? "compound-token" : "single-stream") +
                                " model needs a " + (compound.enabled() ? "CPWord/Octuple" : "single-stream") +
                                " tokenizer, got " + tokenizer_->name());
  if (compound.enabled()) {
    if (compound.field_vocab_sizes.size() != tokenizer_->num_fields())
      throw std::invalid_argument("generator: the model has " + std::to_string(compound.field_vocab_sizes.size()) +
                                  " fields, the " + tokenizer_->name() + " tokenizer " +
                                  std::to_string(tokenizer_->num_fields()));
    for (size_t f = 0; f < tokenizer_->num_fields(); ++f)
      if (size_t(compound.field_vocab_sizes[f]) < tokenizer_->vocab(f).size())
        throw std::invalid_argument("generator: field " + std::to_string(f) + " of the model has " +
                                    std::to_string(compound.field_vocab_sizes[f]) + " ids, the tokenizer's " +
                                    std::to_string(tokenizer_->vocab(f).size()));
  } else if (size_t(model_->config().vocab_size) < tokenizer_->model_vocab_size()) {
    throw std::invalid_argument("generator: the model's vocabulary (" + std::to_string(model_->config().vocab_size) +
                                ") is smaller than the tokenizer's (" + std::to_string(tokenizer_->model_vocab_size()) +
                                ")");
  }
}

GenerationResult Generator::generate(const std::vector<int32_t>& prompt, const GenerationSettings& settings,
                                     const GenerationCallbacks& callbacks) const {
  // Inference mode rather than no-grad: tensors made here skip autograd's version counting and
  // dispatch, a measurable share of a decoding step (~150 small ops) for small models.
  c10::InferenceMode inference;
  // Only the float32 decode kernels split; their weights are 4 bytes each.
  compute::DecodeThreadsScope decode_threads(model_->num_parameters() * int64_t(sizeof(float)));
  model_->eval();
  DecodingSession session(*model_, *tokenizer_, prompt, settings);
  while (session.begin_step(callbacks)) {
    session.choose();
    session.accept(callbacks);
    if (session.all_stopped()) break;
    session.advance();
  }
  return session.result();
}

}  // namespace harmonia::generate
