// Torch side of the training page: one core/train run on a thread of its own, its events
// forwarded by a second thread. No Qt header may be included here.
#include "ui/bridge/training_backend.hpp"

#include <algorithm>
#include <chrono>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "core/compute/cpu_features.hpp"
#include "core/compute/threads.hpp"
#include "core/data/import_job.hpp"
#include "core/generate/model_bundle.hpp"
#include "core/generate/music_defaults.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/model/architecture_info.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "core/train/checkpoint.hpp"
#include "core/train/memory_estimate.hpp"
#include "core/train/dataset_batch_source.hpp"
#include "core/train/fim.hpp"
#include "core/train/model_setup.hpp"
#include "core/train/progress.hpp"
#include "core/train/trainer.hpp"
#include "ui/bridge/run_models.hpp"
#include "ui/bridge/worker_priority.hpp"

namespace harmonia::ui {

namespace fs = std::filesystem;

const std::vector<std::string>& model_presets() { return model::preset_names(); }
const std::vector<std::string>& model_architectures() { return model::supported_model_types(); }

int64_t parameter_count(const std::string& preset, const std::string& architecture, int64_t vocab_size) {
  const auto config = model::preset_config(preset, architecture, vocab_size);
  return model::create_model(config)->num_parameters();
}

std::string effective_architecture(const std::string& preset, const std::string& architecture) {
  if (!architecture.empty()) return architecture;
  try {
    return model::preset_config(preset, "", 512).model_type;
  } catch (const std::exception&) {
    return "";
  }
}

std::string architecture_explanation(const std::string& architecture) { return model::architecture_summary(architecture); }

bool training_available() { return true; }

std::string training_unavailable_reason() { return {}; }

namespace {

TrainingUpdate to_update(const train::TrainEvent& e) {
  TrainingUpdate u;
  u.kind = static_cast<TrainingUpdate::Kind>(e.kind);  // same enumerators, same order
  u.step = e.step;
  u.total_steps = e.total_steps;
  u.train_loss = e.train_loss;
  u.val_loss = e.val_loss;
  u.lr = e.lr;
  u.tokens_per_s = e.tokens_per_s;
  u.elapsed_s = e.elapsed_s;
  u.eta_s = e.eta_s;
  u.message = e.message;
  return u;
}

bool is_terminal(train::TrainEvent::Kind k) {
  using K = train::TrainEvent::Kind;
  return k == K::Finished || k == K::Cancelled || k == K::Error;
}

nlohmann::ordered_json chunk_json(const data::ChunkStats& c) {
  return {{"windows", c.windows}, {"dropped_short", c.dropped_short}, {"dropped_few_notes", c.dropped_few_notes}};
}

// What the run trained with, beyond the page's spec: the precision "auto" became, and the
// training windows kept and dropped (too short, too few notes) on each side of the split.
struct RunFacts {
  std::string precision;
  size_t min_notes = 0;
  data::ChunkStats train_chunks, validation_chunks;
};

// The run folder says how it was made (people read it; resuming reads the tokenizer), down to
// the dataset cache it trained from and how that import went.
void write_run_description(const TrainingSpec& s, const fs::path& run_dir, const std::string& dataset_dir,
                           const data::ImportReport& import, const RunFacts& facts) {
  nlohmann::ordered_json input = {{"folder", s.dataset.folder}, {"files", s.dataset.files}, {"name", s.dataset.name}};
  nlohmann::ordered_json imported = {{"from_quick_index", import.from_quick_index}, {"tokenized", import.tokenized},
                                     {"reused", import.reused}, {"files_in_dataset", import.files_in_dataset},
                                     {"skipped", import.skipped.size()}, {"duplicates", import.duplicates.size()},
                                     {"seconds", import.seconds}};
  nlohmann::ordered_json chunks = {{"min_notes", facts.min_notes},
                                   {"train", chunk_json(facts.train_chunks)},
                                   {"validation", chunk_json(facts.validation_chunks)}};
  nlohmann::ordered_json j = {{"preset", s.preset},       {"architecture", s.architecture}, {"max_steps", s.max_steps},
                              {"batch_size", s.batch_size}, {"seq_len", s.seq_len},         {"lr", s.lr},
                              {"warmup_steps", s.warmup_steps}, {"precision", facts.precision},
                              {"precision_requested", s.precision}, {"threads", s.threads},
                              {"eval_every", s.eval_every}, {"seed", s.seed},               {"dataset_input", input},
                              {"dataset_dir", dataset_dir}, {"import", imported},          {"chunks", chunks},
                              {"validation", s.validation}, {"fim_rate", s.fim_rate},
                              {"resumed_from", s.resume_from}};
  std::ofstream(run_dir / "run.json") << j.dump(2) << "\n";
}

}  // namespace

struct TrainingSession::Impl {
  TrainingSpec spec;
  std::function<void(const TrainingUpdate&)> on_update;
  train::EventQueue events;
  train::TrainControl control;
  std::thread worker, dispatcher;
  std::atomic<bool> worker_done{false}, all_sent{false};
  std::mutex final_mutex;
  TrainingUpdate final_update;

