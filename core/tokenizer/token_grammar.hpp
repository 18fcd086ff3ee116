// Which token type may follow which, per scheme (MidiTok's tokens_types_graph, special
// tokens included). Used to count errors in model output and by constrained decoding in
// generation: next_mask() says which ids may come after a given one.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/tokenizer/vocabulary.hpp"

namespace harmonia::tokenizer {

class TokenGrammar {
 public:
  void allow(const std::string& from, const std::set<std::string>& to);
  void replace(const std::string& from, const std::set<std::string>& to) { graph_[from] = to; }
  // `type` behaves like `like`: same successors, and allowed wherever `like` is.
  void alias(const std::string& type, const std::string& like);
  // Adds the special token types: anything may be followed by a special token, a special
  // token may be followed by anything; EOS by nothing, and nothing precedes BOS.
  void add_special_tokens(const std::vector<std::string>& special_tokens);
  bool empty() const { return graph_.empty(); }
  bool allowed(const std::string& from_type, const std::string& to_type) const;
  const std::map<std::string, std::set<std::string>>& graph() const { return graph_; }
  // Mask over `vocab` ids allowed after `previous_id` (< 0: start of sequence, all allowed
  // except what the graph forbids at start: nothing).
  std::vector<bool> next_mask(const Vocabulary& vocab, int previous_id) const;
  // Count of successive pairs not allowed by the graph (MidiTok's tokens_errors, type part).
  size_t count_errors(const Vocabulary& vocab, const std::vector<int32_t>& ids) const;

  static std::string type_of(const std::string& token);  // text before the first '_'

 private:
  std::map<std::string, std::set<std::string>> graph_;
};

}  // namespace harmonia::tokenizer
