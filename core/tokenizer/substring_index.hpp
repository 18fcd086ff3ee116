// The repeated substrings of a text with how often each occurs: the internal nodes of its
// suffix tree, which is what sentencepiece and Hugging Face tokenizers (through esaxx) give
// the Unigram trainer as candidate pieces. Only short substrings are ever wanted there, so
// the suffixes are sorted by their first few characters, not completely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace harmonia::tokenizer {

// Start positions of the suffixes of `text`, sorted by at least their first `depth`
// characters (suffixes equal that far come in no particular order). A suffix that ends
// sorts before every longer one that starts the same.
std::vector<uint32_t> sort_suffixes(std::u32string_view text, size_t depth);

// A substring that occurs `count` >= 2 times and is followed by at least two different
// characters (or by the end of the text): its occurrences start at suffixes[first] ...
// suffixes[first + count - 1].
struct RepeatedSubstring {
  uint32_t first = 0;
  uint32_t count = 0;
  uint32_t length = 0;
};

// Every such substring with min_length <= length <= max_length that does not contain
// `separator`. `suffixes` comes from sort_suffixes(text, d) with d > max_length.
std::vector<RepeatedSubstring> repeated_substrings(std::u32string_view text, const std::vector<uint32_t>& suffixes,
                                                   size_t min_length, size_t max_length, char32_t separator);

}  // namespace harmonia::tokenizer
