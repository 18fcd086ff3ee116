// Each area of the CLI registers its subcommands here; main.cpp only wires them up.
// Commands run after the whole command line is parsed (so global options such as
// --threads are already applied), through the table below.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <utility>
#include <vector>

namespace harmonia::cli {

struct CommandTable {
  // `run` returns the process exit code.
  void add(CLI::App* command, std::function<int()> run) { entries.emplace_back(command, std::move(run)); }
  std::vector<std::pair<CLI::App*, std::function<int()>>> entries;
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
// `harmonia generate`, `harmonia eval`: new music from a model, music metrics (core/generate).
void register_generate_commands(CLI::App& app, CommandTable& table);
// `harmonia train`: a model on a dataset folder, checkpoints, logs, `--nproc` ranks (core/train).
void register_train_commands(CLI::App& app, CommandTable& table);

}  // namespace harmonia::cli
