// JSON layout of token sequences (see token_json.hpp).
#include "core/tokenizer/token_json.hpp"

#include <nlohmann/json.hpp>

namespace harmonia::tokenizer {

using ordered_json = nlohmann::ordered_json;

namespace {

// One sequence: flat list for single-vocabulary schemes, list of steps for compound ones.
template <class T, class Get>
ordered_json shaped(const TokSequence& seq, Get get) {
  ordered_json out = ordered_json::array();
  if (seq.fields <= 1) {
    for (size_t i = 0; i < seq.ids.size(); ++i) out.push_back(get(i));
    return out;
  }
  for (size_t s = 0; s < seq.steps(); ++s) {
    ordered_json step = ordered_json::array();
    for (size_t f = 0; f < seq.fields; ++f) step.push_back(get(s * seq.fields + f));
    out.push_back(step);
  }
  return out;
}

}  // namespace

ordered_json encoding_to_json(const Tokenizer& tok, const Encoding& enc) {
  ordered_json tokens = ordered_json::array(), ids = ordered_json::array();
  for (const auto& seq : enc.sequences) {
    // Trained: "ids" are the learned ids, "tokens" the base tokens they stand for (MidiTok).
    const auto strings = tok.strings(tok.is_trained() ? tok.decode_ids(seq) : seq);
    if (tok.is_trained()) tokens.push_back(strings);
    else tokens.push_back(shaped<std::string>(seq, [&](size_t i) { return strings[i]; }));
    ids.push_back(shaped<int>(seq, [&](size_t i) { return seq.ids[i]; }));
  }
  ordered_json j;
  j["tokenizer"] = tok.name();
  if (tok.one_token_stream()) {
    j["io_format"] = {"T"};
    j["tokens"] = tokens.empty() ? ordered_json::array() : tokens[0];
    j["ids"] = ids.empty() ? ordered_json::array() : ids[0];
  } else {
    j["io_format"] = tok.is_compound() ? ordered_json{"I", "T", "C"} : ordered_json{"I", "T"};
    j["tokens"] = tokens;
    j["ids"] = ids;
  }
  ordered_json programs = ordered_json::array();
  for (const auto& [p, drum] : enc.programs) programs.push_back({p, drum});
  j["programs"] = programs;
  return j;
}

ParsedTokens tokens_from_json(const Tokenizer& tok, const ordered_json& j) {
  if (!j.is_object()) throw TokenizerError("tokens JSON: top level must be an object");
  // A trained tokenizer reads the learned "ids" when there are some, else base "tokens".
  const bool use_strings = j.contains("tokens") && !(tok.is_trained() && j.contains("ids"));
  if (!use_strings && !j.contains("ids")) throw TokenizerError("tokens JSON: needs \"tokens\" or \"ids\"");
  const ordered_json& data = use_strings ? j["tokens"] : j["ids"];
  if (!data.is_array()) throw TokenizerError("tokens JSON: \"tokens\"/\"ids\" must be a list");
  const size_t fields = tok.num_fields();

  // Shape: a single stream is a list of tokens (or of steps); otherwise a list of those.
  auto is_token = [&](const ordered_json& x) { return use_strings ? x.is_string() : x.is_number_integer(); };
  auto is_step = [&](const ordered_json& x) {
    return fields > 1 ? (x.is_array() && !x.empty() && is_token(x[0])) : is_token(x);
  };
  std::vector<const ordered_json*> seqs;
  if (data.empty() || is_step(data[0])) seqs.push_back(&data);
  else
    for (const auto& s : data) seqs.push_back(&s);

  ParsedTokens out;
  for (const ordered_json* s : seqs) {
    if (!s->is_array()) throw TokenizerError("tokens JSON: a sequence must be a list");
    TokSequence seq;
    seq.fields = fields;
    for (const auto& step : *s) {
      if (fields > 1) {
        if (!step.is_array() || step.size() != fields)
          throw TokenizerError("tokens JSON: compound steps must be lists of " + std::to_string(fields) + " tokens");
        for (size_t f = 0; f < fields; ++f) {
          if (!is_token(step[f])) throw TokenizerError("tokens JSON: bad token in a compound step");
          seq.ids.push_back(use_strings ? tok.vocab(f).id(step[f].get<std::string>()) : step[f].get<int>());
        }
      } else {
        if (!is_token(step)) throw TokenizerError("tokens JSON: bad token (expected " + std::string(use_strings ? "a string" : "an integer") + ")");
        seq.ids.push_back(use_strings ? tok.vocab().id(step.get<std::string>()) : step.get<int>());
      }
    }
    out.sequences.push_back(std::move(seq));
  }
  out.base_ids = use_strings || !tok.is_trained();
  const char* keys[] = {"programs", "programs_after_preprocessing"};
  for (const char* key : keys) {
    if (!j.contains(key)) continue;
    for (const auto& p : j[key]) {
      if (!p.is_array() || p.size() != 2 || !p[0].is_number_integer() || !p[1].is_boolean())
        throw TokenizerError(std::string("tokens JSON: \"") + key + "\" entries must be [program, is_drum]");
      out.programs.push_back({p[0].get<int>(), p[1].get<bool>()});
    }
    break;
  }
  return out;
}

}  // namespace harmonia::tokenizer
