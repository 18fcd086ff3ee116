// MidiTok's preprocess_score, reproduced step by step: resample to the tokenizer's ticks per
// quarter (symusic rounding), filter and delay time signatures, merge same-program tracks
// (one-stream programs), drop out-of-range pitches, quantize velocities, durations and
// tempos, drop empty tracks. The result is what the schemes turn into tokens.
#pragma once

#include <cstdint>
#include <vector>

#include "core/midi/score.hpp"
#include "core/tokenizer/config.hpp"
#include "core/tokenizer/time_tables.hpp"

namespace harmonia::tokenizer {

struct PNote {
  int64_t time = 0;
  int64_t duration = 0;
  int pitch = 0;
  int velocity = 0;
  int64_t end() const { return time + duration; }
};

struct PTrack {
  int program = 0;
  bool is_drum = false;
  std::vector<PNote> notes;  // onset order
  int64_t passive_last = 0;  // last control / pitch bend (kept by MidiTok, not tokenized)
  int token_program() const { return is_drum ? -1 : program; }
};

struct PTempo {
  int64_t time = 0;
  int index = 0;  // into TimeTables::tempos
};

struct PTimeSig {
  int64_t time = 0;
  int numerator = 4;
  int denominator = 4;
};

// A section of the score with a given number of ticks per beat: up to (excluding) end_tick.
struct TpbSection {
  int64_t end_tick = 0;
  int ticks_per_beat = 0;
};

struct PreparedScore {
  int tpq = 8;
  std::vector<PTrack> tracks;
  std::vector<PTempo> tempos;         // only with use_tempos
  std::vector<PTimeSig> time_sigs;    // at least one, at tick 0
  int64_t end_tick() const;           // symusic's Score.end()
  int64_t max_onset_tick() const;     // last onset of anything (MidiTok's only_notes_onsets)
  std::vector<TpbSection> ticks_per_beat_sections() const;
  std::vector<int64_t> bar_ticks() const;  // start tick of each bar up to the last onset

  // What MidiTok's get_bars_ticks / get_beats_ticks see on its preprocessed Score, used to
  // cut sequences per bar or beat for trained tokenizers: the last time of events it keeps
  // without tokenizing counts too.
  int64_t passive_last_tick = 0;  // untokenized tempos, key signatures
  std::vector<int64_t> split_bar_ticks() const;
  std::vector<int64_t> split_beat_ticks() const;
};

// `note_on_off`: MIDILike-style schemes keep durations in ticks instead of snapping them to
// Duration bins. Never throws on musical content; empty input gives an empty track list.
PreparedScore preprocess_score(const midi::Score& score, const TokenizerConfig& config, const TimeTables& tables,
                               bool note_on_off);

}  // namespace harmonia::tokenizer
