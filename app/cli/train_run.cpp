#include "app/cli/train_run.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "core/compute/cpu_features.hpp"
#include "core/compute/threads.hpp"
#include "core/data/atomic_file.hpp"
#include "core/generate/model_bundle.hpp"
#include "core/model/presets.hpp"
#include "core/train/checkpoint.hpp"
#include "core/train/dataset_batch_source.hpp"
#include "core/train/fim.hpp"
#include "core/train/memory_estimate.hpp"
#include "core/train/local_launcher.hpp"
#include "core/train/model_setup.hpp"

namespace harmonia::cli {

namespace ht = harmonia::train;

namespace {

std::string clock_text(double s) {
  if (s < 0) s = 0;
  char buf[32];
  const int total = static_cast<int>(s + 0.5);
  std::snprintf(buf, sizeof(buf), "%d:%02d", total / 60, total % 60);
  return buf;
}

// Printing happens on the dispatcher's thread, never on the training thread.
// show_total: false under a time budget, which then usually ends the run before the step
// limit (the demo's limit is only a cap); the ETA follows the budget.
void print_event(const ht::TrainEvent& e, bool progress_line, bool show_total) {
  using K = ht::TrainEvent::Kind;
  switch (e.kind) {
    case K::Step:
      if (progress_line) {
        const std::string total = show_total ? "/" + std::to_string(e.total_steps) : std::string();
        std::fprintf(stderr, "\rstep %lld%s  epoch %lld  loss %.4f  lr %.2e  %.0f tok/s  ETA %s   ",
                     static_cast<long long>(e.step), total.c_str(), static_cast<long long>(e.epoch), e.train_loss,
                     e.lr, e.tokens_per_s, clock_text(e.eta_s).c_str());
      }
      break;
    case K::Validation:
      std::fprintf(stderr, "\nvalidation at step %lld (%s of training): loss %.4f  perplexity %.2f\n",
                   static_cast<long long>(e.step), clock_text(e.elapsed_s).c_str(), e.val_loss, e.perplexity);
      break;
    case K::CheckpointSaved:
      if (progress_line) std::fprintf(stderr, "\ncheckpoint %s\n", e.message.c_str());
      break;
    case K::Error:
      std::fprintf(stderr, "\nerror: %s\n", e.message.c_str());
      break;
    default:
      break;
  }
  std::fflush(stderr);
}

}  // namespace

namespace {

// Doubles as text that reads back to the same value (std::to_string prints 1e-7 as 0.000000).
std::string exact(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

}  // namespace

OptionList train_options(const TrainArgs& a) {
  OptionList o{{"--dataset", a.dataset},
               {"--preset", a.preset},
               {"--max-steps", std::to_string(a.max_steps)},
               {"--epochs", std::to_string(a.epochs)},
               {"--batch-size", std::to_string(a.batch_size)},
               {"--grad-accum", std::to_string(a.grad_accum)},
               {"--lr", exact(a.lr)},
               {"--warmup", std::to_string(a.warmup)},
               {"--context", std::to_string(a.context)},
               {"--min-window-notes", std::to_string(a.min_window_notes)},
               {"--precision", a.precision},
               {"--schedule", a.schedule},
               {"--device", a.device},
               {"--eval-every", std::to_string(a.eval_every)},
               {"--eval-batches", std::to_string(a.eval_batches)},
               {"--patience", std::to_string(a.patience)},
               {"--checkpoint-every", std::to_string(a.checkpoint_every)},
               {"--log-every", std::to_string(a.log_every)},
               {"--time-budget", exact(a.time_budget)},
               {"--val-fraction", exact(a.val_fraction)},
               {"--seed", std::to_string(a.seed)}};
  if (a.split_seed >= 0) o.push_back({"--split-seed", std::to_string(a.split_seed)});
  if (a.schedule_over_time) o.emplace_back("--cosine-over-budget", "true");
  if (!a.arch.empty()) o.push_back({"--arch", a.arch});  // else the preset picks it, on resume too
  if (a.fim_rate > 0) o.push_back({"--fim-rate", exact(a.fim_rate)});  // resume re-reads the data the same way
  return o;
}

std::vector<std::string> train_command_line(const TrainArgs& a) {
  std::vector<std::string> argv{"harmonia"};
  if (a.threads > 0) argv.insert(argv.end(), {"--threads", std::to_string(a.threads)});
  argv.push_back("train");
  for (const auto& [name, value] : train_options(a)) {
    argv.push_back(name);
    if (name != "--cosine-over-budget") argv.push_back(value);  // a flag takes no value
  }
  argv.insert(argv.end(), {"--out", a.out});
  if (!a.resume.empty()) argv.insert(argv.end(), {"--resume", a.resume});
  if (!a.progress) argv.push_back("--quiet");
  return argv;
}

ht::TrainResult run_training(const TrainArgs& a) {
  if (a.threads > 0) compute::set_compute_threads(a.threads);
  auto env = ht::distributed_env_from_environment();
  torch::Device device = torch::kCPU;
  if (a.device == "cuda" || (a.device == "auto" && torch::cuda::is_available())) {
    if (!torch::cuda::is_available()) throw std::invalid_argument("--device cuda: no GPU visible to LibTorch");
    const int local = env ? env->local_rank : 0;
    device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(local % torch::cuda::device_count()));
  }
  const std::string precision = compute::resolve_precision(a.precision, device.is_cuda());
  if (precision == "fp16" && !device.is_cuda())
    throw std::invalid_argument("--precision fp16 needs --device cuda (on the CPU use bf16)");
  std::unique_ptr<ht::Distributed> dist;
  if (env && env->world_size > 1) {
    env->cuda = device.is_cuda();  // NCCL between GPUs, Gloo between CPUs
    dist = std::make_unique<ht::Distributed>(*env);
  }
  const bool rank0 = !dist || dist->rank() == 0;
  const std::filesystem::path out = a.out.empty() ? run_folder_of_resume(a.resume) : std::filesystem::path(a.out);
  if (out.empty()) throw std::invalid_argument("no run folder: give --out (or --resume)");

