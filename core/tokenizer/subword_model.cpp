#include "core/tokenizer/subword_model.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <queue>

#include "core/tokenizer/config.hpp"

namespace harmonia::tokenizer {

using nlohmann::json;
using nlohmann::ordered_json;

std::string_view subword_kind_name(SubwordKind k) {
  switch (k) {
    case SubwordKind::BPE: return "BPE";
    case SubwordKind::Unigram: return "Unigram";
    case SubwordKind::WordPiece: return "WordPiece";
  }
  return "?";
}

bool subword_kind_from_name(std::string_view name, SubwordKind& out) {
  std::string n(name);
  for (auto& c : n) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (n == "bpe") out = SubwordKind::BPE;
  else if (n == "unigram") out = SubwordKind::Unigram;
  else if (n == "wordpiece") out = SubwordKind::WordPiece;
  else return false;
  return true;
}

std::u32string utf8_to_u32(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) throw TokenizerError("invalid UTF-8 in a token string");
    char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (size_t k = 1; k < len; ++k) {
      const auto cb = static_cast<unsigned char>(s[i + k]);
      if ((cb >> 6) != 2) throw TokenizerError("invalid UTF-8 in a token string");
      c = (c << 6) | (cb & 0x3F);
    }
    out.push_back(c);
    i += len;
  }
  return out;
}

