// The sampler chain: small logits processors with Hugging Face transformers' semantics,
// applied in generate()'s order (repetition penalty, no-repeat-n-gram, masks, then the
// warpers temperature, top-k, top-p, min-p). Each works on scores [B, V] (float) given the
// ids seen so far per row, and marks removed tokens with -inf, so they compose freely and
// are tested one by one against transformers' own outputs.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace harmonia::generate {

class LogitsProcessor {
 public:
  virtual ~LogitsProcessor() = default;
  // history: [B, T] int64 ids seen so far (prompt + generated); scores: [B, V], edited in place
  // or replaced.
  virtual void apply(const torch::Tensor& history, torch::Tensor& scores) const = 0;
  virtual std::string name() const = 0;
};

// Seen tokens: positive logits divided by `penalty`, negative ones multiplied (HF's CTRL rule).
class RepetitionPenalty final : public LogitsProcessor {
 public:
  explicit RepetitionPenalty(float penalty);
  void apply(const torch::Tensor& history, torch::Tensor& scores) const override;
  std::string name() const override;

 private:
  float penalty_;
};

class Temperature final : public LogitsProcessor {
 public:
  explicit Temperature(float temperature);  // > 0
  void apply(const torch::Tensor& history, torch::Tensor& scores) const override;
  std::string name() const override;

 private:
  float temperature_;
};

// Keeps every token whose score is >= the k-th largest (ties at the threshold survive, as in HF).
class TopK final : public LogitsProcessor {
 public:
  explicit TopK(int64_t k, int64_t min_tokens_to_keep = 1);
  void apply(const torch::Tensor& history, torch::Tensor& scores) const override;
  std::string name() const override;

 private:
  int64_t k_;
};

// Nucleus: drops the least likely tokens whose cumulative probability (ascending) is <= 1-p,
// always keeping the `min_tokens_to_keep` most likely.
class TopP final : public LogitsProcessor {
 public:
  explicit TopP(float top_p, int64_t min_tokens_to_keep = 1);
  void apply(const torch::Tensor& history, torch::Tensor& scores) const override;
  std::string name() const override;

 private:
  float top_p_;
  int64_t min_keep_;
};

// Drops tokens whose probability is below min_p times the most likely token's.
class MinP final : public LogitsProcessor {
 public:
  explicit MinP(float min_p, int64_t min_tokens_to_keep = 1);
  void apply(const torch::Tensor& history, torch::Tensor& scores) const override;
  std::string name() const override;

 private:
  float min_p_;
  int64_t min_keep_;
};

// Forbids any token that would repeat an n-gram already present in the row's history.
class NoRepeatNGram final : public LogitsProcessor {
 public:
  explicit NoRepeatNGram(int64_t n);
  void apply(const torch::Tensor& history, torch::Tensor& scores) const override;
  std::string name() const override;

 private:
  int64_t n_;
};

// Adds a fixed per-token bias [V] (e.g. -inf outside a key, or a density nudge).
class TokenBias final : public LogitsProcessor {
 public:
  TokenBias(std::vector<float> bias, std::string label);
  void apply(const torch::Tensor& history, torch::Tensor& scores) const override;
  std::string name() const override { return label_; }

 private:
  torch::Tensor bias_;
  std::string label_;
};

// A per-row mask [B, V] (true = forbidden) that the sampling loop refreshes in place before
// each draw (grammar rules); it sits with the other logits processors, before the warpers, as
// transformers' prefix_allowed_tokens_fn does.
class ForbiddenMask final : public LogitsProcessor {
 public:
  ForbiddenMask(torch::Tensor forbidden, std::string label) : forbidden_(std::move(forbidden)), label_(std::move(label)) {}
  void apply(const torch::Tensor& history, torch::Tensor& scores) const override;
  std::string name() const override { return label_; }

 private:
  torch::Tensor forbidden_;  // shares storage with the loop's buffer
  std::string label_;
};

class ProcessorChain {
 public:
  void add(std::unique_ptr<LogitsProcessor> p) { chain_.push_back(std::move(p)); }
  void apply(const torch::Tensor& history, torch::Tensor& scores) const {
    for (const auto& p : chain_) p->apply(history, scores);
  }
  size_t size() const { return chain_.size(); }
  std::vector<std::string> names() const;

 private:
  std::vector<std::unique_ptr<LogitsProcessor>> chain_;
};

// Which tokens top-p narrows: all of a step's tokens together (transformers), or only the
// choice of a pitch, within the pitch tokens (typed_top_p.hpp: the music recipe's).
enum class TopPScope { All, Pitch };

struct SamplingSettings {
  float temperature = 0.9f;
  int64_t top_k = 20;           // 0 = off
  float top_p = 0.95f;          // 1 = off
  float min_p = 0.0f;           // 0 = off
  float repetition_penalty = 1.05f;  // 1 = off
  int64_t no_repeat_ngram = 0;  // 0 = off
  TopPScope top_p_on = TopPScope::All;  // last: brace-initialised settings keep their order
};

// The chain generate() builds for these settings (disabled processors left out). `extra`
// processors (masks, biases) go after the penalties and before the warpers, as HF's
// logits processors run before its warpers. `token_types` (tokenizer::TokenType of each id, as
// int) lets top_p_on = Pitch find the pitch tokens; without it top-p is transformers' plain one.
ProcessorChain build_chain(const SamplingSettings& s,
                           std::vector<std::unique_ptr<LogitsProcessor>> extra = {},
                           const std::vector<int>& token_types = {});

}  // namespace harmonia::generate
