// The fill-in-the-middle special tokens (Bavarian et al. 2022, "Efficient Training of Language
// Models to Fill in the Middle"): a FIM-trained model reads FIM_PRE prefix FIM_SUF suffix
// FIM_MID and writes the middle, ended by EOS_None. They are MidiTok special tokens: added to
// config.special_tokens, so tokenizer.json stays MidiTok's format and MidiTok puts them where
// we do (after PAD/BOS/EOS/MASK; every other id moves up by the number added). A dataset
// tokenized without them is read through id_translation() (core/train/fim.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::tokenizer {

inline constexpr const char* kFimPrefixToken = "FIM_PRE";
inline constexpr const char* kFimSuffixToken = "FIM_SUF";
inline constexpr const char* kFimMiddleToken = "FIM_MID";

struct FimIds {
  int32_t prefix = -1, suffix = -1, middle = -1;
  int32_t end = -1;  // EOS_None: ends the middle
  int32_t bar = -1;  // Bar_None: the split points
};

// The ids of a tokenizer that has the three FIM tokens, EOS_None and Bar_None; nullopt otherwise.
std::optional<FimIds> fim_ids(const Tokenizer& tok);

// Why FIM cannot work with this tokenizer ("" when it can): the splits are at bar starts and a
// filled middle is spliced back by counting bars, so it needs a single-stream scheme with
// Bar_None tokens (REMI; not TSD/MIDILike, CPWord/Octuple, or a BPE/Unigram/WordPiece model,
// whose learned ids would have to be retrained around the new specials).
std::string fim_unsupported_reason(const Tokenizer& tok);

// The same tokenizer with the three FIM tokens added (itself, copied, when it has them).
// Throws TokenizerError with fim_unsupported_reason() when it cannot have them.
std::unique_ptr<Tokenizer> with_fim_tokens(const Tokenizer& tok);

// For each id of `from`, the id of the same token string in `to` (-1 when `to` lacks it).
std::vector<int32_t> id_translation(const Tokenizer& from, const Tokenizer& to);

}  // namespace harmonia::tokenizer
