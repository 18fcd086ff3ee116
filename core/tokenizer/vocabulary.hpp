// Token types and vocabularies. A token is (type, value); its string is "Type_Value" exactly
// as MidiTok spells it, and its id is its index in the vocabulary (MidiTok's order).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace harmonia::tokenizer {

// Values by type: pitches for Pitch/PitchDrum/NoteOn/NoteOff/DrumOn/DrumOff, the velocity for
// Velocity, an index into the tokenizer's tables for Duration/TimeShift/Tempo/TimeSig/Chord,
// the program (-1 = drums) for Program, -1 for "Bar_None"/"Ignore_None", 0/1 for
// Family Metric/Note, the index in config.special_tokens for Special.
enum class TokenType : uint8_t {
  Special,
  Bar,
  Position,
  Pitch,
  PitchDrum,
  Velocity,
  Duration,
  TimeShift,
  NoteOn,
  NoteOff,
  DrumOn,
  DrumOff,
  Program,
  Tempo,
  TimeSig,
  Chord,
  Family,
  Ignore,
  Rest,
  Count
};
constexpr size_t kTokenTypeCount = size_t(TokenType::Count);

// MidiTok's type name ("Pitch", "TimeSig", ...). Special tokens use their own prefix.
std::string_view token_type_name(TokenType t);
// Parses a type name; returns false when unknown.
bool token_type_from_name(std::string_view name, TokenType& out);

struct TokenKind {
  TokenType type = TokenType::Special;
  int value = 0;
};

class Vocabulary {
 public:
  // Appends a token; returns its id. Adding the same string twice is a logic error (throws).
  int add(TokenType type, int value, std::string text);
  // -1 when the vocabulary has no such token.
  int id(TokenType type, int value) const {
    const auto& t = by_type_[size_t(type)];
    const long i = long(value) - t.min_value;
    if (i < 0 || size_t(i) >= t.ids.size()) return -1;
    return t.ids[size_t(i)];
  }
  int id(std::string_view text) const;
  const std::string& text(int id) const { return texts_.at(size_t(id)); }
  TokenKind kind(int id) const { return kinds_.at(size_t(id)); }
  bool valid(int id) const { return id >= 0 && size_t(id) < texts_.size(); }
  size_t size() const { return texts_.size(); }
  const std::vector<std::string>& texts() const { return texts_; }
  bool has_type(TokenType t) const { return !by_type_[size_t(t)].ids.empty(); }

 private:
  struct TypeTable {
    int min_value = 0;
    std::vector<int32_t> ids;  // value - min_value -> id, -1 for holes
  };
  std::array<TypeTable, kTokenTypeCount> by_type_;
  std::vector<std::string> texts_;
  std::vector<TokenKind> kinds_;
  std::unordered_map<std::string, int> by_text_;
};

}  // namespace harmonia::tokenizer
