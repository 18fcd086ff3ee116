// Soak: does the engine leak over a long session? Trains the tiny preset on the default corpus
// for --minutes with periodic validation and checkpoints, while a second thread generates
// continuously from the newest checkpoint (reloaded every --reload generations), as a studio
// left running in a classroom would. Prints resident memory (current and peak, from
// /proc/self/status) every --report-every seconds, then the growth of the resident size from
// the --settle mark (default 10 minutes) to the end against the 5 % limit of issue 20.
// Usage: bench_soak [--minutes 60] [--report-every 300] [--settle 600] [--gen-tokens 256]
//                   [--reload 50] [--work DIR] [--threads N]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <torch/torch.h>
#include <vector>

#include "core/compute/threads.hpp"
#include "core/data/default_corpus.hpp"
#include "core/data/import_job.hpp"
#include "core/generate/generator.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/model/causal_lm.hpp"
#include "core/train/checkpoint.hpp"
#include "core/train/dataset_batch_source.hpp"
#include "core/train/model_setup.hpp"
#include "core/train/trainer.hpp"

namespace fs = std::filesystem;
using namespace harmonia;

namespace {

struct Options {
  double minutes = 60, report_every = 300, settle = 600;
  int64_t gen_tokens = 256, reload = 50;
  int threads = 0;
  fs::path work = fs::temp_directory_path() / "harmonia-soak";
};

// kB from a "VmRSS:   12345 kB" line of /proc/self/status.
long status_kb(const char* key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + std::strlen(key));
  return -1;
}

struct Sample {
  double t;
  long rss_kb, peak_kb;
  int64_t steps, generations;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--minutes") o.minutes = std::atof(argv[i + 1]);
    else if (k == "--report-every") o.report_every = std::atof(argv[i + 1]);
    else if (k == "--settle") o.settle = std::atof(argv[i + 1]);
    else if (k == "--gen-tokens") o.gen_tokens = std::atoll(argv[i + 1]);
    else if (k == "--reload") o.reload = std::atoll(argv[i + 1]);
    else if (k == "--threads") o.threads = std::atoi(argv[i + 1]);
    else if (k == "--work") o.work = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (o.threads > 0) compute::set_compute_threads(o.threads);
  fs::create_directories(o.work);

  // The demo's dataset: the default corpus as one REMI stream with programs, tempos, time signatures.
  auto remi = tokenizer::Tokenizer::create("REMI", generate::arrangement_tokenizer_config());
  data::ImportOptions import;
  const auto files = data::default_corpus_files();
  if (files.empty()) {
    std::fprintf(stderr, "no default corpus found\n");
    return 1;
  }
  import.input_dir = fs::path(files.front()).parent_path().string();
  import.dataset_dir = (o.work / "dataset").string();
  import.tidy = generate::training_tidy_options();
  data::import_dataset(std::shared_ptr<const tokenizer::Tokenizer>(std::move(remi)), import);
  data::SplitOptions split;
  data::ChunkOptions chunk;
  chunk.max_seq_len = 256;
  chunk.min_notes = size_t(generate::kMinWindowNotes);
  train::DatasetSourceOptions batches;
  batches.batch_size = 8;
  auto sources = train::open_dataset_sources(import.dataset_dir, split, chunk, batches);
  const auto& tok = sources.dataset->tokenizer();
  auto lm = model::create_model(train::model_config_for("tiny", "gpt2", tok, 256));

  train::TrainConfig config;
  config.max_steps = 100000000;  // the time budget ends the run
  config.time_budget_s = o.minutes * 60;
  config.warmup_steps = 50;
  config.eval_every = 25;
  config.eval_batches = 8;
  config.checkpoint_every = 25;
  config.tensorboard = true;
  config.out_dir = o.work / "run";
  fs::remove_all(config.out_dir);
  // Generation starts at once, from the untrained weights, until the first checkpoint exists.
  lm->save(o.work / "initial");

  std::atomic<bool> done{false};
  std::atomic<int64_t> steps{0}, generations{0}, reloads{0};
  train::EventQueue events;
  std::thread trainer([&] {
    train::EventDispatcher counter(events, [&](const train::TrainEvent& e) {
      if (e.kind == train::TrainEvent::Kind::Step) steps = e.step;
    });
    train::train(config, *lm, *sources.train, sources.validation.get(), {&events, nullptr});
    done = true;
  });
  std::thread generator([&] {
    torch::NoGradGuard no_grad;
    std::shared_ptr<model::CausalLM> model;
    std::shared_ptr<const tokenizer::Tokenizer> tokenizer(tokenizer::Tokenizer::from_json(tok.to_json(), "soak"));
    while (!done) {
      if (!model || generations % o.reload == 0) {
        const auto latest = train::latest_checkpoint(config.out_dir);
        try {
          model = model::load_model(latest ? *latest / "model" : o.work / "initial");
          ++reloads;
        } catch (const std::exception&) {
          continue;  // the checkpoint was replaced while we read it: take the next one
        }
      }
      generate::Generator g(model, tokenizer);
      generate::GenerationSettings s;
      s.max_new_tokens = o.gen_tokens;
      s.seed = uint64_t(generations.load());
      g.generate({}, s);
      ++generations;
    }
  });

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Sample> samples;
  double next_report = 0;
  std::printf("%8s %10s %10s %8s %12s\n", "minutes", "RSS MB", "peak MB", "steps", "generations");
  while (true) {
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const bool finished = done;
    samples.push_back({t, status_kb("VmRSS:"), status_kb("VmHWM:"), steps.load(), generations.load()});
    if (t >= next_report || finished) {
      const auto& s = samples.back();
      std::printf("%8.1f %10.1f %10.1f %8lld %12lld\n", t / 60, s.rss_kb / 1024.0, s.peak_kb / 1024.0,
                  (long long)s.steps, (long long)s.generations);
      std::fflush(stdout);
      next_report += o.report_every;
    }
    if (finished) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  trainer.join();
  generator.join();

  // Growth after the settling time: the last sample against the first one past the mark.
  const Sample* settled = nullptr;
  for (const auto& s : samples)
    if (s.t >= o.settle) {
      settled = &s;
      break;
    }
  const auto& last = samples.back();
  std::printf("generations %lld, model reloads %lld, steps %lld\n", (long long)last.generations,
              (long long)reloads.load(), (long long)last.steps);
  if (!settled) {
    std::printf("run shorter than the settling time (%.0f s): no growth figure\n", o.settle);
    return 0;
  }
  const double growth = double(last.rss_kb - settled->rss_kb) / double(settled->rss_kb);
  std::printf("RSS at %.1f min %.1f MB, at the end %.1f MB: growth %+.2f %% (limit 5 %%) -> %s\n", settled->t / 60,
              settled->rss_kb / 1024.0, last.rss_kb / 1024.0, growth * 100, growth < 0.05 ? "ok" : "TOO MUCH");
  return growth < 0.05 ? 0 : 1;
}
