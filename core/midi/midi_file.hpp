// Standard MIDI File reading and writing (formats 0, 1 and 2 in, format 1 out).
// The reader treats every byte as hostile: lengths, offsets and variable-length
// quantities are checked, and any problem is a MidiError naming the file and offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/midi/score.hpp"

namespace harmonia::midi {

class MidiError : public std::runtime_error {
 public:
  MidiError(const std::string& source, size_t offset, const std::string& problem);
  const std::string& source() const { return source_; }
  size_t offset() const { return offset_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string source_;
  size_t offset_;
  std::string problem_;
};

// What the file said about itself, beyond the Score.
struct MidiFileInfo {
  int format = 1;
  int track_chunks = 0;
  bool smpte = false;  // SMPTE division converted to ticks per quarter at 120 qpm
};

// Largest file we accept; beyond this a MIDI file is certainly not music (and it bounds memory).
constexpr size_t kMaxMidiFileBytes = 256u << 20;
// Most notes one file may start. Large orchestral scores hold ~10^5; "black MIDI" show pieces
// hold 10^7-10^8, which nothing here trains on. Without it a 256 MiB file of 6-byte notes
// (~45 M) took ~1.9 GB to read and ~7 GB to tokenize; at the cap it is ~0.45 GB and ~1.6 GB.
constexpr size_t kMaxMidiNotes = 10'000'000;

// `source` names the data in errors (usually the path).
Score read_midi(const uint8_t* data, size_t size, const std::string& source = "<memory>",
                MidiFileInfo* info = nullptr);
Score read_midi_file(const std::string& path, MidiFileInfo* info = nullptr);

std::vector<uint8_t> write_midi(const Score& score);
// Written to a temporary file then renamed, so an existing file is never left half-written.
void write_midi_file(const Score& score, const std::string& path);

}  // namespace harmonia::midi
