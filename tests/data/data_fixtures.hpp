// Small MIDI folders built by the data tests: synthetic songs written with our MIDI writer,
// so a test knows how many notes, bars and drum hits each file holds.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/midi/midi_file.hpp"
#include "core/midi/score.hpp"

namespace harmonia::test {

// A 4/4 song of `bars` bars: a piano melody (one note per beat, pitches varied by `seed`)
// and, when `drums`, a drum track on channel 10 with a kick on every beat.
inline midi::Score synthetic_song(int seed, int bars, bool drums = true) {
  midi::Score s;
  s.ticks_per_quarter = 480;
  s.tempos.push_back({0, 500000});
  s.time_signatures.push_back({0, 4, 4});
  midi::Track piano;
  piano.program = 0;
  piano.channel = 0;
  for (int b = 0; b < bars; ++b)
    for (int beat = 0; beat < 4; ++beat) {
      const int pitch = 48 + (seed * 7 + b * 5 + beat * 3) % 36;
      piano.notes.push_back({midi::Tick((b * 4 + beat) * 480), 240, pitch, 40 + (seed + beat * 20) % 80});
    }
  s.tracks.push_back(piano);
  if (drums) {
    midi::Track kit;
    kit.is_drum = true;
    kit.channel = 9;
    for (int b = 0; b < bars; ++b)
      for (int beat = 0; beat < 4; ++beat) kit.notes.push_back({midi::Tick((b * 4 + beat) * 480), 120, 36, 100});
    s.tracks.push_back(kit);
  }
  s.sort_events();
  return s;
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

inline std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `count` distinct good songs under dir (some in a subfolder, mixed extension case).
inline std::vector<std::filesystem::path> write_songs(const std::filesystem::path& dir, int count, int bars = 8,
                                                      int first_seed = 0) {
  std::vector<std::filesystem::path> paths;
  for (int i = 0; i < count; ++i) {
    const char* ext = (i % 3 == 0) ? ".mid" : (i % 3 == 1 ? ".MID" : ".midi");
    auto path = dir / (i % 2 ? "sub" : "") / ("song" + std::to_string(first_seed + i) + ext);
    std::filesystem::create_directories(path.parent_path());
    midi::write_midi_file(synthetic_song(first_seed + i, bars + i % 3), path.string());
    paths.push_back(path);
  }
  return paths;
}

}  // namespace harmonia::test