  data::SplitOptions split;
  split.validation = a.val_fraction;
  split.seed = a.split_seed >= 0 ? static_cast<uint64_t>(a.split_seed) : a.seed;
  data::ChunkOptions chunk;
  chunk.max_seq_len = static_cast<size_t>(a.context);
  chunk.min_notes = static_cast<size_t>(std::max<int64_t>(0, a.min_window_notes));
  ht::DatasetSourceOptions batches;
  batches.batch_size = a.batch_size;
  batches.seed = a.seed;
  batches.rank = dist ? dist->rank() : 0;
  batches.world_size = dist ? dist->world_size() : 1;
  auto sources = ht::open_dataset_sources(a.dataset, split, chunk, batches);
  // What this run was started (or resumed) with, so `--resume RUN` alone can continue it.
  if (rank0) {
    auto options = train_options(a);
    // Ranks on this machine only: `--resume RUN` alone then starts as many again.
    const char* local = std::getenv("LOCAL_WORLD_SIZE");
    if (dist && local && std::to_string(dist->world_size()) == local)
      options.emplace_back("--nproc", std::to_string(dist->world_size()));
    save_train_options(out, options);
    // Which files the validation loss is measured on (e.g. to infill pieces the model never saw).
    std::string listed;
    for (size_t f : sources.split.validation) listed += sources.dataset->files().at(f).source + "\n";
    data::write_file_atomically((out / "validation_files.txt").string(), listed);
  }
  // Fill-in-the-middle: the model's tokenizer is the data's plus FIM_PRE/FIM_SUF/FIM_MID; the
  // data's ids are translated as batches are drawn, and validation stays plain continuation.
  if (a.fim_rate < 0 || a.fim_rate > 1) throw std::invalid_argument("--fim-rate must be between 0 and 1");
  ht::FimRun fim;
  if (a.fim_rate > 0) {
    try {
      fim = ht::make_fim_run(sources.dataset->tokenizer(), *sources.train, sources.validation.get(), a.fim_rate,
                             a.seed, a.context);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--fim-rate: ") + e.what());
    }
  }
  const auto* fim_tok = fim.tokenizer.get();
  const auto& fim_train = fim.train;
  const auto& fim_validation = fim.validation;
  const auto& tok = fim_tok ? *fim_tok : sources.dataset->tokenizer();
  ht::BatchSource& train_source = fim_train ? static_cast<ht::BatchSource&>(*fim_train) : *sources.train;
  ht::BatchSource* validation_source =
      fim_train ? static_cast<ht::BatchSource*>(fim_validation.get()) : sources.validation.get();

  std::shared_ptr<model::CausalLM> lm;
  if (!a.resume.empty()) {
    auto checkpoint = ht::latest_checkpoint(a.resume);
    if (!checkpoint) throw std::runtime_error("--resume: no checkpoint in " + a.resume);
    lm = model::load_model(*checkpoint / "model");  // the trainer restores the rest
    try {
      ht::check_model_fits(lm->config(), tok);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--resume: ") + e.what());
    }
  } else {
    // CPWord/Octuple: one embedding table and output head per field, sized like its vocabulary
    // (config.json records them under "harmonia_compound" for `harmonia generate`).
    auto config = ht::model_config_for(a.preset, a.arch, tok, a.context);
    torch::manual_seed(a.seed);  // same initial weights on every rank (rank 0 also broadcasts)
    lm = model::create_model(config);
  }
  lm->to(device);
  // Refuse a run that cannot fit before LibTorch asks for it: the OOM killer gives no message.
  if (device.is_cpu())
    if (const auto why = ht::memory_refusal(ht::estimate_training_memory(lm->config(), lm->num_parameters(),
                                                                         a.batch_size, a.context),
                                            ht::available_memory_bytes(), a.batch_size, a.context);
        !why.empty())
      throw std::invalid_argument(why);

