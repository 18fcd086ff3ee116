// Each processor follows the math of the transformers class of the same name; the parity
// test compares them with that library's outputs on fixed inputs.
#include "core/generate/logits_processors.hpp"

#include "core/generate/typed_top_p.hpp"

#include <torch/torch.h>

#include <limits>
#include <map>
#include <stdexcept>

namespace harmonia::generate {
namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();
}

RepetitionPenalty::RepetitionPenalty(float penalty) : penalty_(penalty) {
  if (!(penalty > 0)) throw std::invalid_argument("repetition penalty must be > 0");
}
void RepetitionPenalty::apply(const torch::Tensor& history, torch::Tensor& scores) const {
  if (history.size(1) == 0) return;
  auto seen = scores.gather(1, history);
  seen = torch::where(seen < 0, seen * penalty_, seen / penalty_);
  scores.scatter_(1, history, seen);  // repeated ids write the same value, so order is moot
}
std::string RepetitionPenalty::name() const { return "repetition_penalty(" + std::to_string(penalty_) + ")"; }

Temperature::Temperature(float temperature) : temperature_(temperature) {
  if (!(temperature > 0)) throw std::invalid_argument("temperature must be > 0");
}
void Temperature::apply(const torch::Tensor&, torch::Tensor& scores) const { scores = scores / temperature_; }
std::string Temperature::name() const { return "temperature(" + std::to_string(temperature_) + ")"; }

TopK::TopK(int64_t k, int64_t min_tokens_to_keep) : k_(std::max(k, min_tokens_to_keep)) {
  if (k <= 0) throw std::invalid_argument("top-k must be > 0");
}
void TopK::apply(const torch::Tensor&, torch::Tensor& scores) const {
  const int64_t k = std::min(k_, scores.size(-1));
  const auto kth = std::get<0>(scores.topk(k, -1)).narrow(-1, k - 1, 1);
  scores.masked_fill_(scores < kth, kNegInf);
}
std::string TopK::name() const { return "top_k(" + std::to_string(k_) + ")"; }

TopP::TopP(float top_p, int64_t min_tokens_to_keep) : top_p_(top_p), min_keep_(min_tokens_to_keep) {
  if (!(top_p > 0 && top_p <= 1)) throw std::invalid_argument("top-p must be in (0, 1]");
}
void TopP::apply(const torch::Tensor&, torch::Tensor& scores) const {
  auto sorted = scores.sort(-1, /*descending=*/false);
  const auto& sorted_logits = std::get<0>(sorted);
  const auto& sorted_indices = std::get<1>(sorted);
  auto cumulative = sorted_logits.softmax(-1).cumsum(-1);
  auto remove_sorted = cumulative <= (1 - top_p_);
  const int64_t v = scores.size(-1);
  const int64_t keep = std::min(min_keep_, v);
  remove_sorted.narrow(-1, v - keep, keep).fill_(false);  // the most likely always stay
  auto remove = remove_sorted.scatter(1, sorted_indices, remove_sorted);
  scores.masked_fill_(remove, kNegInf);
}
std::string TopP::name() const { return "top_p(" + std::to_string(top_p_) + ")"; }

MinP::MinP(float min_p, int64_t min_tokens_to_keep) : min_p_(min_p), min_keep_(min_tokens_to_keep) {
  if (!(min_p >= 0 && min_p <= 1)) throw std::invalid_argument("min-p must be in [0, 1]");
}
void MinP::apply(const torch::Tensor&, torch::Tensor& scores) const {
  const auto probs = scores.softmax(-1);
  const auto threshold = std::get<0>(probs.max(-1, /*keepdim=*/true)) * min_p_;
  const auto remove = probs < threshold;
  const auto order = scores.argsort(-1, /*descending=*/true);
  auto remove_sorted = remove.gather(1, order);
  const int64_t keep = std::min(min_keep_, scores.size(-1));
  remove_sorted.narrow(-1, 0, keep).fill_(false);
  scores.masked_fill_(remove_sorted.scatter(1, order, remove_sorted), kNegInf);
}
std::string MinP::name() const { return "min_p(" + std::to_string(min_p_) + ")"; }

NoRepeatNGram::NoRepeatNGram(int64_t n) : n_(n) {
  if (n <= 0) throw std::invalid_argument("no-repeat n-gram size must be > 0");
}
void NoRepeatNGram::apply(const torch::Tensor& history, torch::Tensor& scores) const {
  const int64_t t = history.size(1);
  if (t + 1 < n_) return;
  const auto h = history.to(torch::kCPU).contiguous();
  const int64_t* ids = h.data_ptr<int64_t>();
  for (int64_t b = 0; b < h.size(0); ++b) {
    const int64_t* row = ids + b * t;
    // The n-1 most recent ids; any earlier n-gram starting with them bans its last id.
    for (int64_t start = 0; start + n_ <= t; ++start) {
      bool match = true;
      for (int64_t i = 0; i + 1 < n_ && match; ++i) match = row[start + i] == row[t - n_ + 1 + i];
      if (match) scores[b][row[start + n_ - 1]] = kNegInf;
    }
  }
}
std::string NoRepeatNGram::name() const { return "no_repeat_ngram(" + std::to_string(n_) + ")"; }

void ForbiddenMask::apply(const torch::Tensor&, torch::Tensor& scores) const {
  scores.masked_fill_(forbidden_, -std::numeric_limits<float>::infinity());
}

TokenBias::TokenBias(std::vector<float> bias, std::string label)
    : bias_(torch::tensor(bias, torch::kFloat)), label_(std::move(label)) {}
void TokenBias::apply(const torch::Tensor&, torch::Tensor& scores) const {
  scores = scores + bias_.to(scores.device(), scores.scalar_type());
}

std::vector<std::string> ProcessorChain::names() const {
  std::vector<std::string> out;
  for (const auto& p : chain_) out.push_back(p->name());
  return out;
}

ProcessorChain build_chain(const SamplingSettings& s, std::vector<std::unique_ptr<LogitsProcessor>> extra,
                           const std::vector<int>& token_types) {
  ProcessorChain chain;
  if (s.repetition_penalty != 1.0f) chain.add(std::make_unique<RepetitionPenalty>(s.repetition_penalty));
  if (s.no_repeat_ngram > 0) chain.add(std::make_unique<NoRepeatNGram>(s.no_repeat_ngram));
  for (auto& p : extra) chain.add(std::move(p));
  if (s.temperature != 1.0f) chain.add(std::make_unique<Temperature>(s.temperature));
  if (s.top_k > 0) chain.add(std::make_unique<TopK>(s.top_k));
  if (s.top_p < 1.0f && s.top_p_on == TopPScope::Pitch && !token_types.empty())
    chain.add(std::make_unique<TopPWithinGroups>(s.top_p, pitch_groups(token_types)));
  else if (s.top_p < 1.0f)
    chain.add(std::make_unique<TopP>(s.top_p));
  if (s.min_p > 0.0f) chain.add(std::make_unique<MinP>(s.min_p));
  return chain;
}

}  // namespace harmonia::generate
