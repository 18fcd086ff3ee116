// Token sequences as JSON, in the layout of MidiTok's reference files: "tokens" (strings;
// one list per track unless one stream; compound steps are lists of strings), "ids" (same
// shape), "io_format" and "programs" ([program, is_drum] per sequence).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::tokenizer {

nlohmann::ordered_json encoding_to_json(const Tokenizer& tok, const Encoding& enc);

struct ParsedTokens {
  std::vector<TokSequence> sequences;
  ProgramList programs;
  bool base_ids = true;  // false: learned ids of a trained tokenizer (decode(), not decode_base())
};
// Reads "tokens" (preferred) or "ids" and "programs" / "programs_after_preprocessing".
// Accepts our output and MidiTok's reference files. Bad shapes raise TokenizerError.
ParsedTokens tokens_from_json(const Tokenizer& tok, const nlohmann::ordered_json& j);

}  // namespace harmonia::tokenizer
