// trainer_state.json's fuzz target: whatever parse_trainer_state accepts must be usable the
// way a resume uses it — counts non-negative, the data position's fields readable with the
// types BatchSource::restore reads them as — and must survive a write and re-read unchanged.
// Anything else must be a TrainerStateError; another exception escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/train/trainer_state.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "trainer_state fuzz: accepted state breaks an invariant: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace harmonia::train;
  TrainerState s;
  try {
    s = parse_trainer_state(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz/trainer_state.json");
  } catch (const TrainerStateError&) {
    return 0;
  }
  check(s.step >= 0 && s.epoch >= 0 && s.tokens >= 0 && s.evals_without_improvement >= 0, "counts non-negative");
  check(s.elapsed_s >= 0, "elapsed time non-negative");
  // What DatasetBatchSource::restore and InMemoryBatchSource::restore read (they would throw
  // nlohmann's type_error, not a clear error, on a field of another type).
  if (s.data.contains("kind")) (void)s.data.at("kind").get<std::string>();
  if (s.data.contains("windows")) (void)s.data.at("windows").get<size_t>();
  check(s.data.at("epoch").get<int64_t>() >= 0 && s.data.at("batch_index").get<int64_t>() >= 0, "data position");
  const std::string again = trainer_state_to_json(s).dump(2);
  TrainerState r;
  try {
    r = parse_trainer_state(again, "round trip");
  } catch (const TrainerStateError& e) {
    std::fprintf(stderr, "trainer_state fuzz: a written state does not read back: %s\n", e.what());
    std::abort();
  }
  check(r.step == s.step && r.epoch == s.epoch && r.tokens == s.tokens && r.data == s.data && r.config == s.config,
        "round trip keeps every field");
  check(r.best_val_loss == s.best_val_loss && r.elapsed_s == s.elapsed_s, "round trip keeps the numbers");
  return 0;
}
