// Torch side of the Regenerate selection tests. No Qt header may be included here.
#include "fim_reference.hpp"

#include <torch/torch.h>

#include "core/generate/model_bundle.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"
#include "core/tokenizer/fim_tokens.hpp"

namespace harmonia::ui::test {

void writeTinyFimModel(const std::string& dir, uint64_t init_seed) {
  const auto base = tokenizer::Tokenizer::create("REMI", generate::arrangement_tokenizer_config());
  const std::shared_ptr<const tokenizer::Tokenizer> tok = tokenizer::with_fim_tokens(*base);
  torch::manual_seed(init_seed);
  const auto model = model::create_model(model::preset_config("tiny", "", int64_t(tok->vocab_size())));
  generate::save_bundle(*model, *tok, dir);
}

}  // namespace harmonia::ui::test