std::string u32_to_utf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (char32_t c : s) {
    if (c < 0x80) {
      out.push_back(char(c));
    } else if (c < 0x800) {
      out.push_back(char(0xC0 | (c >> 6)));
      out.push_back(char(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(char(0xE0 | (c >> 12)));
      out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(char(0x80 | (c & 0x3F)));
    } else {
      out.push_back(char(0xF0 | (c >> 18)));
      out.push_back(char(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(char(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

namespace {

uint64_t pair_key(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

// ---- JSON reading helpers: every failure names the field --------------------------------
const json& field(const json& obj, const char* key, const std::string& where) {
  const auto it = obj.find(key);
  if (it == obj.end()) throw TokenizerError(where + ": missing \"" + key + "\"");
  return *it;
}
std::string string_field(const json& v, const std::string& where) {
  if (!v.is_string()) throw TokenizerError(where + " must be a string");
  return v.get<std::string>();
}
bool bool_field(const json& obj, const char* key, const std::string& where, bool absent) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return absent;
  if (!it->is_boolean()) throw TokenizerError(where + "." + key + " must be a boolean");
  return it->get<bool>();
}
std::optional<std::string> nullable_string(const json& obj, const char* key, const std::string& where) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  return string_field(*it, where + "." + key);
}

bool read_metaspace(const json& v, const std::string& where) {
  if (v.is_null()) return false;
  if (!v.is_object()) throw TokenizerError(where + " must be an object or null");
  const std::string type = string_field(field(v, "type", where), where + ".type");
  if (type != "Metaspace")
    throw TokenizerError(where + ": only Metaspace is supported (MidiTok's choice), not " + type);
  const auto rep = v.find("replacement");
  if (rep != v.end() && string_field(*rep, where + ".replacement") != u32_to_utf8(std::u32string(1, kMetaspace)))
    throw TokenizerError(where + ".replacement must be \"\u2581\"");
  const auto scheme = v.find("prepend_scheme");
  if (scheme != v.end() && string_field(*scheme, where + ".prepend_scheme") != "always")
    throw TokenizerError(where + ".prepend_scheme: only \"always\" is supported");
  if (!bool_field(v, "split", where, true)) throw TokenizerError(where + ".split: only true is supported");
  return true;
}

std::vector<SubwordModel::Piece> dense_vocab(const json& v, const std::string& where) {
  if (!v.is_object()) throw TokenizerError(where + " must be an object of token -> id");
  if (v.size() > (1u << 24)) throw TokenizerError(where + ": more than 16M entries");
  std::vector<SubwordModel::Piece> pieces(v.size());
  std::vector<bool> seen(v.size(), false);
  for (const auto& [text, idv] : v.items()) {
    if (!idv.is_number_integer()) throw TokenizerError(where + "[\"" + text + "\"] must be an integer id");
    const auto id = idv.get<int64_t>();
    if (id < 0 || size_t(id) >= pieces.size())
      throw TokenizerError(where + "[\"" + text + "\"]: id " + std::to_string(id) + " out of range 0.." +
                           std::to_string(pieces.size() - 1));
    if (seen[size_t(id)]) throw TokenizerError(where + ": id " + std::to_string(id) + " used twice");
    seen[size_t(id)] = true;
    pieces[size_t(id)] = utf8_to_u32(text);
  }
  return pieces;
}

}  // namespace

// ---- construction ----------------------------------------------------------------------------

int32_t SubwordModel::id(const Piece& p) const {
  const auto it = by_piece_.find(p);
  return it == by_piece_.end() ? -1 : it->second;
}

const std::vector<int32_t>& SubwordModel::base_ids(int32_t id) const {
  static const std::vector<int32_t> none;
  return id >= 0 && size_t(id) < base_ids_.size() ? base_ids_[size_t(id)] : none;
}

void SubwordModel::index() {
  by_piece_.clear();
  by_piece_.reserve(pieces_.size());
  for (size_t i = 0; i < pieces_.size(); ++i)
    if (!by_piece_.emplace(pieces_[i], int32_t(i)).second)
      throw TokenizerError("vocabulary has the token \"" + u32_to_utf8(pieces_[i]) + "\" twice");
  for (const auto& a : added_) {
    if (a.id < 0 || size_t(a.id) >= pieces_.size() || pieces_[size_t(a.id)] != a.content)
      throw TokenizerError("added token \"" + u32_to_utf8(a.content) + "\" (id " + std::to_string(a.id) +
                           ") is not that entry of the model's vocabulary");
  }
  // MidiTok's decomposition: strip the continuing prefix / end suffix / metaspace, then one
  // base token per character.
  base_ids_.assign(pieces_.size(), {});
  longest_ = 0;
  for (size_t i = 0; i < pieces_.size(); ++i) {
    std::u32string_view p = pieces_[i];
    const std::u32string prefix = utf8_to_u32(kind_ == SubwordKind::BPE ? bpe_prefix_.value_or("")
                                              : kind_ == SubwordKind::WordPiece ? wp_prefix_ : "");
    const std::u32string suffix = utf8_to_u32(kind_ == SubwordKind::BPE ? bpe_suffix_.value_or("") : "");
    if (!prefix.empty() && p.substr(0, prefix.size()) == prefix) p.remove_prefix(prefix.size());
    if (!suffix.empty() && p.size() >= suffix.size() && p.substr(p.size() - suffix.size()) == suffix)
      p.remove_suffix(suffix.size());
    if (metaspace_ && !p.empty() && p[0] == kMetaspace) p.remove_prefix(1);
    auto& b = base_ids_[i];
    for (char32_t c : p) b.push_back(base_id_of(c));  // -1 for characters no base token has
    longest_ = std::max(longest_, b.size());
  }
  merge_rank_.clear();
  for (size_t r = 0; r < merges_.size(); ++r) {
    const auto [a, b] = merges_[r];
    const Piece joined = pieces_[size_t(a)] + [&] {
      Piece right = pieces_[size_t(b)];
      const std::u32string prefix = utf8_to_u32(bpe_prefix_.value_or(""));
      if (!prefix.empty() && right.compare(0, prefix.size(), prefix) == 0) right.erase(0, prefix.size());
      return right;
    }();
    const auto it = by_piece_.find(joined);
    if (it == by_piece_.end())
      throw TokenizerError("merge " + std::to_string(r) + " (\"" + u32_to_utf8(pieces_[size_t(a)]) + "\", \"" +
                           u32_to_utf8(pieces_[size_t(b)]) + "\") makes a token missing from the vocabulary");
    merge_rank_[pair_key(a, b)] = {int32_t(r), it->second};  // a later duplicate wins, as in HF
  }
  trie_.clear();
  if (kind_ == SubwordKind::Unigram) {
    trie_.emplace_back();
    for (size_t i = 0; i < pieces_.size(); ++i) {
      int32_t node = 0;
      for (char32_t c : pieces_[i]) {
        auto& next = trie_[size_t(node)].next;
        auto it = std::lower_bound(next.begin(), next.end(), std::make_pair(c, int32_t(-1)));
        if (it != next.end() && it->first == c) {
          node = it->second;
        } else {
          const auto child = int32_t(trie_.size());
          next.insert(it, {c, child});
          trie_.emplace_back();
          node = child;
        }
      }
      trie_[size_t(node)].id = int32_t(i);
    }
    min_score_ = scores_.empty() ? 0.0 : *std::min_element(scores_.begin(), scores_.end());
  }
}

SubwordModel SubwordModel::make_bpe(std::vector<Piece> vocab, const std::vector<std::pair<int32_t, int32_t>>& merges,
                                    std::vector<AddedToken> added, bool metaspace,
                                    std::optional<std::string> continuing_prefix, std::optional<std::string> end_suffix) {
  SubwordModel m;
  m.kind_ = SubwordKind::BPE;
  m.pieces_ = std::move(vocab);
  m.merges_ = merges;
  for (const auto& [a, b] : m.merges_)
    if (a < 0 || b < 0 || size_t(a) >= m.pieces_.size() || size_t(b) >= m.pieces_.size())
      throw TokenizerError("a merge names an id outside the vocabulary");
  m.added_ = std::move(added);
  m.metaspace_ = metaspace;
  m.bpe_prefix_ = std::move(continuing_prefix);
  m.bpe_suffix_ = std::move(end_suffix);
  m.index();
  return m;
}

SubwordModel SubwordModel::make_wordpiece(std::vector<Piece> vocab, std::vector<AddedToken> added, bool metaspace,
                                          Piece unk, std::string continuing_prefix, size_t max_chars_per_word) {
  SubwordModel m;
  m.kind_ = SubwordKind::WordPiece;
  m.pieces_ = std::move(vocab);
  m.added_ = std::move(added);
  m.metaspace_ = metaspace;
  m.wp_unk_ = std::move(unk);
  m.wp_prefix_ = std::move(continuing_prefix);
  m.wp_max_chars_ = max_chars_per_word;
  m.index();
  if (m.id(m.wp_unk_) < 0) throw TokenizerError("unk_token \"" + u32_to_utf8(m.wp_unk_) + "\" is not in the vocabulary");
  return m;
}

SubwordModel SubwordModel::make_unigram(std::vector<std::pair<Piece, double>> pieces, std::vector<AddedToken> added,
                                        bool metaspace, std::optional<int32_t> unk_id) {
  SubwordModel m;
  m.kind_ = SubwordKind::Unigram;
  for (auto& [p, s] : pieces) {
    if (!std::isfinite(s)) throw TokenizerError("piece \"" + u32_to_utf8(p) + "\" has a score that is not finite");
    m.pieces_.push_back(std::move(p));
    m.scores_.push_back(s);
  }
  if (unk_id && (*unk_id < 0 || size_t(*unk_id) >= m.pieces_.size()))
    throw TokenizerError("unk_id " + std::to_string(*unk_id) + " is out of range");
  m.unk_id_ = unk_id;
  m.added_ = std::move(added);
  m.metaspace_ = metaspace;
  m.index();
  return m;
}

// ---- JSON ------------------------------------------------------------------------------------

SubwordModel SubwordModel::from_hf_json(const json& j) {
  if (!j.is_object()) throw TokenizerError("_model is not a JSON object");
  for (const char* key : {"normalizer", "post_processor", "truncation", "padding"}) {
    const auto it = j.find(key);
    if (it != j.end() && !it->is_null()) throw TokenizerError(std::string("_model.") + key + ": only null is supported");
  }
  bool metaspace = false;
  if (const auto it = j.find("pre_tokenizer"); it != j.end()) metaspace = read_metaspace(*it, "_model.pre_tokenizer");
  if (const auto it = j.find("decoder"); it != j.end()) read_metaspace(*it, "_model.decoder");

  std::vector<AddedToken> added;
  if (const auto it = j.find("added_tokens"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) throw TokenizerError("_model.added_tokens must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      const auto& a = (*it)[i];
      const std::string where = "_model.added_tokens[" + std::to_string(i) + "]";
      if (!a.is_object()) throw TokenizerError(where + " must be an object");
      const auto& idv = field(a, "id", where);
      if (!idv.is_number_integer() || idv.get<int64_t>() < 0 || idv.get<int64_t>() > (1 << 24))
        throw TokenizerError(where + ".id must be a non-negative integer");
      for (const char* flag : {"single_word", "lstrip", "rstrip", "normalized"})
        if (bool_field(a, flag, where, false)) throw TokenizerError(where + "." + flag + ": only false is supported");
      if (!bool_field(a, "special", where, true)) throw TokenizerError(where + ".special: only special tokens are supported");
      const auto content = utf8_to_u32(string_field(field(a, "content", where), where + ".content"));
      if (content.empty()) throw TokenizerError(where + ".content is empty");
      added.push_back({content, int32_t(idv.get<int64_t>())});
    }
  }

  const json& model = field(j, "model", "_model");
  if (!model.is_object()) throw TokenizerError("_model.model must be an object");
  const std::string type = string_field(field(model, "type", "_model.model"), "_model.model.type");
  const std::string where = "_model.model";
  try {
    if (type == "BPE") {
      if (const auto it = model.find("dropout"); it != model.end() && !it->is_null())
        throw TokenizerError(where + ".dropout: only null is supported");
      for (const char* flag : {"fuse_unk", "byte_fallback", "ignore_merges"})
        if (bool_field(model, flag, where, false)) throw TokenizerError(where + "." + flag + ": only false is supported");
      if (nullable_string(model, "unk_token", where)) throw TokenizerError(where + ".unk_token: only null is supported");
      auto vocab = dense_vocab(field(model, "vocab", where), where + ".vocab");
      std::unordered_map<Piece, int32_t> ids;
      for (size_t i = 0; i < vocab.size(); ++i) ids.emplace(vocab[i], int32_t(i));
      const json& mj = field(model, "merges", where);
      if (!mj.is_array()) throw TokenizerError(where + ".merges must be an array");
      std::vector<std::pair<int32_t, int32_t>> merges;
      merges.reserve(mj.size());
      for (size_t r = 0; r < mj.size(); ++r) {
        const std::string mw = where + ".merges[" + std::to_string(r) + "]";
        Piece a, b;
        if (mj[r].is_array()) {
          if (mj[r].size() != 2) throw TokenizerError(mw + " must hold two tokens");
          a = utf8_to_u32(string_field(mj[r][0], mw + "[0]"));
          b = utf8_to_u32(string_field(mj[r][1], mw + "[1]"));
        } else {
          const auto s = utf8_to_u32(string_field(mj[r], mw));  // the older "a b" form
          const auto sp = s.find(U' ');
          if (sp == Piece::npos) throw TokenizerError(mw + " must be \"left right\"");
          a = s.substr(0, sp);
          b = s.substr(sp + 1);
        }
        const auto ia = ids.find(a), ib = ids.find(b);
        if (ia == ids.end() || ib == ids.end())
          throw TokenizerError(mw + " names a token missing from the vocabulary");
        merges.push_back({ia->second, ib->second});
      }
      return make_bpe(std::move(vocab), merges, std::move(added), metaspace,
                      nullable_string(model, "continuing_subword_prefix", where),
                      nullable_string(model, "end_of_word_suffix", where));
    }
    if (type == "WordPiece") {
      auto vocab = dense_vocab(field(model, "vocab", where), where + ".vocab");
      const auto unk = utf8_to_u32(string_field(field(model, "unk_token", where), where + ".unk_token"));
      const auto prefix = string_field(field(model, "continuing_subword_prefix", where), where + ".continuing_subword_prefix");
      const auto& mx = field(model, "max_input_chars_per_word", where);
      if (!mx.is_number_integer() || mx.get<int64_t>() < 1)
        throw TokenizerError(where + ".max_input_chars_per_word must be a positive integer");
      return make_wordpiece(std::move(vocab), std::move(added), metaspace, unk, prefix, size_t(mx.get<int64_t>()));
    }
    if (type == "Unigram") {
      if (bool_field(model, "byte_fallback", where, false)) throw TokenizerError(where + ".byte_fallback: only false is supported");
      const json& vj = field(model, "vocab", where);
      if (!vj.is_array()) throw TokenizerError(where + ".vocab must be an array of [piece, score]");
      if (vj.size() > (1u << 24)) throw TokenizerError(where + ".vocab: more than 16M entries");
      std::vector<std::pair<Piece, double>> pieces;
      pieces.reserve(vj.size());
      for (size_t i = 0; i < vj.size(); ++i) {
        const std::string pw = where + ".vocab[" + std::to_string(i) + "]";
        if (!vj[i].is_array() || vj[i].size() != 2 || !vj[i][1].is_number())
          throw TokenizerError(pw + " must be [piece, score]");
        pieces.push_back({utf8_to_u32(string_field(vj[i][0], pw + "[0]")), vj[i][1].get<double>()});
      }
      std::optional<int32_t> unk;
      const auto& uj = field(model, "unk_id", where);
      if (!uj.is_null()) {
        if (!uj.is_number_integer()) throw TokenizerError(where + ".unk_id must be an integer or null");
        const auto u = uj.get<int64_t>();
        if (u < 0 || size_t(u) >= pieces.size()) throw TokenizerError(where + ".unk_id " + std::to_string(u) + " is out of range");
        unk = int32_t(u);
      }
      return make_unigram(std::move(pieces), std::move(added), metaspace, unk);
    }
  } catch (const TokenizerError& e) {
    const std::string msg = e.what();
    throw TokenizerError(msg.rfind("_model", 0) == 0 ? msg : where + ": " + msg);
  } catch (const json::exception& e) {
    throw TokenizerError(where + ": " + e.what());
  }
  throw TokenizerError(where + ".type: " + type + " is not supported (BPE, Unigram or WordPiece)");
}

ordered_json SubwordModel::to_hf_json() const {
  const ordered_json metaspace_json = {{"type", "Metaspace"},
                                       {"replacement", u32_to_utf8(std::u32string(1, kMetaspace))},
                                       {"prepend_scheme", "always"},
                                       {"split", true}};
  ordered_json j;
  j["version"] = "1.0";
  j["truncation"] = nullptr;
  j["padding"] = nullptr;
  ordered_json added = ordered_json::array();
  for (const auto& a : added_)
    added.push_back({{"id", a.id}, {"content", u32_to_utf8(a.content)}, {"single_word", false}, {"lstrip", false},
                     {"rstrip", false}, {"normalized", false}, {"special", true}});
  j["added_tokens"] = added;
  j["normalizer"] = nullptr;
  j["pre_tokenizer"] = metaspace_ ? metaspace_json : ordered_json(nullptr);
  j["post_processor"] = nullptr;
  j["decoder"] = metaspace_ ? metaspace_json : ordered_json(nullptr);
  ordered_json m;
  auto vocab_object = [&] {
    ordered_json v = ordered_json::object();
    for (const auto& p : pieces_) v[u32_to_utf8(p)] = by_piece_.at(p);
    return v;
  };
  auto opt = [](const std::optional<std::string>& s) { return s ? ordered_json(*s) : ordered_json(nullptr); };
  switch (kind_) {
    case SubwordKind::BPE: {
      m["type"] = "BPE";
      m["dropout"] = nullptr;
      m["unk_token"] = nullptr;
      m["continuing_subword_prefix"] = opt(bpe_prefix_);
      m["end_of_word_suffix"] = opt(bpe_suffix_);
      m["fuse_unk"] = false;
      m["byte_fallback"] = false;
      m["ignore_merges"] = false;
      m["vocab"] = vocab_object();
      ordered_json merges = ordered_json::array();
      for (const auto& [a, b] : merges_) merges.push_back({u32_to_utf8(pieces_[size_t(a)]), u32_to_utf8(pieces_[size_t(b)])});
      m["merges"] = merges;
      break;
    }
    case SubwordKind::WordPiece:
      m["type"] = "WordPiece";
      m["unk_token"] = u32_to_utf8(wp_unk_);
      m["continuing_subword_prefix"] = wp_prefix_;
      m["max_input_chars_per_word"] = wp_max_chars_;
      m["vocab"] = vocab_object();
      break;
    case SubwordKind::Unigram: {
      m["type"] = "Unigram";
      m["unk_id"] = unk_id_ ? ordered_json(*unk_id_) : ordered_json(nullptr);
      ordered_json v = ordered_json::array();
      for (size_t i = 0; i < pieces_.size(); ++i) v.push_back({u32_to_utf8(pieces_[i]), scores_[i]});
      m["vocab"] = v;
      m["byte_fallback"] = false;
      break;
    }
  }
  j["model"] = m;
  return j;
}

// ---- encoding --------------------------------------------------------------------------------

void SubwordModel::encode_word(std::u32string_view word, std::vector<int32_t>& out) const {
  // Added (special) tokens are cut out first, leftmost-longest, as tokenizers' AddedVocabulary
  // does; every other stretch goes through the pre-tokenizer and the model on its own.
  auto encode_stretch = [&](std::u32string_view s) {
    if (s.empty()) return;
    if (!metaspace_) return encode_model(s, out);
    // Metaspace, prepend_scheme "always", split: "▁" before the stretch, a new word at every "▁".
    std::u32string w;
    w.reserve(s.size() + 1);
    if (s[0] != kMetaspace) w.push_back(kMetaspace);
    w.append(s);
    size_t start = 0;
    for (size_t i = 1; i <= w.size(); ++i)
      if (i == w.size() || w[i] == kMetaspace) {
        encode_model(std::u32string_view(w).substr(start, i - start), out);
        start = i;
      }
  };
  if (added_.empty()) return encode_stretch(word);
  size_t stretch = 0;
  for (size_t i = 0; i < word.size();) {
    const AddedToken* best = nullptr;
    for (const auto& a : added_)
      if (word.substr(i, a.content.size()) == a.content && (!best || a.content.size() > best->content.size())) best = &a;
    if (!best) {
      ++i;
      continue;
    }
    encode_stretch(word.substr(stretch, i - stretch));
    out.push_back(best->id);
    i += best->content.size();
    stretch = i;
  }
  encode_stretch(word.substr(stretch));
}

void SubwordModel::encode_model(std::u32string_view w, std::vector<int32_t>& out) const {
  switch (kind_) {
    case SubwordKind::BPE: return encode_bpe(w, out);
    case SubwordKind::WordPiece: return encode_wordpiece(w, out);
    case SubwordKind::Unigram: return encode_unigram(w, out);
  }
}

void SubwordModel::encode_bpe(std::u32string_view w, std::vector<int32_t>& out) const {
  struct Symbol {
    int32_t c;
    int32_t prev, next;
    bool alive;
  };
  std::vector<Symbol> sym;
  sym.reserve(w.size());
  const std::u32string prefix = bpe_prefix_ ? utf8_to_u32(*bpe_prefix_) : std::u32string();
  const std::u32string suffix = bpe_suffix_ ? utf8_to_u32(*bpe_suffix_) : std::u32string();
  Piece s;
  for (size_t i = 0; i < w.size(); ++i) {
    s.clear();
    if (i > 0) s += prefix;
    s.push_back(w[i]);
    if (i + 1 == w.size()) s += suffix;
    const auto it = by_piece_.find(s);
    if (it == by_piece_.end()) continue;  // no unk token: tokenizers drops the character
    const auto n = int32_t(sym.size());
    if (n > 0) sym.back().next = n;
    sym.push_back({it->second, n - 1, -1, true});
  }
  // Lowest rank first, then leftmost: tokenizers' merge_all without dropout.
  struct Merge {
    int32_t rank, pos, new_id;
    bool operator<(const Merge& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Merge> queue;
  auto lookup = [&](int32_t a, int32_t b) -> const std::pair<int32_t, int32_t>* {
    const auto it = merge_rank_.find(pair_key(a, b));
    return it == merge_rank_.end() ? nullptr : &it->second;
  };
  for (size_t i = 0; i + 1 < sym.size(); ++i)
    if (const auto* m = lookup(sym[i].c, sym[i + 1].c)) queue.push({m->first, int32_t(i), m->second});
  while (!queue.empty()) {
    const Merge top = queue.top();
    queue.pop();
    Symbol& cur = sym[size_t(top.pos)];
    if (!cur.alive || cur.next < 0) continue;
    const Symbol right = sym[size_t(cur.next)];
    const auto* m = lookup(cur.c, right.c);
    if (!m || m->second != top.new_id) continue;  // an expired entry
    sym[size_t(cur.next)].alive = false;
    cur.c = top.new_id;
    cur.next = right.next;
    if (right.next >= 0) sym[size_t(right.next)].prev = top.pos;
    if (cur.prev >= 0)
      if (const auto* pm = lookup(sym[size_t(cur.prev)].c, cur.c)) queue.push({pm->first, cur.prev, pm->second});
    if (cur.next >= 0)
      if (const auto* nm = lookup(cur.c, sym[size_t(cur.next)].c)) queue.push({nm->first, top.pos, nm->second});
  }
  for (const auto& x : sym)
    if (x.alive) out.push_back(x.c);
}

void SubwordModel::encode_wordpiece(std::u32string_view w, std::vector<int32_t>& out) const {
  const int32_t unk = id(wp_unk_);
  if (w.size() > wp_max_chars_) {
    out.push_back(unk);
    return;
  }
  const std::u32string prefix = utf8_to_u32(wp_prefix_);
  const size_t mark = out.size();
  Piece s;
  for (size_t start = 0; start < w.size();) {
    int32_t found = -1;
    size_t end = w.size();
    for (; end > start; --end) {
      s.clear();
      if (start > 0) s += prefix;
      s.append(w.substr(start, end - start));
      const auto it = by_piece_.find(s);
      if (it != by_piece_.end()) {
        found = it->second;
        break;
      }
    }
    if (found < 0) {  // one character nothing covers: the whole word becomes unk
      out.resize(mark);
      out.push_back(unk);
      return;
    }
    out.push_back(found);
    start = end;
  }
}

void SubwordModel::encode_unigram(std::u32string_view w, std::vector<int32_t>& out) const {
  // Viterbi over every piece that starts at each position (sentencepiece's optimized
  // encoding): a later candidate replaces the best only when strictly better.
  constexpr double kUnkPenalty = 10.0;
  struct Node {
    double score = 0.0;
    int32_t start = -1;
    int32_t id = 0;
  };
  std::vector<Node> best(w.size() + 1);
  const double unk_score = min_score_ - kUnkPenalty;
  for (size_t start = 0; start < w.size(); ++start) {
    const double here = best[start].score;
    bool single = false;
    int32_t node = 0;
    for (size_t k = start; k < w.size(); ++k) {
      const auto& next = trie_[size_t(node)].next;
      const auto it = std::lower_bound(next.begin(), next.end(), std::make_pair(w[k], int32_t(-1)));
      if (it == next.end() || it->first != w[k]) break;
      node = it->second;
      const int32_t pid = trie_[size_t(node)].id;
      if (pid < 0) continue;
      Node& target = best[k + 1];
      const double candidate = scores_[size_t(pid)] + here;
      if (target.start < 0 || candidate > target.score) target = {candidate, int32_t(start), pid};
      if (k == start) single = true;
    }
    if (!single) {
      if (!unk_id_) throw TokenizerError("Unigram model has no piece for a character and no unk_id");
      Node& target = best[start + 1];
      const double candidate = unk_score + here;
      if (target.start < 0 || candidate > target.score) target = {candidate, int32_t(start), *unk_id_};
    }
  }
  std::vector<int32_t> rev;
  for (size_t end = w.size(); end > 0;) {
    const Node& n = best[end];
    // tokenizers fuses consecutive unknown pieces into one (fuse_unk is on for Unigram).
    if (!(unk_id_ && n.id == *unk_id_ && !rev.empty() && rev.back() == *unk_id_)) rev.push_back(n.id);
    end = size_t(n.start);
  }
  out.insert(out.end(), rev.rbegin(), rev.rend());
}

}  // namespace harmonia::tokenizer
