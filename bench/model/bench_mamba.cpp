// Mamba next to a transformer of the same size (preset mini: GPT-2 6 x 256 vs mamba-mini
// 12 x 256, vocab 512): training tokens/s (forward+backward, B8 x T256, fp32), and batch-1
// greedy decoding tokens/s after prompts of growing length — a transformer's step reads every
// cached key, a Mamba's step only its fixed state. Also the selective scan alone at the mini
// mixer's shape: the fused kernel with its hand-written backward vs autograd through the
// per-step tensor formulation.
// Usage: bench_mamba [--threads N] [--quick] [--only train|decode|scan]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/compute/threads.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"
#include "core/model/selective_scan.hpp"

namespace hm = harmonia::model;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double train_tokens_per_sec(hm::CausalLM& model, int64_t batch, int64_t length, int reps) {
  const auto ids = torch::randint(0, model.config().vocab_size, {batch, length}, torch::kLong);
  auto step = [&] {
    model.zero_grad();
    const auto logits = model.forward(ids);
    torch::nn::functional::cross_entropy(logits.narrow(1, 0, length - 1).reshape({-1, logits.size(-1)}),
                                         ids.narrow(1, 1, length - 1).reshape({-1}))
        .backward();
  };
  step();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) step();
  return reps * batch * length / seconds_since(start);
}

// Greedy decoding at batch 1 of `steps` tokens after a `prompt`-token prefill (not timed).
double decode_tokens_per_sec(hm::CausalLM& model, int64_t prompt, int64_t steps) {
  torch::NoGradGuard no_grad;
  auto cache = model.make_cache();
  auto logits = model.forward(torch::randint(0, model.config().vocab_size, {1, prompt}, torch::kLong), {}, &cache);
  auto next = logits.select(1, -1).argmax(-1).view({1, 1});
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < steps; ++i) next = model.forward(next, {}, &cache).select(1, -1).argmax(-1).view({1, 1});
  return steps / seconds_since(start);
}

double scan_tokens_per_sec(bool fused, int64_t batch, int64_t length, int64_t channels, int64_t states, int reps) {
  const auto u = torch::randn({batch, length, channels}).requires_grad_();
  const auto delta = torch::nn::functional::softplus(torch::randn({batch, length, channels})).requires_grad_();
  const auto A = (-torch::exp(torch::randn({channels, states}) * 0.5)).requires_grad_();
  const auto B = torch::randn({batch, length, states}).requires_grad_();
  const auto C = torch::randn({batch, length, states}).requires_grad_();
  const auto D = torch::randn({channels}).requires_grad_();
  auto run = [&] {
    const auto r = fused ? hm::selective_scan(u, delta, A, B, C, D) : hm::selective_scan_reference(u, delta, A, B, C, D);
    r.y.sum().backward();
  };
  run();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) run();
  return reps * batch * length / seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  bool quick = false;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--quick")) quick = true;
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else {
      std::fprintf(stderr, "usage: bench_mamba [--threads N] [--quick] [--only train|decode|scan]\n");
      return 2;
    }
  }
  harmonia::compute::set_compute_threads(threads);
  const int reps = quick ? 1 : 3;
  const int64_t steps = quick ? 32 : 64;
  const std::vector<int64_t> prompts = quick ? std::vector<int64_t>{16, 1024} : std::vector<int64_t>{16, 256, 1024, 4096};
  std::printf("bench_mamba: %d CPU threads, fp32\n", harmonia::compute::compute_threads());

  torch::manual_seed(0);
  auto gpt2_config = hm::preset_config("mini", "gpt2", 512);
  gpt2_config.max_position_embeddings = 8192;  // room for the longest prompt; same weights otherwise
  auto gpt2 = hm::create_model(gpt2_config);
  auto mamba = hm::create_model(hm::preset_config("mamba-mini", "", 512));
  gpt2->eval();
  mamba->eval();
  struct Entry {
    const char* name;
    hm::CausalLM* model;
  };
  const Entry models[] = {{"gpt2 mini (6 x 256)", gpt2.get()}, {"mamba-mini (12 x 256)", mamba.get()}};
  if (only.empty() || only == "train")
    for (const auto& m : models)
      std::printf(" %-24s %6.2fM params  train B8xT256 %7.0f tokens/s\n", m.name, m.model->num_parameters() / 1e6,
                  train_tokens_per_sec(*m.model, 8, 256, reps));
  if (only.empty() || only == "decode") {
  std::printf(" batch-1 greedy decoding, %lld new tokens after a prompt of P tokens (tokens/s):\n",
              static_cast<long long>(steps));
  std::printf("   %-24s", "P =");
  for (int64_t p : prompts) std::printf(" %8lld", static_cast<long long>(p));
  std::printf("\n");
  for (const auto& m : models) {
    std::printf("   %-24s", m.name);
    for (int64_t p : prompts) std::printf(" %8.0f", decode_tokens_per_sec(*m.model, p, steps));
    std::printf("\n");
  }
  }
  if (!only.empty() && only != "scan") return 0;
  // The mini Mamba mixer: D = 512 channels, N = 16 states.
  std::printf(" selective scan alone, forward+backward, B8 x T256 x D512 x N16:\n");
  std::printf("   fused kernel + hand-written backward  %8.0f tokens/s\n", scan_tokens_per_sec(true, 8, 256, 512, 16, reps));
  std::printf("   per-step tensor ops + autograd        %8.0f tokens/s\n",
              scan_tokens_per_sec(false, 8, 256, 512, 16, reps));
  return 0;
}
