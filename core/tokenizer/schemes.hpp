// Internal: factories of the concrete schemes (one .cpp per scheme).
#pragma once

#include <memory>

#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::tokenizer {

std::unique_ptr<Tokenizer> make_remi(TokenizerConfig config);
std::unique_ptr<Tokenizer> make_tsd(TokenizerConfig config);
std::unique_ptr<Tokenizer> make_midilike(TokenizerConfig config);
std::unique_ptr<Tokenizer> make_cpword(TokenizerConfig config);
std::unique_ptr<Tokenizer> make_octuple(TokenizerConfig config);

}  // namespace harmonia::tokenizer
