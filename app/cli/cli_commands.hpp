// Each area of the CLI registers its subcommands here; main.cpp only wires them up.
// Commands run after the whole command line is parsed (so global options such as
// --threads are already applied), through the table below.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <utility>
#include <vector>

namespace harmonia::cli {

struct CommandTable {
  // `run` returns the process exit code.
  void add(CLI::App* command, std::function<int()> run) { entries.emplace_back(command, std::move(run)); }
  std::vector<std::pair<CLI::App*, std::function<int()>>> entries;

  // Runs the command the user picked: its exit code; 2 and the help when none was; 1 and the
  // message when it throws.
  int run_parsed(const CLI::App& app) const {
    try {
      for (const auto& [command, run] : entries)
        if (command->parsed()) return run();
      std::cerr << app.help();
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "harmonia: error: " << e.what() << "\n";
      return 1;
    }
  }
};

// `harmonia midi info FILE...`
void register_midi_commands(CLI::App& app, CommandTable& table);
// `harmonia demo`: the main job on the default corpus (the README's first command).
void register_demo_command(CLI::App& app, CommandTable& table);

// `harmonia render`, `harmonia play`, `harmonia ports`: sound (core/audio).
void register_audio_commands(CLI::App& app, CommandTable& table);
// `harmonia tokenize`, `harmonia detokenize`: MIDI <-> tokens (core/tokenizer).
void register_tokenizer_commands(CLI::App& app, CommandTable& table);
// `harmonia tokenizer train`: BPE / Unigram / WordPiece over a scheme's base tokens.
void register_tokenizer_train_command(CLI::App& app, CommandTable& table);
// `harmonia model info|init|forward`
void register_model_commands(CLI::App& app, CommandTable& table);
void register_dataset_commands(CLI::App& app, CommandTable& table);
// `harmonia generate`: new music from a model (core/generate).
void register_generate_commands(CLI::App& app, CommandTable& table);
// `harmonia infill`: regenerate bars inside a MIDI file (fill-in-the-middle models).
void register_infill_command(CLI::App& app, CommandTable& table);
// `harmonia add-part`: a new track for one program under a piece (core/generate/add_part.hpp).
void register_add_part_command(CLI::App& app, CommandTable& table);
// `harmonia eval`: music metrics of MIDI files, against a reference corpus' band (torch-free).
void register_eval_command(CLI::App& app, CommandTable& table);
// `harmonia runs`: training runs side by side, from their folders' files (torch-free).
void register_runs_command(CLI::App& app, CommandTable& table);
// `harmonia train`: a model on a dataset folder, checkpoints, logs, `--nproc` ranks (core/train).
void register_train_commands(CLI::App& app, CommandTable& table);

}  // namespace harmonia::cli
