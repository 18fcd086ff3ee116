// The JSON summary of a parsed MIDI file, shared by `midi info` and `demo`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/midi/midi_file.hpp"

namespace harmonia::cli {

nlohmann::json midi_summary(const std::string& path, const midi::Score& score, const midi::MidiFileInfo& info);

}  // namespace harmonia::cli
