// Reads a MIDI file into a Score the way symusic 0.5.9 (MidiTok 3.x's loader) sees it, so
// tokens match MidiTok's exactly. It differs from midi::read_midi on purpose:
//  - notes stay in note-on order (read_midi sorts by pitch within a tick; MidiTok emits
//    simultaneous notes in file order);
//  - within one MTrk, tracks are ordered by (channel, program), not by first appearance;
//  - notes never closed are dropped (read_midi closes them at the end of the track);
//  - tempos and time signatures are kept even when repeated at the same tick.
// Errors are midi::MidiError naming the source and byte offset, like read_midi.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/midi/score.hpp"

namespace harmonia::tokenizer {

midi::Score load_score_for_tokenizer(const uint8_t* data, size_t size, const std::string& source = "<memory>");
midi::Score load_score_file_for_tokenizer(const std::string& path);

}  // namespace harmonia::tokenizer
