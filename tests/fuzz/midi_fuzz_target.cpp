// The MIDI reader's fuzz target. Built two ways (tests/fuzz/CMakeLists.txt):
// with clang's libFuzzer for long coverage-guided runs, and with our own mutation driver
// (midi_mutation_driver.cpp) under ASan/UBSan for a short run in every CI.
#include <cstddef>
#include <cstdint>

#include "core/midi/midi_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace harmonia::midi;
  try {
    const Score score = read_midi(data, size, "fuzz.mid");
    // Whatever parses must also write and re-read: the writer sees odd scores this way.
    const auto bytes = write_midi(score);
    const Score again = read_midi(bytes.data(), bytes.size(), "fuzz-rewritten.mid");
    if (again.note_count() != score.note_count()) __builtin_trap();
    (void)score.duration_seconds();
  } catch (const MidiError&) {
    // Expected for malformed input.
  } catch (const std::runtime_error&) {
    // Writer limits (e.g. event times beyond a MIDI file's range) are reported this way.
  }
  return 0;
}
