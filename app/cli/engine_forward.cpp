#include "app/cli/engine_forward.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace harmonia::cli {

const std::vector<EngineCommand>& engine_commands() {
  static const std::vector<EngineCommand> list = {
      {"demo", "Run the whole pipeline on the default corpus: import, train, generate, render"},
      {"dataset", "Import a MIDI folder into a token cache; dataset statistics"},
      {"model", "Hugging Face-format causal LMs: info, init, forward, convert"},
      {"train", "Train a causal LM on a dataset folder (checkpoints, logs, DDP)"},
      {"generate", "Generate MIDI from a model (a 24-bar piece by default)"},
      {"infill", "Regenerate bars inside a MIDI file with a fill-in-the-middle model"},
      {"add-part", "Add a track for one General MIDI program under a piece"},
  };
  return list;
}

std::vector<CLI::App*> add_engine_commands(CLI::App& app) {
  std::vector<CLI::App*> out;
  for (const auto& c : engine_commands()) {
    auto* sub = app.add_subcommand(c.name, c.description);
    sub->prefix_command();  // everything after the name, --help included, goes to the engine
    sub->set_help_flag();
    sub->allow_extras();
    out.push_back(sub);
  }
  return out;
}

int exec_engine(int argc, char** argv) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto engine = (ec ? std::filesystem::path(argv[0]).parent_path() : self.parent_path()) / "harmonia-engine";
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  ::execv(engine.c_str(), args.data());
  std::cerr << "harmonia: cannot start " << engine.string() << " (" << std::strerror(errno)
            << "); it runs the commands that need LibTorch and is installed beside harmonia\n";
  (void)argc;
  return 127;
}

}  // namespace harmonia::cli
