// The corpus the studio offers before the user picks one: MIDI files shipped by Debian
// packages (openttd-openmsx, planetblupi-music-midi; optionally simutrans-data, pianobooster).
#pragma once

#include <string>
#include <vector>

namespace harmonia::data {

struct CorpusSource {
  std::string package;    // Debian package that provides it
  std::string directory;  // where its MIDI files live
};

// The packaged folders we know of, whether installed or not.
const std::vector<CorpusSource>& known_corpus_sources();

// MIDI files (.mid/.midi/.kar, any case) under `directory`, recursively, sorted.
std::vector<std::string> list_midi_files(const std::string& directory);

// Every MIDI file of the installed default packages, sorted; empty if none is installed.
std::vector<std::string> default_corpus_files();

}  // namespace harmonia::data
