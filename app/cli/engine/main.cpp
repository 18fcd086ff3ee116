// `harmonia-engine`: every command, LibTorch linked. `harmonia` (app/cli/main.cpp) runs the
// commands that need no tensors itself and execs this binary for the rest (engine_forward.hpp).
#include <iostream>

#include "app/cli/cli_commands.hpp"
#include "core/compute/threads.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Harmonia Studio command line: MIDI in, trained model, new music out"};
  app.require_subcommand(1);
  int threads = harmonia::compute::default_thread_count();
  app.add_option("--threads", threads, "CPU threads for compute (default: all cores)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));

  harmonia::cli::CommandTable table;
  harmonia::cli::register_midi_commands(app, table);
  harmonia::cli::register_demo_command(app, table);
  harmonia::cli::register_audio_commands(app, table);
  harmonia::cli::register_tokenizer_commands(app, table);
  harmonia::cli::register_tokenizer_train_command(app, table);
  harmonia::cli::register_eval_command(app, table);
  harmonia::cli::register_runs_command(app, table);
  harmonia::cli::register_model_commands(app, table);
  harmonia::cli::register_dataset_commands(app, table);
  harmonia::cli::register_generate_commands(app, table);
  harmonia::cli::register_infill_command(app, table);
  harmonia::cli::register_add_part_command(app, table);
  harmonia::cli::register_train_commands(app, table);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  harmonia::compute::set_compute_threads(threads);
  return table.run_parsed(app);
}
