// Token-type successions.
#include "core/tokenizer/token_grammar.hpp"

namespace harmonia::tokenizer {

std::string TokenGrammar::type_of(const std::string& token) { return token.substr(0, token.find('_')); }

void TokenGrammar::allow(const std::string& from, const std::set<std::string>& to) {
  graph_[from].insert(to.begin(), to.end());
}

void TokenGrammar::alias(const std::string& type, const std::string& like) {
  graph_[type] = graph_[like];
  for (auto& [from, next] : graph_)
    if (next.count(like)) next.insert(type);
}

void TokenGrammar::add_special_tokens(const std::vector<std::string>& specials) {
  std::set<std::string> original;
  for (const auto& [k, v] : graph_) original.insert(k);
  std::set<std::string> special_types;
  for (const auto& s : specials) special_types.insert(type_of(s));
  for (const auto& type : special_types) {
    if (type == "EOS") {
      graph_[type].clear();
    } else {
      auto& next = graph_[type];
      next.insert(original.begin(), original.end());
      next.insert(special_types.begin(), special_types.end());
      next.erase("BOS");
    }
    if (type != "BOS")
      for (const auto& t : original) graph_[t].insert(type);
  }
}

bool TokenGrammar::allowed(const std::string& from, const std::string& to) const {
  auto it = graph_.find(from);
  return it != graph_.end() && it->second.count(to) > 0;
}

std::vector<bool> TokenGrammar::next_mask(const Vocabulary& vocab, int previous_id) const {
  std::vector<bool> mask(vocab.size(), true);
  if (graph_.empty()) return mask;  // compound schemes: no type constraints
  if (previous_id < 0 || !vocab.valid(previous_id)) return mask;  // start: anything
  const auto it = graph_.find(type_of(vocab.text(previous_id)));
  for (size_t i = 0; i < vocab.size(); ++i)
    mask[i] = it != graph_.end() && it->second.count(type_of(vocab.text(int(i)))) > 0;
  return mask;
}

size_t TokenGrammar::count_errors(const Vocabulary& vocab, const std::vector<int32_t>& ids) const {
  if (graph_.empty()) return 0;
  size_t errors = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!vocab.valid(ids[i])) {
      ++errors;
      continue;
    }
    if (i == 0 || !vocab.valid(ids[i - 1])) continue;
    if (!allowed(type_of(vocab.text(ids[i - 1])), type_of(vocab.text(ids[i])))) ++errors;
  }
  return errors;
}

}  // namespace harmonia::tokenizer
