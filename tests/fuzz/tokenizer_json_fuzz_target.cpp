// tokenizer.json's fuzz target (plain and trained MidiTok files): whatever parses as JSON
// must load or fail with a TokenizerError; what loads must encode a small score, decode
// arbitrary ids (learned ids too) and save again without a memory error.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/tokenizer/tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace harmonia;
  using namespace harmonia::tokenizer;
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(data, data + size);
  } catch (const nlohmann::json::exception&) {
    return 0;  // not JSON: the loader reports the parse error, nothing of ours runs
  }
  std::unique_ptr<Tokenizer> tok;
  try {
    tok = Tokenizer::from_json(j, "fuzz.json");
  } catch (const TokenizerError&) {
    return 0;
  }
  midi::Score score;
  midi::Track t;
  for (int i = 0; i < 16; ++i) t.notes.push_back({i * 240, 240, 48 + (i * 5) % 40, 30 + i * 5});
  score.tracks.push_back(t);
  try {
    const auto enc = tok->encode(score);
    tok->decode(enc.sequences, enc.programs);
  } catch (const TokenizerError&) {
    // e.g. a Unigram model without the pieces a score needs
  }
  std::vector<int32_t> ids;
  for (size_t i = 0; i + 1 < size && ids.size() < 256; i += 2) ids.push_back(int32_t(data[i]) * 7 + data[i + 1] - 64);
  TokSequence seq;
  seq.fields = tok->num_fields();
  seq.ids = ids;
  seq.ids.resize(ids.size() / seq.fields * seq.fields);
  tok->decode({seq});
  (void)tok->to_json().dump();
  return 0;
}
