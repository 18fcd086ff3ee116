// Torch side of the Regenerate selection tests (no Qt header here, as generation_reference):
// a tiny, untrained fill-in-the-middle model on disk. Untrained is enough for the mechanics:
// the infilling rules guarantee the bar count and the splice whatever the model samples.
#pragma once

#include <cstdint>
#include <string>

namespace harmonia::ui::test {

// A randomly initialised "tiny" GPT-2 (seeded) whose tokenizer is REMI with programs in one
// stream, tempos and time signatures (the arrangement tokenizer) plus FIM_PRE/FIM_SUF/FIM_MID.
void writeTinyFimModel(const std::string& dir, uint64_t init_seed);

}  // namespace harmonia::ui::test
