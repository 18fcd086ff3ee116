// `harmonia midi info`: a JSON summary per file, errors on stderr, non-zero exit on failure.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/cli_commands.hpp"
#include "app/cli/midi_summary.hpp"
#include "core/midi/midi_file.hpp"

namespace harmonia::cli {

void register_midi_commands(CLI::App& app, CommandTable& table) {
  auto* midi = app.add_subcommand("midi", "Standard MIDI File tools");
  midi->require_subcommand(1);
  auto* info = midi->add_subcommand("info", "Print a JSON summary of each MIDI file (one JSON object per line)");
  auto files = std::make_shared<std::vector<std::string>>();
  info->add_option("files", *files, "MIDI files")->required();
  table.add(info, [files] {
    int failed = 0;
    for (const auto& path : *files) {
      try {
        midi::MidiFileInfo file_info;
        const midi::Score score = midi::read_midi_file(path, &file_info);
        std::cout << midi_summary(path, score, file_info).dump() << "\n";
      } catch (const std::exception& e) {
        std::cerr << "harmonia midi info: " << e.what() << "\n";
        ++failed;
      }
    }
    if (failed) std::cerr << "harmonia midi info: " << failed << " of " << files->size() << " files failed\n";
    return failed ? 1 : 0;
  });
}

}  // namespace harmonia::cli
