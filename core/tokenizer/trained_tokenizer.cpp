// Trained tokenizers (MidiTok's tokenizer.train): the base sequence is cut into words (per
// bar, per beat or whole), each word's base ids become characters (U+0021 + id), and the
// learned model (subword_model.hpp) encodes each word; decoding expands every learned id
// back into its base ids. Also the trained fields of tokenizer.json.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::tokenizer {

using ordered_json = nlohmann::ordered_json;

namespace {
constexpr const char* kUnigramSuffix = "-unigram";  // MidiTok's UNIGRAM_SPECIAL_TOKEN_SUFFIX
}

bool is_unigram_special(const std::string& s) { return s.size() > 8 && s.compare(s.size() - 8, 8, kUnigramSuffix) == 0; }

size_t Tokenizer::model_vocab_size() const { return subword_ ? subword_->size() : vocab_size(); }

void Tokenizer::set_subword(SubwordModel model) {
  if (is_compound()) throw TokenizerError(name_ + " uses one vocabulary per field and cannot be trained (as in MidiTok)");
  if (vocabs_[0].size() + config_.special_tokens.size() >= size_t(kMetaspace - kBaseCharOffset))
    throw TokenizerError("base vocabulary too large to train (" + std::to_string(vocabs_[0].size()) + " tokens)");
  if (model.kind() == SubwordKind::Unigram) {
    // MidiTok gives Unigram its special tokens as "!"+char+"!" and keeps a base token
    // "<special>-unigram" for each, after the base vocabulary.
    // They are special tokens of the config too (a saved Unigram tokenizer lists them).
    std::vector<std::string> plain;
    for (const auto& s : config_.special_tokens)
      if (!is_unigram_special(s)) plain.push_back(s);
    const size_t n = config_.special_tokens.size();
    for (size_t k = 0; k < plain.size(); ++k) {
      const std::string text = plain[k] + kUnigramSuffix;
      if (vocabs_[0].id(text) < 0) vocabs_[0].add(TokenType::Special, int(n + plain.size() + k), text);
      if (std::find(config_.special_tokens.begin(), config_.special_tokens.end(), text) == config_.special_tokens.end())
        config_.special_tokens.push_back(text);
    }
  }
  subword_ = std::make_shared<const SubwordModel>(std::move(model));
}

std::vector<std::u32string> Tokenizer::split_words(const TokSequence& seq, const std::vector<int64_t>& ticks,
                                                   const std::vector<int64_t>& split_ticks) const {
  // MidiTok's TokSequence._split_per_ticks: a new piece starts at the first token at or
  // after each bar/beat tick; once the tokens run out the rest is one piece.
  std::vector<size_t> starts{0};
  if (config_.encode_ids_split == "bar" || config_.encode_ids_split == "beat") {
    size_t ti = 0;
    for (size_t b = 1; b < split_ticks.size(); ++b) {
      while (ti < ticks.size() && ticks[ti] < split_ticks[b]) ++ti;
      if (ti == ticks.size()) break;
      starts.push_back(ti);
    }
  }
  starts.push_back(seq.ids.size());
  std::vector<std::u32string> words;
  for (size_t k = 0; k + 1 < starts.size(); ++k) {
    if (starts[k + 1] <= starts[k]) continue;  // an empty piece encodes to nothing
    std::u32string w;
    w.reserve(starts[k + 1] - starts[k]);
    for (size_t i = starts[k]; i < starts[k + 1]; ++i) w.push_back(base_char(seq.ids[i]));
    words.push_back(std::move(w));
  }
  return words;
}

std::vector<std::u32string> Tokenizer::training_words(const midi::Score& score) const {
  if (is_compound()) throw TokenizerError(name_ + " uses one vocabulary per field and cannot be trained (as in MidiTok)");
  BaseEncoding b = encode_with_ticks(score, true);
  std::vector<std::u32string> out;
  for (size_t i = 0; i < b.encoding.sequences.size(); ++i)
    for (auto& w : split_words(b.encoding.sequences[i], b.token_ticks[i], b.split_ticks)) out.push_back(std::move(w));
  return out;
}

TokSequence Tokenizer::decode_ids(const TokSequence& learned, size_t* dropped) const {
  TokSequence base;
  if (!subword_) return learned;
  base.ids.reserve(learned.ids.size() * 2);
  size_t bad = 0;
  for (int32_t id : learned.ids) {
    if (id < 0 || size_t(id) >= subword_->size()) {
      ++bad;
      continue;
    }
    const auto& parts = subword_->base_ids(id);  // empty for "▁" alone: MidiTok decodes it to nothing
    for (int32_t b : parts) {
      if (vocabs_[0].valid(b)) base.ids.push_back(b);
      else ++bad;
    }
  }
  if (dropped) *dropped += bad;
  return base;
}

