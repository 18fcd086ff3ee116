// The `harmonia` command is split in two processes' worth of code so that commands needing no
// tensors start at once: `harmonia` itself (MIDI, tokenizers, audio: no LibTorch, which takes
// ~0.7 s to load) hands every tensor command to `harmonia-engine`, installed beside it, by
// exec'ing it with the same arguments.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace harmonia::cli {

struct EngineCommand {
  const char* name;
  const char* description;
};

// Commands that run in harmonia-engine (they need LibTorch), as `harmonia --help` lists them.
const std::vector<EngineCommand>& engine_commands();

// Adds each engine command as a pass-through subcommand (its options and --help go to the engine).
std::vector<CLI::App*> add_engine_commands(CLI::App& app);

// Replaces this process with harmonia-engine (next to this executable) and the same argv;
// returns only on failure, with an exit code after printing why.
int exec_engine(int argc, char** argv);

}  // namespace harmonia::cli
