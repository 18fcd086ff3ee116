// config.json's fuzz target: config_from_json parses and validates only — no model is built, so
// no tensor is ever sized from a hostile number. Whatever it accepts must have every size
// positive and under the implausibility cap, and must write and read back to the same config;
// anything else must be a ModelConfigError (another exception escaping is a finding).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/model/model_config.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "config.json fuzz: accepted config breaks an invariant: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace harmonia::model;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(data, data + size);
  } catch (const nlohmann::json::exception&) {
    return 0;  // read_config reports the parse error; nothing of ours runs
  }
  ModelConfig c;
  try {
    c = config_from_json(j, "fuzz/config.json");
  } catch (const ModelConfigError&) {
    return 0;
  }
  for (const int64_t v : {c.vocab_size, c.hidden_size, c.num_hidden_layers})
    check(v > 0 && v <= (int64_t(1) << 24), "size positive and under 2^24");
  for (const int64_t v : c.compound.field_vocab_sizes) check(v > 0, "compound field vocabulary positive");
  ModelConfig again;
  try {
    again = config_from_json(config_to_json(c), "round trip");
  } catch (const ModelConfigError& e) {
    std::fprintf(stderr, "config.json fuzz: a written config does not read back: %s\n", e.what());
    std::abort();
  }
  check(again.model_type == c.model_type && again.vocab_size == c.vocab_size && again.hidden_size == c.hidden_size &&
            again.num_hidden_layers == c.num_hidden_layers && again.num_attention_heads == c.num_attention_heads &&
            again.head_dim == c.head_dim && again.intermediate_size == c.intermediate_size,
        "round trip keeps the sizes");
  check(config_to_json(again) == config_to_json(c), "round trip writes the same JSON");
  return 0;
}
