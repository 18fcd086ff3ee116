#include "core/generate/generator.hpp"

#include <torch/torch.h>

#include <chrono>
#include <limits>
#include <random>
#include <stdexcept>

#include "core/generate/grammar_constraint.hpp"

namespace harmonia::generate {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Grammar mask [B, V] refreshed by the loop before each step; it sits with the other logits
// processors, before the warpers, as transformers' prefix_allowed_tokens_fn does.
class RowMask final : public LogitsProcessor {
 public:
  explicit RowMask(std::shared_ptr<torch::Tensor> allowed) : allowed_(std::move(allowed)) {}
  void apply(const torch::Tensor&, torch::Tensor& scores) const override {
    scores.masked_fill_(allowed_->logical_not(), kNegInf);
  }
  std::string name() const override { return "grammar"; }

 private:
  std::shared_ptr<torch::Tensor> allowed_;
};

// One draw from softmax(scores) with the row's own generator, so candidate i's stream does
// not depend on how many candidates run beside it.
int32_t sample_row(const float* scores, int64_t v, std::mt19937_64& rng, bool greedy) {
  float best = kNegInf;
  int64_t best_id = -1;
  for (int64_t i = 0; i < v; ++i)
    if (scores[i] > best) best = scores[i], best_id = i;
  if (best_id < 0) return -1;  // everything filtered
  if (greedy) return int32_t(best_id);
  double total = 0;
  thread_local std::vector<double> w;
  w.resize(size_t(v));
  for (int64_t i = 0; i < v; ++i) total += (w[size_t(i)] = std::exp(double(scores[i]) - best));
  const double u = std::uniform_real_distribution<double>(0.0, total)(rng);
  double acc = 0;
  for (int64_t i = 0; i < v; ++i) {
    acc += w[size_t(i)];
    if (u < acc && w[size_t(i)] > 0) return int32_t(i);
  }
  return int32_t(best_id);
}

}  // namespace

Generator::Generator(std::shared_ptr<model::CausalLM> model, std::shared_ptr<const tokenizer::Tokenizer> tokenizer)
    : model_(std::move(model)), tokenizer_(std::move(tokenizer)) {
  if (!model_ || !tokenizer_) throw std::invalid_argument("generator: model and tokenizer are required");
  if (model_->config().compound.enabled() || tokenizer_->is_compound())
    throw std::invalid_argument("generator: compound-token (CPWord/Octuple) generation is not implemented yet");
  if (size_t(model_->config().vocab_size) < tokenizer_->vocab_size())
    throw std::invalid_argument("generator: the model's vocabulary (" + std::to_string(model_->config().vocab_size) +
                                ") is smaller than the tokenizer's (" + std::to_string(tokenizer_->vocab_size()) + ")");
}

