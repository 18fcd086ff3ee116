// Score -> one time-ordered list of MIDI messages in seconds. Built once, then shared by
// the offline renderer, live FluidSynth playback and RtMidi output, so all three play
// exactly the same thing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/audio/midi_message.hpp"
#include "core/midi/score.hpp"

namespace harmonia::audio {

struct PlaybackEvent {
  double seconds = 0.0;  // at tempo scale 1
  midi::Tick tick = 0;
  int track = -1;  // index into Score::tracks; -1 for events that belong to no track
  MidiMessage message;
};

struct PlaybackTrack {
  std::string name;
  int channel = 0;  // the channel it plays on (may differ from the Score's)
  int program = 0;
  bool is_drum = false;
  size_t note_count = 0;
};

struct PlaybackEvents {
  std::vector<PlaybackEvent> events;  // sorted by time; at equal time: program, controls, offs, ons
  std::vector<PlaybackTrack> tracks;  // parallel to Score::tracks
  double duration_seconds = 0.0;      // the Score's end (last note off / event)
};

// Picks an output channel per track: drums on channel 10 (index 9), melodic tracks keep
// their own channel unless it is taken by another program or is the drum channel; when
// more than 15 melodic programs overlap, tracks share channels and the events carry
// program changes before notes.
std::vector<int> assign_playback_channels(const midi::Score& score);

PlaybackEvents build_playback_events(const midi::Score& score);

// Messages that put every channel in the state it has at `seconds` (last program; for
// every controller and bend the piece uses, its value then, or the GM default before the
// first change), to send after a seek so the music sounds right.
std::vector<MidiMessage> chase_state(const PlaybackEvents& list, double seconds);

// Index of the first event at or after `seconds`.
size_t first_event_at(const PlaybackEvents& list, double seconds);

}  // namespace harmonia::audio
