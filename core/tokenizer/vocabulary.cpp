// Vocabulary storage: dense (type, value) -> id tables for encoding speed, a string map for
// parsing token strings.
#include "core/tokenizer/vocabulary.hpp"

#include <stdexcept>

namespace harmonia::tokenizer {

namespace {
constexpr std::array<std::string_view, kTokenTypeCount> kNames = {
    "Special", "Bar",    "Position", "Pitch",   "PitchDrum", "Velocity", "Duration", "TimeShift", "NoteOn",
    "NoteOff", "DrumOn", "DrumOff",  "Program", "Tempo",     "TimeSig",  "Chord",    "Family",    "Ignore",
    "Rest"};
}

std::string_view token_type_name(TokenType t) { return kNames.at(size_t(t)); }

bool token_type_from_name(std::string_view name, TokenType& out) {
  for (size_t i = 1; i < kNames.size(); ++i) {
    if (kNames[i] == name) {
      out = TokenType(i);
      return true;
    }
  }
  return false;
}

int Vocabulary::add(TokenType type, int value, std::string text) {
  if (by_text_.count(text)) throw std::logic_error("duplicate token in vocabulary: " + text);
  const int id = int(texts_.size());
  auto& t = by_type_[size_t(type)];
  if (t.ids.empty()) {
    t.min_value = value;
  } else if (value < t.min_value) {
    t.ids.insert(t.ids.begin(), size_t(t.min_value - value), -1);
    t.min_value = value;
  }
  const size_t slot = size_t(long(value) - t.min_value);
  if (slot >= t.ids.size()) t.ids.resize(slot + 1, -1);
  t.ids[slot] = id;
  by_text_.emplace(text, id);
  texts_.push_back(std::move(text));
  kinds_.push_back({type, value});
  return id;
}

int Vocabulary::id(std::string_view text) const {
  auto it = by_text_.find(std::string(text));
  return it == by_text_.end() ? -1 : it->second;
}

}  // namespace harmonia::tokenizer