GenerationResult Generator::generate(const std::vector<int32_t>& prompt, const GenerationSettings& settings,
                                     const GenerationCallbacks& callbacks) const {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  torch::NoGradGuard no_grad;
  model_->eval();
  const auto& vocab = tokenizer_->vocab(0);
  const int64_t B = std::max(1, settings.num_candidates);
  const int64_t V = model_->config().vocab_size;
  const int64_t context = model_->config().max_position_embeddings > 0 ? model_->config().max_position_embeddings
                                                                        : std::numeric_limits<int64_t>::max();
  const int eos = vocab.id("EOS_None"), bos = vocab.id("BOS_None"), pad = vocab.id("PAD_None");
  const int bar = vocab.id(tokenizer::TokenType::Bar, -1);
  const bool greedy = settings.sampling.temperature <= 0;

  // What the model sees: BOS when starting from nothing, then the prompt.
  std::vector<int64_t> model_prompt;
  if (prompt.empty() && bos >= 0) model_prompt.push_back(bos);
  for (int32_t id : prompt) model_prompt.push_back(id);
  if (model_prompt.empty()) model_prompt.push_back(0);
  const int64_t head_keep = std::min<int64_t>(int64_t(model_prompt.size()), std::max<int64_t>(context / 4, 0));

  GenerationResult result;
  result.prompt_length = prompt.size();
  result.sequences.assign(size_t(B), prompt);
  result.stop_reasons.assign(size_t(B), "");

  std::vector<GrammarConstraint> grammar;
  if (settings.grammar)
    for (int64_t b = 0; b < B; ++b) {
      grammar.emplace_back(*tokenizer_);
      for (int32_t id : prompt) grammar.back().accept(id);
    }

  auto allowed = std::make_shared<torch::Tensor>(torch::ones({B, V}, torch::kBool));
  std::vector<std::unique_ptr<LogitsProcessor>> extra;
  if (settings.grammar) extra.push_back(std::make_unique<RowMask>(allowed));
  if (settings.controls.active()) {
    auto bias = control_bias(*tokenizer_, settings.controls);
    bias.resize(size_t(V), 0.0f);
    extra.push_back(std::make_unique<TokenBias>(std::move(bias), "music_controls"));
  }
  SamplingSettings sampling = settings.sampling;
  if (greedy) sampling.temperature = 1.0f;
  const ProcessorChain chain = build_chain(sampling, std::move(extra));

  std::vector<std::mt19937_64> rngs;
  for (int64_t b = 0; b < B; ++b) rngs.emplace_back(settings.seed * 0x9E3779B97F4A7C15ull + uint64_t(b));

  const auto device = model_->device();
  torch::Tensor history = torch::tensor(model_prompt, torch::kLong).unsqueeze(0).repeat({B, 1});
  model::KVCache cache = model_->make_cache();
  // Feeds the window (head of the prompt + most recent tokens) from an empty cache.
  auto prefill = [&]() {
    cache.clear();
    torch::Tensor window = history;
    const int64_t t = history.size(1);
    if (t > context) {
      const int64_t tail = std::max<int64_t>(1, context - head_keep - context / 4);
      window = torch::cat({history.narrow(1, 0, head_keep), history.narrow(1, t - tail, tail)}, 1);
    }
    return model_->forward(window.to(device), {}, &cache).select(1, -1);
  };
  torch::Tensor logits = prefill();

  std::vector<uint8_t> active(size_t(B), 1), row_mask;
  std::vector<int64_t> bars(size_t(B), 0);
  int64_t n_active = B;
  auto finish = [&](int64_t b, const char* why) {
    if (!active[size_t(b)]) return;
    active[size_t(b)] = 0;
    result.stop_reasons[size_t(b)] = why;
    --n_active;
  };
  const int32_t filler = eos >= 0 ? eos : (pad >= 0 ? pad : 0);

  for (int64_t step = 0; step < settings.max_new_tokens && n_active > 0; ++step) {
    if (callbacks.cancel && callbacks.cancel->load()) {
      result.cancelled = true;
      for (int64_t b = 0; b < B; ++b) finish(b, "cancelled");
      break;
    }
    if (settings.max_seconds > 0 &&
        std::chrono::duration<double>(clock::now() - start).count() >= settings.max_seconds) {
      for (int64_t b = 0; b < B; ++b) finish(b, "max_seconds");
      break;
    }
    if (settings.grammar) {
      auto acc = allowed->accessor<bool, 2>();
      for (int64_t b = 0; b < B; ++b) {
        grammar[size_t(b)].allowed(row_mask);
        for (int64_t i = 0; i < V; ++i) acc[b][i] = i < int64_t(row_mask.size()) && row_mask[size_t(i)];
      }
    }
    torch::Tensor scores = logits.to(torch::kCPU, torch::kFloat).clone();
    chain.apply(history, scores);
    scores = scores.contiguous();
    std::vector<int64_t> next(size_t(B), filler);
    for (int64_t b = 0; b < B; ++b) {
      if (!active[size_t(b)]) continue;
      const int32_t id = sample_row(scores.data_ptr<float>() + b * V, V, rngs[size_t(b)], greedy);
      if (id < 0) {  // every token filtered (e.g. a pitch range the vocabulary lacks)
        finish(b, "eos");
        continue;
      }
      if (id == eos) {
        finish(b, "eos");
        continue;
      }
      if (id == bar && settings.max_bars > 0 && ++bars[size_t(b)] > settings.max_bars) {
        finish(b, "max_bars");
        continue;
      }
      next[size_t(b)] = id;
      result.sequences[size_t(b)].push_back(id);
      if (settings.grammar) grammar[size_t(b)].accept(id);
      if (callbacks.on_token) callbacks.on_token({int(b), id, step});
    }
    ++result.steps;
    if (callbacks.on_progress) callbacks.on_progress(double(step + 1) / double(settings.max_new_tokens));
    if (n_active == 0) break;
    const auto next_t = torch::tensor(next, torch::kLong).unsqueeze(1);
    history = torch::cat({history, next_t}, 1);
    if (cache.length() + 1 > context) logits = prefill();
    else logits = model_->forward(next_t.to(device), {}, &cache).select(1, -1);
  }
  for (int64_t b = 0; b < B; ++b) finish(b, "max_new_tokens");

  // Stopping mid-note would leave tokens the decoder drops: end at the last note boundary.
  for (int64_t b = 0; b < B; ++b) {
    auto& seq = result.sequences[size_t(b)];
    if (settings.grammar) seq.resize(std::max(prompt.size(), grammar[size_t(b)].complete_length()));
    result.new_tokens += int64_t(seq.size() - prompt.size());
  }
  result.seconds = std::chrono::duration<double>(clock::now() - start).count();
  return result;
}

}  // namespace harmonia::generate
