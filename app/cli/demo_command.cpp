// `harmonia demo`: the README's main job. It runs the pipeline as far as it exists on the
// default corpus (the MIDI files of Debian packages) and says what it did.
#include <chrono>
#include <iostream>

#include "app/cli/cli_commands.hpp"
#include "core/data/default_corpus.hpp"
#include "core/midi/midi_file.hpp"

namespace harmonia::cli {

void register_demo_command(CLI::App& app, CommandTable& table) {
  auto* demo = app.add_subcommand("demo", "Run the pipeline on the default corpus (Debian's packaged MIDI files)");
  auto dir = std::make_shared<std::string>();
  demo->add_option("--corpus", *dir, "Use this folder instead of the default corpus");
  table.add(demo, [dir] {
    const auto files = dir->empty() ? data::default_corpus_files() : data::list_midi_files(*dir);
    if (files.empty()) {
      std::cerr << "harmonia demo: no MIDI files found. Install the default corpus with\n"
                   "  sudo apt-get install openttd-openmsx planetblupi-music-midi\n"
                   "or pass --corpus DIR.\n";
      return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    size_t ok = 0, notes = 0, tracks = 0;
    double seconds = 0;
    for (const auto& path : files) {
      try {
        const auto score = midi::read_midi_file(path);
        ++ok;
        notes += score.note_count();
        tracks += score.tracks.size();
        seconds += score.duration_seconds();
      } catch (const std::exception& e) {
        std::cerr << "skipped: " << e.what() << "\n";
      }
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "Default corpus: " << ok << " of " << files.size() << " MIDI files parsed in " << elapsed
              << " s: " << tracks << " tracks, " << notes << " notes, " << seconds / 60.0 << " minutes of music.\n";
    return ok == files.size() ? 0 : 1;
  });
}

}  // namespace harmonia::cli
