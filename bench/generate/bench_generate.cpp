// Generation throughput (new tokens/s, KV cache, batch 1 and 8) through the full Generator:
// processor chain, sampling, and optionally the grammar. Compared with the transformers
// baseline in ../shared/perf/BASELINES.md: generate, do_sample, top_k 50, KV cache, batch 1,
// 256 new tokens, GPT-2 6 layers / 256 dim / vocab 512: 206-221 new tokens/s.
// Usage: bench_generate [--threads N] [--tokens N]
#include <cstdio>
#include <cstring>
#include <string>
#include <torch/torch.h>

#include "core/compute/threads.hpp"
#include "core/generate/generator.hpp"
#include "core/model/presets.hpp"

namespace hg = harmonia::generate;
namespace hm = harmonia::model;

namespace {

constexpr double kBaselineTokensPerSec = 213.5;  // midpoint of 206-221, batch 1

hm::ModelConfig baseline_shape() {
  auto c = hm::preset_config("small", "gpt2", 512);
  c.hidden_size = 256;
  c.num_hidden_layers = 6;
  c.num_attention_heads = 8;
  c.num_key_value_heads = 8;
  c.head_dim = 32;
  c.intermediate_size = 1024;
  return c;
}

void run(const char* label, const hm::ModelConfig& config, std::shared_ptr<const harmonia::tokenizer::Tokenizer> tok,
         int batch, int64_t tokens, bool grammar, bool hf_settings) {
  torch::manual_seed(0);
  hg::Generator gen(hm::create_model(config), tok);
  hg::GenerationSettings s;
  s.num_candidates = batch;
  s.max_new_tokens = tokens;
  s.grammar = grammar;
  s.seed = 1;
  if (hf_settings) s.sampling = hg::SamplingSettings{1.0f, 50, 1.0f, 0.0f, 1.0f, 0};  // the baseline's top_k 50
  // EOS would end rows early and flatter the figure: count the steps really taken.
  gen.generate({}, [&] { auto w = s; w.max_new_tokens = 8; return w; }());  // warm-up
  const auto r = gen.generate({}, s);
  const double per_s = double(r.steps) * batch / r.seconds;
  std::printf("%-34s batch %d  grammar %-3s  %5lld steps  %8.1f new tokens/s  %6.2f ms/step  x%.2f vs Python batch 1\n",
              label, batch, grammar ? "on" : "off", (long long)r.steps, per_s, 1000.0 * r.seconds / double(r.steps),
              per_s / kBaselineTokensPerSec);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  int64_t tokens = 256;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--tokens") && i + 1 < argc) tokens = std::stoll(argv[++i]);
  }
  harmonia::compute::set_compute_threads(threads);
  std::printf("threads %d, %lld new tokens per row; baseline (transformers, batch 1): 206-221 tokens/s\n", threads,
              (long long)tokens);
  std::shared_ptr<const harmonia::tokenizer::Tokenizer> tok = harmonia::tokenizer::Tokenizer::create("REMI");
  const auto base = baseline_shape();
  run("baseline shape (6L/256d, v512)", base, tok, 1, tokens, false, true);
  run("baseline shape (6L/256d, v512)", base, tok, 8, tokens, false, true);
  run("baseline shape, default settings", base, tok, 1, tokens, true, false);
  const auto small = hm::preset_config("small", "", int64_t(tok->vocab_size()));
  run("small preset (6L/384d)", small, tok, 1, tokens, false, true);
  run("small preset (6L/384d)", small, tok, 8, tokens, false, true);
  run("small preset, default settings", small, tok, 1, tokens, true, false);
  return 0;
}