  void finish(TrainingUpdate u) {
    std::lock_guard<std::mutex> lock(final_mutex);
    final_update = std::move(u);
    worker_done.store(true);
  }

  // Runs the ImportJob on this thread's behalf (its threads inherit the lowered priority),
  // reporting "importing with <scheme>: n/N files" at most every 100 ms and honouring Cancel.
  data::ImportReport import_dataset(std::shared_ptr<const tokenizer::Tokenizer> tok, const std::string& dataset_dir) {
    auto options = spec.dataset.import_options(dataset_dir);
    options.threads = spec.threads;
    const std::string scheme = tok->name();
    auto last_report = std::make_shared<std::atomic<int64_t>>(-1000);
    const auto t0 = std::chrono::steady_clock::now();
    options.on_progress = [this, scheme, last_report, t0](const data::ImportProgress& p) {
      if (!on_update || p.total == 0) return;
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
      int64_t prev = last_report->load();
      if (!p.finished && ms - prev < 100) return;
      if (!last_report->compare_exchange_strong(prev, ms)) return;  // another worker reports now
      TrainingUpdate u;
      u.kind = TrainingUpdate::Kind::Started;
      u.total_steps = spec.max_steps;
      u.message = "importing with " + scheme + ": " + std::to_string(p.done) + "/" + std::to_string(p.total) + " files";
      on_update(u);
    };
    data::ImportJob job(std::move(tok), std::move(options));
    job.start();
    while (!job.finished()) {
      if (control.cancelled()) job.cancel();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return job.wait();
  }

  void run() {
    TrainingUpdate last;
    try {
      const fs::path run_dir = spec.run_dir;
      if (run_dir.empty()) throw std::runtime_error("no run folder");
      fs::create_directories(run_dir);
      // A resumed run keeps the tokenizer it was trained with; a new one saves the page's.
      const fs::path tok_path = run_dir / "tokenizer.json";
      std::shared_ptr<const tokenizer::Tokenizer> tok;
      if (!spec.resume_from.empty() && fs::is_regular_file(tok_path)) {
        tok = tokenizer::Tokenizer::load(tok_path.string());
      } else {
        if (spec.tokenizer_json.empty()) throw std::runtime_error("no tokenizer: configure one on the Tokenizer page");
        tok = tokenizer::Tokenizer::from_json(nlohmann::ordered_json::parse(spec.tokenizer_json), "Tokenizer page");
        tok->save(tok_path.string());
      }
      compute::set_compute_threads(spec.threads);

      // The Dataset page's cache for this input and the run's tokenizer: the quick index
      // answers when the page imported with it; after a tokenizer change this tokenizes.
      const std::string dataset_dir = dataset_cache_dir(spec.dataset_cache_root, spec.dataset, *tok);
      const auto report = import_dataset(tok, dataset_dir);
      if (report.cancelled || control.cancelled()) {
        last.kind = TrainingUpdate::Kind::Cancelled;
        last.message = "cancelled while importing the dataset";
        finish(last);
        return;
      }
      if (report.files_in_dataset == 0) throw std::runtime_error("no usable MIDI file in the dataset");

      data::ChunkOptions chunk;
      chunk.max_seq_len = size_t(std::max(16, spec.seq_len));
      chunk.min_len = std::min<size_t>(32, chunk.max_seq_len / 2);
      // Windows of rests teach silence (issue 15): the same rule as `harmonia train` and the demo.
      chunk.min_notes = size_t(generate::kMinWindowNotes);
      data::SplitOptions split;
      split.validation = spec.validation;
      split.seed = spec.seed;
      train::DatasetSourceOptions batches;
      batches.batch_size = std::max(1, spec.batch_size);
      batches.seed = spec.seed;
      auto sources = train::open_dataset_sources(dataset_dir, split, chunk, batches);
      if (on_update) {
        const auto& c = sources.train_chunks;
        TrainingUpdate u;
        u.kind = TrainingUpdate::Kind::Started;
        u.total_steps = spec.max_steps;
        u.message = std::to_string(report.files_in_dataset) + " files with " + tok->name() +
                    (report.from_quick_index ? " from the cache" : " (" + std::to_string(report.tokenized) + " tokenized now)") +
                    ", " + std::to_string(c.windows) + " windows (" + std::to_string(c.dropped_few_notes) +
                    " near-silent left out)";
        on_update(u);
      }

      // Fill-in-the-middle: the model gets the FIM tokens on top of the run's tokenizer (as the CLI).
      train::FimRun fim;
      if (spec.fim_rate > 0)
        fim = train::make_fim_run(*tok, *sources.train, sources.validation.get(), spec.fim_rate, spec.seed, spec.seq_len);
      const tokenizer::Tokenizer& model_tok = fim.tokenizer ? *fim.tokenizer : *tok;
      train::BatchSource& train_source = fim.train ? static_cast<train::BatchSource&>(*fim.train) : *sources.train;
      train::BatchSource* validation_source =
          fim.train ? static_cast<train::BatchSource*>(fim.validation.get()) : sources.validation.get();

      std::shared_ptr<model::CausalLM> model;
      fs::path resume;
      if (!spec.resume_from.empty()) {
        const auto ckpt = train::latest_checkpoint(spec.resume_from);
        if (!ckpt) throw std::runtime_error("no checkpoint to resume from in " + spec.resume_from);
        model = model::load_model(*ckpt / "model");  // the checkpoint's own shape
        train::check_model_fits(model->config(), model_tok);  // says why an unrelated run cannot resume
        resume = *ckpt;
      } else {
        // Compound tokenizers (CPWord, Octuple) get one embedding and one head per field.
        model = model::create_model(train::model_config_for(spec.preset, spec.architecture, model_tok, spec.seq_len));
      }

      // Refuse a run that cannot fit before LibTorch asks for it: the OOM killer ends the studio.
      if (const auto why = train::memory_refusal(
              train::estimate_training_memory(model->config(), model->num_parameters(), spec.batch_size, spec.seq_len),
              train::available_memory_bytes(), spec.batch_size, spec.seq_len);
          !why.empty())
        throw std::runtime_error(why);

      RunFacts facts;
      // "auto": bf16 autocast where the CPU computes bf16 natively, fp32 elsewhere.
      facts.precision = compute::resolve_precision(spec.precision, model->device().is_cuda());
      facts.min_notes = chunk.min_notes;
      facts.train_chunks = sources.train_chunks;
      facts.validation_chunks = sources.validation_chunks;
      write_run_description(spec, run_dir, dataset_dir, report, facts);

      train::TrainConfig config;
      config.max_steps = std::max<int64_t>(1, spec.max_steps);
      config.lr = spec.lr;
      config.min_lr = spec.lr / 10;
      config.warmup_steps = std::max<int64_t>(0, spec.warmup_steps);
      config.seed = spec.seed;
      config.precision = facts.precision;
      config.eval_every = std::max<int64_t>(0, spec.eval_every);
      config.eval_batches = 20;  // a bounded validation pass keeps the chart moving
      config.out_dir = run_dir;
      config.checkpoint_every = std::max<int64_t>(10, config.max_steps / 4);
      const auto result = train::train(config, *model, train_source, validation_source, {&events, &control},
                                       nullptr, resume);
      // The generator finds RUN/model (+ RUN/tokenizer.json), also after a cancel, with what the
      // corpus taught besides the weights (usual tempo, instruments per piece), as the CLI saves it.
      generate::save_bundle(*model, model_tok, run_dir / "model");
      generate::save_music_defaults(generate::music_defaults_from_dataset(*sources.dataset), run_dir / "model");
      last.kind = result.stop_reason == "cancelled" ? TrainingUpdate::Kind::Cancelled : TrainingUpdate::Kind::Finished;
      // The Generate page's model picker says how the run ended ("cancelled at step 68").
      write_run_outcome(run_dir.string(), result.stop_reason == "cancelled" ? "cancelled" : "finished", result.steps,
                        config.max_steps, result.stop_reason);
      last.step = result.steps;
      last.total_steps = config.max_steps;
      last.train_loss = result.last_train_loss;
      last.val_loss = result.last_val_loss;
      last.tokens_per_s = result.tokens_per_s;
      last.elapsed_s = result.elapsed_s;
      last.message = result.stop_reason;
    } catch (const std::exception& e) {
      last = {};
      last.kind = TrainingUpdate::Kind::Error;
      last.message = e.what();
      std::error_code ec;
      if (!spec.run_dir.empty() && fs::is_directory(spec.run_dir, ec)) write_run_outcome(spec.run_dir, "error", -1, spec.max_steps, e.what());
    }
    finish(last);
  }

  // Forwards the trainer's events in order; its own end event is replaced by the session's,
  // sent after the model is saved so that "finished" means "ready to generate from".
  void dispatch() {
    for (;;) {
      const bool done = worker_done.load();
      while (auto e = events.try_pop())
        if (!is_terminal(e->kind) && on_update) on_update(to_update(*e));
      if (done) break;
      if (auto e = events.pop_for(std::chrono::milliseconds(50)))
        if (!is_terminal(e->kind) && on_update) on_update(to_update(*e));
    }
    TrainingUpdate u;
    {
      std::lock_guard<std::mutex> lock(final_mutex);
      u = final_update;
    }
    all_sent.store(true);
    if (on_update) on_update(u);
  }
};

TrainingSession::TrainingSession(TrainingSpec spec, std::function<void(const TrainingUpdate&)> on_update)
    : impl_(std::make_unique<Impl>()) {
  impl_->spec = std::move(spec);
  impl_->on_update = std::move(on_update);
}

TrainingSession::~TrainingSession() {
  impl_->control.cancel();
  if (impl_->worker.joinable()) impl_->worker.join();
  if (impl_->dispatcher.joinable()) impl_->dispatcher.join();
}

void TrainingSession::start() {
  if (impl_->worker.joinable()) throw std::logic_error("this training session was already started");
  if (impl_->spec.dataset.empty()) throw std::runtime_error("no MIDI files: import a dataset first");
  if (impl_->on_update) {
    TrainingUpdate u;
    u.kind = TrainingUpdate::Kind::Started;
    u.total_steps = impl_->spec.max_steps;
    u.message = "reading the dataset";
    impl_->on_update(u);
  }
  Impl* impl = impl_.get();
  // Lower priority than the GUI thread; LibTorch's worker threads inherit it.
  impl_->worker = std::thread([impl] {
    lowerThisThreadPriority();
    impl->run();
  });
  impl_->dispatcher = std::thread([impl] {
    lowerThisThreadPriority();
    impl->dispatch();
  });
}

void TrainingSession::pause() { impl_->control.pause(); }
void TrainingSession::resume() { impl_->control.resume(); }
void TrainingSession::cancel() { impl_->control.cancel(); }
bool TrainingSession::finished() const { return impl_->all_sent.load(); }

}  // namespace harmonia::ui
