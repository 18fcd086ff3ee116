// `harmonia train`: train a model on a dataset folder (harmonia dataset import), with
// checkpoints, logs and a progress line on stderr; `--nproc N` runs N data-parallel ranks.
#include <filesystem>
#include <iostream>

#include "app/cli/cli_commands.hpp"
#include "app/cli/train_run.hpp"

namespace harmonia::cli {

namespace {

// Options not given on this command line take the values the run was started with.
void fill_from_saved_run(CLI::App& cmd, const std::string& resume) {
  const auto run = run_folder_of_resume(resume);
  if (!std::filesystem::exists(run)) throw std::invalid_argument("--resume " + resume + ": no such folder");
  for (const auto& [name, value] : saved_train_options(run)) {
    CLI::Option* opt = cmd.get_option_no_throw(name);
    if (!opt || opt->count() > 0) continue;
    opt->add_result(value);
    opt->run_callback();
  }
}

}  // namespace

void register_train_commands(CLI::App& app, CommandTable& table) {
  auto a = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train", "Train a causal LM on a dataset folder (checkpoints, logs, DDP)");
  cmd->add_option("--dataset", a->dataset, "Dataset folder (harmonia dataset import); with --resume, the run's own");
  cmd->add_option("--arch", a->arch, "Architecture: gpt2, gpt_neo, llama, qwen3, gpt_neox, mamba (default: the preset's own)");
  cmd->add_option("--preset", a->preset, "Model size preset (tiny, small, ...)")->capture_default_str();
  cmd->add_option("--out", a->out, "Run folder: checkpoints/, train_log.csv, tensorboard/, model/");
  cmd->add_option("--max-steps", a->max_steps, "Optimizer steps (0: --epochs)");
  cmd->add_option("--epochs", a->epochs, "Epochs when --max-steps is 0")->capture_default_str();
  cmd->add_option("--batch-size", a->batch_size, "Windows per batch and rank")->capture_default_str();
  cmd->add_option("--grad-accum", a->grad_accum, "Micro-batches per optimizer step")->capture_default_str();
  cmd->add_option("--lr", a->lr, "Peak learning rate (warm-up, then cosine to lr/10)")->capture_default_str();
  cmd->add_option("--schedule", a->schedule, "cosine (to lr/10) or constant after warm-up")
      ->check(CLI::IsMember({"cosine", "constant"}))
      ->capture_default_str();
  cmd->add_option("--warmup", a->warmup, "Warm-up steps")->capture_default_str();
  cmd->add_option("--context", a->context, "Window length in tokens")->capture_default_str();
  cmd->add_option("--min-window-notes", a->min_window_notes, "Leave out windows with fewer notes (0: keep all)")
      ->capture_default_str();
  cmd->add_option("--precision", a->precision,
                  "auto (bf16 on a CPU with native bf16, else fp32), fp32, bf16 (autocast, fp32 master "
                  "weights) or fp16 (CUDA: autocast + loss scaling)")
      ->check(CLI::IsMember({"auto", "fp32", "bf16", "fp16"}))
      ->capture_default_str();
  cmd->add_option("--eval-every", a->eval_every, "Validate every N steps (0: at the end only)");
  cmd->add_option("--eval-batches", a->eval_batches, "Validation batches per evaluation (0: all)");
  cmd->add_option("--patience", a->patience, "Early stopping after N validations without gain");
  cmd->add_option("--checkpoint-every", a->checkpoint_every, "Checkpoint every N steps (always at the end)");
  cmd->add_option("--log-every", a->log_every, "Steps between log rows and progress updates");
  cmd->add_option("--time-budget", a->time_budget, "Stop after this many seconds of training");
  cmd->add_flag("--cosine-over-budget", a->schedule_over_time,
                "Spread the cosine decay over --time-budget (with a large --max-steps)");
  cmd->add_option("--fim-rate", a->fim_rate,
                  "Share of train windows in fill-in-the-middle order (0-1; REMI; lets `harmonia infill` fill bars)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--val-fraction", a->val_fraction, "Share of files held out for validation")->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed for init, shuffling and dropout (and the split, without --split-seed)")
      ->capture_default_str();
  cmd->add_option("--split-seed", a->split_seed,
                  "Seed of the train/validation file split (default: --seed); RUN/validation_files.txt lists the result")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--device", a->device, "cpu, cuda, or auto (cuda when LibTorch sees a GPU)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  cmd->add_option("--nproc", a->nproc, "Local data-parallel ranks to start (torchrun-style)")->check(CLI::Range(1, 64));
  cmd->add_option("--resume", a->resume,
                  "Run folder or checkpoint to continue from, with the run's saved options (those given here win)");
  cmd->add_option("--threads", a->threads, "CPU threads for this run (like the global --threads)");
  cmd->add_flag("--quiet{false}", a->progress, "No progress line");
  table.add(cmd, [a, cmd] {
    try {
      if (a->out.empty() && a->resume.empty()) throw std::invalid_argument("give --out RUN_DIR (or --resume RUN_DIR)");
      if (!a->resume.empty()) fill_from_saved_run(*cmd, a->resume);
      if (a->dataset.empty())
        throw std::invalid_argument(a->resume.empty() ? "--dataset is required"
                                                      : "--resume " + a->resume + ": the run does not say which dataset it " +
                                                            "trained on (no train_args.json or run.json): give --dataset");
      if (!std::filesystem::is_directory(a->dataset))
        throw std::invalid_argument("--dataset " + a->dataset + ": no such folder");
      return run_train_command(*a);
    } catch (const std::exception& e) {
      std::cerr << "\nharmonia train: " << e.what() << "\n";
      return 1;
    }
  });
}

}  // namespace harmonia::cli
