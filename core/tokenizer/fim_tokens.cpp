#include "core/tokenizer/fim_tokens.hpp"

#include <algorithm>

namespace harmonia::tokenizer {

std::optional<FimIds> fim_ids(const Tokenizer& tok) {
  if (tok.is_compound() || tok.is_trained()) return std::nullopt;
  const auto& v = tok.vocab();
  FimIds ids{v.id(kFimPrefixToken), v.id(kFimSuffixToken), v.id(kFimMiddleToken), v.id("EOS_None"),
             v.id(TokenType::Bar, -1)};
  if (ids.prefix < 0 || ids.suffix < 0 || ids.middle < 0 || ids.end < 0 || ids.bar < 0) return std::nullopt;
  return ids;
}

std::string fim_unsupported_reason(const Tokenizer& tok) {
  if (tok.is_compound())
    return tok.name() + " is a compound (multi-field) scheme; fill-in-the-middle needs a single-stream scheme with "
                        "Bar tokens (REMI)";
  if (tok.is_trained())
    return "the tokenizer has a learned (BPE/Unigram/WordPiece) vocabulary; fill-in-the-middle needs a base "
           "tokenizer (REMI) so the FIM tokens can be added";
  if (tok.vocab().id(TokenType::Bar, -1) < 0)
    return tok.name() + " has no Bar tokens; fill-in-the-middle splits and fills whole bars, use REMI";
  if (tok.vocab().id("EOS_None") < 0) return "the tokenizer has no EOS_None token, which ends a filled middle";
  return "";
}

std::unique_ptr<Tokenizer> with_fim_tokens(const Tokenizer& tok) {
  const std::string why = fim_unsupported_reason(tok);
  if (!why.empty()) throw TokenizerError(why);
  TokenizerConfig config = tok.config();
  for (const char* name : {kFimPrefixToken, kFimSuffixToken, kFimMiddleToken})
    if (std::find(config.special_tokens.begin(), config.special_tokens.end(), name) == config.special_tokens.end())
      config.special_tokens.push_back(name);
  return Tokenizer::create(tok.name(), config);
}

std::vector<int32_t> id_translation(const Tokenizer& from, const Tokenizer& to) {
  const auto& texts = from.vocab().texts();
  std::vector<int32_t> out(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) out[i] = to.vocab().id(texts[i]);
  return out;
}

}  // namespace harmonia::tokenizer
