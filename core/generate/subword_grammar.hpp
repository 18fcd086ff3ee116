// The grammar for trained tokenizers (BPE, Unigram, WordPiece): the model samples learned
// ids, each standing for a run of base tokens, and a learned id is allowed exactly when its
// whole base run is allowed one token after another from the current state (issue 16). The
// base grammar (grammar_constraint.hpp) keeps every musical limit; this only lifts it to
// learned ids, walking a trie of the learned tokens' base runs so shared prefixes are tried once.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/generate/grammar_constraint.hpp"

namespace harmonia::generate {

// The learned vocabulary as a trie over base ids; built once per tokenizer, shared by rows.
struct LearnedTrie {
  struct Node {
    std::vector<std::pair<int32_t, int32_t>> children;  // (base id, node)
    std::vector<int32_t> ends;                          // learned ids whose run ends here
  };
  explicit LearnedTrie(const tokenizer::Tokenizer& tok);
  std::vector<Node> nodes;         // nodes[0]: the root (ends: learned ids with no base token)
  std::vector<int32_t> specials;   // learned ids of special tokens, by base id (-1: none)
  size_t learned_size = 0;
};

class SubwordGrammar {
 public:
  SubwordGrammar(const tokenizer::Tokenizer& tok, GrammarOptions options, std::shared_ptr<const LearnedTrie> trie);

  void accept(int32_t learned_id);
  // allowed[id] = 1 for learned ids that may come next; never all zero (as the base grammar).
  void allowed(std::vector<uint8_t>& allowed) const;
  size_t length() const { return length_; }
  // Learned ids fed so far after which the piece may stop without an unfinished note.
  size_t complete_length() const { return complete_length_; }
  const GrammarConstraint& base() const { return base_; }

 private:
  void walk(int32_t node, const GrammarConstraint& state, std::vector<uint8_t>& allowed) const;

  const tokenizer::Tokenizer* tok_;
  std::shared_ptr<const LearnedTrie> trie_;
  GrammarConstraint base_;
  size_t length_ = 0, complete_length_ = 0;
  bool last_empty_ = false;  // the last learned id had no base token ("▁" alone)
};

}  // namespace harmonia::generate
