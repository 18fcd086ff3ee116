#include "core/generate/subword_grammar.hpp"

#include <algorithm>
#include <stdexcept>

namespace harmonia::generate {

LearnedTrie::LearnedTrie(const tokenizer::Tokenizer& tok) {
  if (!tok.is_trained()) throw std::invalid_argument("learned trie: the tokenizer is not trained");
  const auto& model = *tok.subword();
  const auto& v = tok.vocab();
  learned_size = model.size();
  nodes.emplace_back();
  specials.assign(v.size(), -1);
  // MidiTok's trained models keep the special tokens' ids (they are the trainer's first
  // tokens): learned id k of a special stands for base special k.
  for (size_t id = 0; id < v.size() && id < model.size(); ++id) {
    if (v.kind(int(id)).type != tokenizer::TokenType::Special) continue;
    const auto& parts = model.base_ids(int32_t(id));
    if (std::find(parts.begin(), parts.end(), int32_t(id)) != parts.end()) specials[id] = int32_t(id);
  }
  for (size_t id = 0; id < model.size(); ++id) {
    if (id < specials.size() && specials[id] == int32_t(id)) continue;
    const auto& parts = model.base_ids(int32_t(id));
    bool usable = true;
    for (int32_t b : parts) usable = usable && v.valid(b) && v.kind(b).type != tokenizer::TokenType::Special;
    if (!usable) continue;  // special runs inside learned tokens are never generated
    int32_t node = 0;
    for (int32_t b : parts) {
      auto& children = nodes[size_t(node)].children;
      int32_t child = -1;
      for (const auto& [base, n] : children)
        if (base == b) child = n;
      if (child < 0) {
        child = int32_t(nodes.size());
        nodes[size_t(node)].children.push_back({b, child});
        nodes.emplace_back();
      }
      node = child;
    }
    nodes[size_t(node)].ends.push_back(int32_t(id));
  }
}

SubwordGrammar::SubwordGrammar(const tokenizer::Tokenizer& tok, GrammarOptions options,
                               std::shared_ptr<const LearnedTrie> trie)
    : tok_(&tok), trie_(std::move(trie)), base_(tok, options) {
  if (!trie_) trie_ = std::make_shared<LearnedTrie>(tok);
}

void SubwordGrammar::accept(int32_t learned_id) {
  ++length_;
  const auto& parts = tok_->subword()->base_ids(learned_id);
  last_empty_ = parts.empty();
  for (int32_t b : parts) base_.accept(b);
  if (base_.complete_length() == base_.length()) complete_length_ = length_;
}

void SubwordGrammar::walk(int32_t node, const GrammarConstraint& state, std::vector<uint8_t>& allowed) const {
  std::vector<uint8_t> base_allowed;
  state.allowed(base_allowed);
  for (const auto& [b, child] : trie_->nodes[size_t(node)].children) {
    if (size_t(b) >= base_allowed.size() || !base_allowed[size_t(b)]) continue;
    const auto& c = trie_->nodes[size_t(child)];
    for (int32_t id : c.ends) allowed[size_t(id)] = 1;
    if (c.children.empty()) continue;
    GrammarConstraint next = state;  // cheap: the tables are shared
    next.accept(b);
    walk(child, next, allowed);
  }
  if (node == 0) {
    // Special tokens as the base grammar says (only EOS, between notes).
    for (size_t b = 0; b < trie_->specials.size() && b < base_allowed.size(); ++b)
      if (trie_->specials[b] >= 0 && base_allowed[b]) allowed[size_t(trie_->specials[b])] = 1;
  }
}

void SubwordGrammar::allowed(std::vector<uint8_t>& allowed) const {
  allowed.assign(trie_->learned_size, 0);
  walk(0, base_, allowed);
  // A learned token with no base token ("▁" alone) changes nothing: allowed once in a row.
  if (!last_empty_)
    for (int32_t id : trie_->nodes[0].ends) allowed[size_t(id)] = 1;
}

}  // namespace harmonia::generate
