// `harmonia`: the command-line face of the studio. Thin: every command calls into core/.
// This process never loads LibTorch: MIDI, tokenizer and audio commands run here at once;
// the tensor commands (train, generate, ...) are handed to harmonia-engine (engine_forward.hpp).
#include <iostream>

#include "app/cli/cli_commands.hpp"
#include "app/cli/engine_forward.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Harmonia Studio command line: MIDI in, trained model, new music out"};
  app.require_subcommand(1);
  int threads = 0;
  app.add_option("--threads", threads, "CPU threads for compute (default: all cores)")->check(CLI::Range(1, 1024));

  harmonia::cli::CommandTable table;
  harmonia::cli::register_midi_commands(app, table);
  harmonia::cli::register_audio_commands(app, table);
  harmonia::cli::register_tokenizer_commands(app, table);
  harmonia::cli::register_tokenizer_train_command(app, table);
  harmonia::cli::register_eval_command(app, table);
  harmonia::cli::register_runs_command(app, table);
  const auto engine = harmonia::cli::add_engine_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (const auto* command : engine)
    if (command->parsed()) return harmonia::cli::exec_engine(argc, argv);
  return table.run_parsed(app);
}
