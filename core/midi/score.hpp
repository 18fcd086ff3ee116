// The in-memory music model every part of the studio shares: what a Standard MIDI File
// holds once parsed, in ticks. Close to symusic's / miditoolkit's Score so that MidiTok
// behaviour can be reproduced on top of it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace harmonia::midi {

using Tick = int64_t;

struct Note {
  Tick time = 0;      // onset
  Tick duration = 0;  // >= 0
  int pitch = 0;      // 0..127
  int velocity = 0;   // 1..127
  Tick end() const { return time + duration; }
  bool operator==(const Note& o) const {
    return time == o.time && duration == o.duration && pitch == o.pitch && velocity == o.velocity;
  }
  bool operator!=(const Note& o) const { return !(*this == o); }
};

struct ControlChange {
  Tick time = 0;
  int number = 0;  // controller 0..127
  int value = 0;   // 0..127
  bool operator==(const ControlChange& o) const {
    return time == o.time && number == o.number && value == o.value;
  }
};

// A sustain pedal press, derived from CC64 (>= 64 down, < 64 up).
struct Pedal {
  Tick time = 0;
  Tick duration = 0;
  bool operator==(const Pedal& o) const { return time == o.time && duration == o.duration; }
};

struct PitchBend {
  Tick time = 0;
  int value = 0;  // -8192..8191, 0 = centre
  bool operator==(const PitchBend& o) const { return time == o.time && value == o.value; }
};

struct Tempo {
  Tick time = 0;
  int32_t us_per_quarter = 500000;  // what the file stores, kept exact
  double qpm() const { return 60'000'000.0 / us_per_quarter; }
  bool operator==(const Tempo& o) const {
    return time == o.time && us_per_quarter == o.us_per_quarter;
  }
};

struct TimeSignature {
  Tick time = 0;
  int numerator = 4;
  int denominator = 4;  // the real value (4), not the file's power of two (2)
  bool operator==(const TimeSignature& o) const {
    return time == o.time && numerator == o.numerator && denominator == o.denominator;
  }
};

struct KeySignature {
  Tick time = 0;
  int sharps = 0;  // -7..7: flats negative
  bool minor = false;
  bool operator==(const KeySignature& o) const {
    return time == o.time && sharps == o.sharps && minor == o.minor;
  }
};

struct Track {
  std::string name;
  int program = 0;   // 0..127
  int channel = 0;   // 0..15 as read; the writer chooses one when -1
  bool is_drum = false;  // MIDI channel 10 (index 9)
  std::vector<Note> notes;              // sorted by (time, pitch, duration, velocity)
  std::vector<ControlChange> controls;  // sorted by time, file order within a tick
  std::vector<Pedal> pedals;            // derived from CC64, sorted by time
  std::vector<PitchBend> pitch_bends;   // sorted by time

  bool empty() const { return notes.empty() && controls.empty() && pitch_bends.empty(); }
  Tick end_tick() const;
  bool operator==(const Track& o) const;
  bool operator!=(const Track& o) const { return !(*this == o); }
};

struct Score {
  int ticks_per_quarter = 480;
  std::vector<Track> tracks;
  std::vector<Tempo> tempos;                   // sorted by time; empty = 120 qpm
  std::vector<TimeSignature> time_signatures;  // sorted by time; empty = 4/4
  std::vector<KeySignature> key_signatures;    // sorted by time

  size_t note_count() const;
  Tick end_tick() const;  // last note end / event over all tracks
  double duration_seconds() const { return ticks_to_seconds(end_tick()); }

  // Conversion through the tempo map (120 qpm before the first tempo event).
  double ticks_to_seconds(Tick tick) const;
  Tick seconds_to_ticks(double seconds) const;

  // Puts every list in its canonical order (the reader's output is already canonical).
  void sort_events();

  bool operator==(const Score& o) const;
  bool operator!=(const Score& o) const { return !(*this == o); }
};

}  // namespace harmonia::midi
