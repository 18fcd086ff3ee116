// Internal: the events MidiTok builds before adding time tokens, and helpers the schemes
// share for encoding and decoding.
#pragma once

#include <cstdint>
#include <vector>

#include "core/midi/score.hpp"
#include "core/tokenizer/preprocess.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "core/tokenizer/vocabulary.hpp"

namespace harmonia::tokenizer {

struct Event {
  TokenType type = TokenType::Pitch;
  int value = 0;
  int64_t time = 0;
  int64_t desc = 0;     // note end for pitch events
  int8_t order = 10;    // MIDILike's secondary sort key (0 global, 1 note-offs, 10 notes)
};

// Chords found in a track's notes (MidiTok's detect_chords): (tick, chord index).
std::vector<std::pair<int64_t, int>> detect_chords(const std::vector<PNote>& notes,
                                                   const std::vector<TpbSection>& tpb_sections,
                                                   const TokenizerConfig& config, int beat_res);

// The track of `score` for (program, is_drum), created at the end if missing.
midi::Track& track_for(midi::Score& score, int program, bool is_drum);

// Ticks per bar / beat for a time signature at `tpq`.
inline int64_t bar_ticks_of(int num, int den, int tpq) { return int64_t(ticks_per_beat_for(den, tpq)) * num; }

}  // namespace harmonia::tokenizer