// ---- tokenizer.json --------------------------------------------------------------------------

void Tokenizer::read_trained_fields(const ordered_json& j) {
  const auto model_it = j.find("_model");
  if (model_it == j.end() || model_it->is_null()) {
    for (const char* key : {"_vocab_base_byte_to_token"})
      if (j.contains(key) && !j[key].is_null()) throw TokenizerError(std::string("\"") + key + "\" without \"_model\"");
    return;
  }
  nlohmann::json model_json;
  if (model_it->is_string()) {
    try {
      model_json = nlohmann::json::parse(model_it->get<std::string>());
    } catch (const nlohmann::json::exception& e) {
      throw TokenizerError(std::string("\"_model\" is not valid JSON (") + e.what() + ")");
    }
  } else if (model_it->is_object()) {
    model_json = nlohmann::json::parse(model_it->dump());
  } else {
    throw TokenizerError("\"_model\" must be a string holding the Hugging Face tokenizer JSON");
  }
  set_subword(SubwordModel::from_hf_json(model_json));

  // The saved base vocabulary must be ours: ids decode to the same tokens.
  if (const auto vb = j.find("_vocab_base"); vb != j.end() && !vb->is_null()) {
    if (!vb->is_object()) throw TokenizerError("\"_vocab_base\" must be an object of token -> id");
    if (vb->size() != vocabs_[0].size())
      throw TokenizerError("\"_vocab_base\" has " + std::to_string(vb->size()) + " tokens, the config gives " +
                           std::to_string(vocabs_[0].size()));
    for (const auto& [text, idv] : vb->items()) {
      if (!idv.is_number_integer() || vocabs_[0].id(text) != idv.get<int64_t>())
        throw TokenizerError("\"_vocab_base\"[\"" + text + "\"] does not match the config's vocabulary");
    }
  }
  if (const auto bt = j.find("_vocab_base_byte_to_token"); bt != j.end() && !bt->is_null()) {
    if (!bt->is_object()) throw TokenizerError("\"_vocab_base_byte_to_token\" must be an object");
    for (const auto& [bytes, tok] : bt->items()) {
      if (!tok.is_string()) throw TokenizerError("\"_vocab_base_byte_to_token\"[...] must be a token string");
      const auto chars = utf8_to_u32(bytes);
      const int id = vocabs_[0].id(tok.get<std::string>());
      const bool ok = chars.size() == 1 ? id >= 0 && base_id_of(chars[0]) == id
                                        : tok.get<std::string>().size() > 8 && id >= 0;  // "-unigram" specials
      if (!ok)
        throw TokenizerError("\"_vocab_base_byte_to_token\" maps a character to \"" + tok.get<std::string>() +
                             "\", not the token MidiTok's character mapping gives");
    }
  }
  // Every learned token must stand for base tokens this vocabulary has.
  for (size_t id = 0; id < subword_->size(); ++id)
    for (int32_t b : subword_->base_ids(int32_t(id)))
      if (!vocabs_[0].valid(b))
        throw TokenizerError("\"_model\": learned token " + std::to_string(id) + " (\"" +
                             u32_to_utf8(subword_->piece(int32_t(id))) + "\") holds a character that is no base token");
}

void Tokenizer::write_trained_fields(ordered_json& j) const {
  if (!subword_) return;
  ordered_json vb = ordered_json::object();
  for (size_t i = 0; i < vocabs_[0].size(); ++i) vb[vocabs_[0].text(int(i))] = i;
  j["_vocab_base"] = vb;
  j["_model"] = subword_->to_hf_json().dump();
  ordered_json bt = ordered_json::object();
  for (size_t i = 0; i < vocabs_[0].size(); ++i) {
    const std::string& text = vocabs_[0].text(int(i));
    if (is_unigram_special(text)) {
      const std::string base = text.substr(0, text.size() - 8);
      const int sid = vocabs_[0].id(base);
      bt[u32_to_utf8(std::u32string{base_char(0), base_char(sid), base_char(0)})] = text;
    } else {
      bt[u32_to_utf8(std::u32string(1, base_char(int32_t(i))))] = text;
    }
  }
  j["_vocab_base_byte_to_token"] = bt;
}

}  // namespace harmonia::tokenizer
