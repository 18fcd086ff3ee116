// The learned half of a trained MidiTok tokenizer: a BPE, Unigram or WordPiece model over
// "characters" that stand for base tokens (MidiTok maps base id i to the character
// U+0021 + i), as Hugging Face `tokenizers` stores it in the `_model` string of MidiTok's
// tokenizer.json. Encoding one pre-tokenized word (one bar, one beat or one whole track)
// gives the same ids as `tokenizers` 0.23; every learned id decomposes into base ids.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace harmonia::tokenizer {

enum class SubwordKind { BPE, Unigram, WordPiece };
std::string_view subword_kind_name(SubwordKind k);
bool subword_kind_from_name(std::string_view name, SubwordKind& out);  // case-insensitive

// MidiTok's character for a base token id, and back (-1 when `c` is no base character).
constexpr char32_t kBaseCharOffset = 33;
constexpr char32_t kMetaspace = U'\u2581';
inline char32_t base_char(int32_t base_id) { return char32_t(base_id) + kBaseCharOffset; }
inline int32_t base_id_of(char32_t c) { return c >= kBaseCharOffset && c != kMetaspace ? int32_t(c - kBaseCharOffset) : -1; }

std::u32string utf8_to_u32(std::string_view s);  // throws TokenizerError on invalid UTF-8
std::string u32_to_utf8(std::u32string_view s);

class SubwordModel {
 public:
  using Piece = std::u32string;

  // Hugging Face's tokenizer JSON (Tokenizer.to_str()). Throws TokenizerError naming the
  // field for anything we cannot reproduce exactly (normalizers, other pre-tokenizers,
  // dropout, byte fallback) or anything inconsistent (ids out of range, unknown merges).
  static SubwordModel from_hf_json(const nlohmann::json& j);
  nlohmann::ordered_json to_hf_json() const;

  SubwordKind kind() const { return kind_; }
  size_t size() const { return pieces_.size(); }
  const Piece& piece(int32_t id) const { return pieces_.at(size_t(id)); }
  int32_t id(const Piece& p) const;  // -1 when absent
  bool metaspace() const { return metaspace_; }
  // Base ids a learned id stands for (MidiTok's _vocab_learned_bytes_to_tokens); empty for
  // an id out of range.
  const std::vector<int32_t>& base_ids(int32_t id) const;
  size_t longest_piece() const { return longest_; }  // in base tokens

  // One pre-tokenized word of base characters -> learned ids appended to `out`. Throws
  // TokenizerError when the model cannot encode it (Unigram without unk).
  void encode_word(std::u32string_view word, std::vector<int32_t>& out) const;

  // ---- building (training and loading) ----
  struct AddedToken {
    Piece content;
    int32_t id = 0;
  };
  static SubwordModel make_bpe(std::vector<Piece> vocab, const std::vector<std::pair<int32_t, int32_t>>& merges,
                               std::vector<AddedToken> added, bool metaspace,
                               std::optional<std::string> continuing_prefix, std::optional<std::string> end_suffix);
  static SubwordModel make_wordpiece(std::vector<Piece> vocab, std::vector<AddedToken> added, bool metaspace,
                                     Piece unk, std::string continuing_prefix, size_t max_chars_per_word);
  static SubwordModel make_unigram(std::vector<std::pair<Piece, double>> pieces, std::vector<AddedToken> added,
                                   bool metaspace, std::optional<int32_t> unk_id);
  // BPE merges in rank order as (left id, right id); empty for other kinds.
  const std::vector<std::pair<int32_t, int32_t>>& merges() const { return merges_; }
  double score(int32_t id) const { return scores_.empty() ? 0.0 : scores_.at(size_t(id)); }
  const std::vector<AddedToken>& added_tokens() const { return added_; }

 private:
  void index();  // by_piece_, base_ids_, longest_, tries/merge tables
  void encode_model(std::u32string_view w, std::vector<int32_t>& out) const;
  void encode_bpe(std::u32string_view w, std::vector<int32_t>& out) const;
  void encode_wordpiece(std::u32string_view w, std::vector<int32_t>& out) const;
  void encode_unigram(std::u32string_view w, std::vector<int32_t>& out) const;

  SubwordKind kind_ = SubwordKind::BPE;
  std::vector<Piece> pieces_;
  std::unordered_map<Piece, int32_t> by_piece_;
  std::vector<std::vector<int32_t>> base_ids_;
  size_t longest_ = 0;
  std::vector<AddedToken> added_;
  bool metaspace_ = false;
  // BPE
  std::vector<std::pair<int32_t, int32_t>> merges_;
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merge_rank_;  // pair -> (rank, new id)
  std::optional<std::string> bpe_prefix_, bpe_suffix_;
  // WordPiece
  Piece wp_unk_;
  std::string wp_prefix_;
  size_t wp_max_chars_ = 100;
  // Unigram
  std::vector<double> scores_;
  std::optional<int32_t> unk_id_;
  double min_score_ = 0.0;
  struct TrieNode {
    std::vector<std::pair<char32_t, int32_t>> next;  // sorted by char
    int32_t id = -1;
  };
  std::vector<TrieNode> trie_;
};

}  // namespace harmonia::tokenizer
