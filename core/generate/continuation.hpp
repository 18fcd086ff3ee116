// "Continue this candidate again" and "undo the last continuation" for the GUI and CLI: a
// stack of token sequences, each the previous one plus a continuation.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace harmonia::generate {

class ContinuationHistory {
 public:
  explicit ContinuationHistory(std::vector<int32_t> start = {}) { stack_.push_back(std::move(start)); }
  const std::vector<int32_t>& current() const { return stack_.back(); }
  // `continued` must extend current() (the generator returns prompt + new tokens).
  void push(std::vector<int32_t> continued) {
    const auto& cur = current();
    if (continued.size() < cur.size() || !std::equal(cur.begin(), cur.end(), continued.begin()))
      throw std::invalid_argument("continuation does not extend the current sequence");
    stack_.push_back(std::move(continued));
  }
  // Drops the last continuation; false when there is none.
  bool undo() {
    if (stack_.size() <= 1) return false;
    stack_.pop_back();
    return true;
  }
  size_t depth() const { return stack_.size() - 1; }

 private:
  std::vector<std::vector<int32_t>> stack_;
};

}  // namespace harmonia::generate
