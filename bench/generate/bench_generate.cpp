// Generation throughput (new tokens/s, KV cache, batch 1 and 8) through the full Generator:
// processor chain, sampling, and optionally the grammar. Compared with the transformers
// baseline in ../shared/perf/BASELINES.md: generate, do_sample, top_k 50, KV cache, batch 1,
// 256 new tokens, GPT-2 6 layers / 256 dim / vocab 512: 206-221 new tokens/s.
// --breakdown also times the model's cached forward alone (no sampling), so the cost of the
// sampler chain and the grammar shows as the difference; --bf16 runs the models in bf16.
// "cpu" is the rate per second of process CPU time: on a shared, loaded machine and with one
// thread it approximates the idle-machine wall-clock rate (wall time counts other processes).
// Usage: bench_generate [--threads N] [--tokens N] [--breakdown] [--bf16] [--compound]
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstring>
#include <string>
#include <torch/torch.h>

#include "bench/baseline_shape.hpp"
#include "core/compute/decode_pool.hpp"
#include "core/compute/threads.hpp"
#include "core/generate/generator.hpp"
#include "core/model/presets.hpp"

namespace hg = harmonia::generate;
namespace hm = harmonia::model;

namespace {

constexpr double kBaselineTokensPerSec = 213.5;  // midpoint of 206-221, batch 1

struct Options {
  int64_t tokens = 256;
  bool breakdown = false, bf16 = false;
};

std::shared_ptr<hm::CausalLM> make(const hm::ModelConfig& config, const Options& o) {
  torch::manual_seed(0);
  auto m = hm::create_model(config);
  if (o.bf16) m->to(torch::kBFloat16);
  m->eval();
  return m;
}

// The model alone: one token per row per step through the KV cache, as the Generator feeds it.
void run_model_only(const char* label, const std::shared_ptr<hm::CausalLM>& model, int batch, int64_t tokens) {
  torch::NoGradGuard ng;
  harmonia::compute::DecodeThreadsScope decode_threads(model->num_parameters() * 4);  // as the Generator decodes
  const bool compound = model->config().compound.enabled();
  const int64_t fields = compound ? int64_t(model->config().compound.field_vocab_sizes.size()) : 1;
  auto ids = compound ? torch::ones({batch, 1, fields}, torch::kLong) : torch::ones({batch, 1}, torch::kLong);
  auto once = [&](int64_t n) {
    auto cache = model->make_cache();
    for (int64_t i = 0; i < n; ++i) model->forward(ids, {}, &cache);
  };
  once(8);
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  once(tokens);
  const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%-34s batch %d  model forward only         %8.1f new tokens/s  %6.2f ms/step  (cpu %8.1f/s)\n", label,
              batch, double(tokens) * batch / s, 1000.0 * s / double(tokens), double(tokens) * batch / cpu);
}

void run(const char* label, const std::shared_ptr<hm::CausalLM>& model,
         std::shared_ptr<const harmonia::tokenizer::Tokenizer> tok, int batch, const Options& o, bool grammar,
         bool hf_settings) {
  hg::Generator gen(model, tok);
  hg::GenerationSettings s;
  s.num_candidates = batch;
  s.max_new_tokens = o.tokens;
  s.min_new_tokens = o.tokens;  // EOS would end rows early and flatter the figure
  s.grammar = grammar;
  s.seed = 1;
  if (hf_settings) s.sampling = hg::SamplingSettings{1.0f, 50, 1.0f, 0.0f, 1.0f, 0};  // the baseline's top_k 50
  gen.generate({}, [&] { auto w = s; w.max_new_tokens = w.min_new_tokens = 8; return w; }());  // warm-up
  const std::clock_t c0 = std::clock();
  const auto r = gen.generate({}, s);
  const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
  const double per_s = double(r.steps) * batch / r.seconds, per_cpu_s = double(r.steps) * batch / cpu;
  std::printf("%-34s batch %d  grammar %-3s  %5lld steps  %8.1f new tokens/s  %6.2f ms/step  x%.2f vs Python batch 1"
              "  (cpu %8.1f/s x%.2f)\n",
              label, batch, grammar ? "on" : "off", (long long)r.steps, per_s, 1000.0 * r.seconds / double(r.steps),
              per_s / kBaselineTokensPerSec, per_cpu_s, per_cpu_s / kBaselineTokensPerSec);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  Options o;
  bool compound = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--tokens") && i + 1 < argc) o.tokens = std::stoll(argv[++i]);
    else if (!std::strcmp(argv[i], "--breakdown")) o.breakdown = true;
    else if (!std::strcmp(argv[i], "--bf16")) o.bf16 = true;
    else if (!std::strcmp(argv[i], "--compound")) compound = true;
  }
  harmonia::compute::set_compute_threads(threads);
  std::printf("threads %d, %lld new tokens per row, %s; baseline (transformers, batch 1): 206-221 tokens/s\n",
              threads, (long long)o.tokens, o.bf16 ? "bf16" : "fp32");
  std::shared_ptr<const harmonia::tokenizer::Tokenizer> tok = harmonia::tokenizer::Tokenizer::create("REMI");
  const auto base = make(harmonia::bench::baseline_gpt2_config(), o);
  if (o.breakdown) {
    run_model_only("baseline shape (6L/256d, v512)", base, 1, o.tokens);
    run_model_only("baseline shape (6L/256d, v512)", base, 8, o.tokens);
  }
  run("baseline shape (6L/256d, v512)", base, tok, 1, o, false, true);
  run("baseline shape (6L/256d, v512)", base, tok, 8, o, false, true);
  run("baseline shape, default settings", base, tok, 1, o, true, false);
  const auto small = make(hm::preset_config("small", "", int64_t(tok->vocab_size())), o);
  if (o.breakdown) {
    run_model_only("small preset (6L/384d)", small, 1, o.tokens);
    run_model_only("small preset (6L/384d)", small, 8, o.tokens);
  }
  run("small preset (6L/384d)", small, tok, 1, o, false, true);
  run("small preset (6L/384d)", small, tok, 8, o, false, true);
  run("small preset, default settings", small, tok, 1, o, true, false);
  run("small preset, default settings", small, tok, 8, o, true, false);
  if (compound) {
    std::shared_ptr<const harmonia::tokenizer::Tokenizer> cp = harmonia::tokenizer::Tokenizer::create("CPWord");
    auto config = hm::preset_config("small", "", int64_t(cp->vocab_size()));
    for (const auto& v : cp->vocabs()) config.compound.field_vocab_sizes.push_back(int64_t(v.size()));
    const auto model = make(config, o);
    run("small preset, CPWord compound", model, cp, 1, o, true, false);
    run("small preset, CPWord compound", model, cp, 8, o, true, false);
  }
  return 0;
}