  ht::TrainConfig config;
  config.max_steps = a.max_steps;
  config.epochs = a.epochs;
  config.grad_accum = a.grad_accum;
  config.lr = a.lr;
  config.min_lr = a.lr / 10;
  config.warmup_steps = a.warmup;
  config.schedule = a.schedule;
  config.precision = precision;
  config.seed = a.seed;
  config.eval_every = a.eval_every;
  config.eval_batches = a.eval_batches;
  config.patience = a.patience;
  config.checkpoint_every = a.checkpoint_every;
  config.log_every = std::max<int64_t>(1, a.log_every);
  config.time_budget_s = a.time_budget;
  config.schedule_over_time_budget = a.schedule_over_time;
  config.out_dir = out;

  if (rank0)
    std::fprintf(stderr, "training %s/%s (%.2fM parameters) on %zu train windows of %s%s (%lld windows per optimizer step), %s on %s%s\n",
                 lm->config().model_type.c_str(), a.preset.c_str(), static_cast<double>(lm->num_parameters()) / 1e6,
                 sources.train->num_windows(), tok.name().c_str(),
                 tok.is_compound() ? (" steps, " + std::to_string(tok.num_fields()) + " fields each").c_str() : " tokens",
                 static_cast<long long>(a.batch_size * a.grad_accum * batches.world_size), precision.c_str(), device.str().c_str(),
                 dist ? (", " + std::to_string(dist->world_size()) + " ranks").c_str() : "");
  if (rank0 && fim_tok)
    std::fprintf(stderr, "fill-in-the-middle: %.0f%% of train windows in prefix/suffix/middle order (validation plain)\n",
                 a.fim_rate * 100);
  if (rank0 && (sources.train_chunks.dropped_few_notes || sources.validation_chunks.dropped_few_notes))
    std::fprintf(stderr, "windows with fewer than %lld notes left out: %zu of %zu train, %zu of %zu validation\n",
                 static_cast<long long>(a.min_window_notes), sources.train_chunks.dropped_few_notes,
                 sources.train_chunks.dropped_few_notes + sources.train_chunks.windows,
                 sources.validation_chunks.dropped_few_notes,
                 sources.validation_chunks.dropped_few_notes + sources.validation_chunks.windows);
  ht::EventQueue events;
  ht::TrainResult result;
  {
    ht::EventDispatcher printer(events, [rank0, progress = a.progress, show_total = !(a.time_budget > 0)](const ht::TrainEvent& e) {
      if (rank0) print_event(e, progress, show_total);
    });
    result = ht::train(config, *lm, train_source, validation_source, {&events, nullptr}, dist.get(), a.resume);
  }
  if (rank0) {
    lm->to(torch::kCPU);
    generate::save_bundle(*lm, tok, out / "model");
    generate::save_music_defaults(generate::music_defaults_from_dataset(*sources.dataset), out / "model");
    std::fprintf(stderr, "\ndone: %lld steps (%s) in %s, train loss %.4f, val loss %.4f, %.0f tok/s; model in %s\n",
                 static_cast<long long>(result.steps), result.stop_reason.c_str(), clock_text(result.elapsed_s).c_str(),
                 result.last_train_loss, result.last_val_loss, result.tokens_per_s, (out / "model").c_str());
  }
  if (dist) dist->barrier();  // rank 0 has saved before anyone leaves
  return result;
}

int run_train_command(const TrainArgs& a) {
  if (a.nproc > 1 && !std::getenv("WORLD_SIZE")) {
    TrainArgs child = a;
    // Each rank gets its share of the cores.
    const int cores = a.threads > 0 ? a.threads : compute::compute_threads();
    child.threads = std::max(1, cores / a.nproc);
    child.nproc = 1;
    const int code = ht::launch_local_ranks(train_command_line(child), a.nproc);
    if (code != 0) {
      const auto run = a.out.empty() ? run_folder_of_resume(a.resume) : std::filesystem::path(a.out);
      std::fprintf(stderr, "harmonia train: the run stopped; continue it from its last checkpoint with: harmonia train "
                           "--resume %s\n", run.c_str());
    }
    return code;
  }
  run_training(a);
  return 0;
}

}  // namespace harmonia::cli
