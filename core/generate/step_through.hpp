// Generation one token at a time, for the classroom: after each draw the model's own
// next-token distribution (softmax of the logits, temperature 1) and the distribution the
// token was actually drawn from (after the whole processor chain: repetition penalty, grammar,
// music controls, temperature, top-k, top-p, min-p), and the drawn token. Asking what other
// sampling settings would have made of the same step re-runs only the processor chain on the
// stored logits: no forward pass, no draw.
//
// It drives the same DecodingSession as Generator::generate, one candidate, so N steps with
// a seed give the tokens generate() gives with that seed. Single-stream tokenizers only
// (REMI, MIDILike, TSD, Structured, trained BPE/Unigram/WordPiece): a CPWord or Octuple step
// draws several fields, each from its own distribution, which this view does not show.
//
//   StepThrough s(model, tokenizer, prompt, settings);
//   s.step();                       // draws one token
//   s.current().processed[s.current().drawn]   // its probability
//   s.reprocess(hotter)             // the same step at another temperature
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/generate/generator.hpp"

namespace harmonia::generate {

class DecodingSession;

struct StepDistribution {
  int64_t step = -1;   // 0-based among the new tokens; -1 before the first step
  int32_t drawn = -1;  // the id drawn (EOS included); -1 when every token was filtered
  std::vector<double> raw;        // softmax(logits), per model id
  std::vector<double> processed;  // what the draw used, per model id (sums to 1)
};

class StepThrough {
 public:
  // Throws std::invalid_argument for a compound tokenizer. settings.num_candidates is ignored
  // (one candidate).
  StepThrough(std::shared_ptr<model::CausalLM> model, std::shared_ptr<const tokenizer::Tokenizer> tokenizer,
              const std::vector<int32_t>& prompt, GenerationSettings settings);
  ~StepThrough();

  // Draws the next token (the previous one is fed to the model first). False when the piece
  // had already ended (nothing drawn). A draw can end it too: EOS, a length limit.
  bool step();
  // Steps until a token that starts a new bar is drawn, the piece ends or `max_tokens` were
  // drawn; returns how many were drawn.
  int64_t step_bar(int64_t max_tokens = 4096);

  // The last draw's distributions (empty before the first step).
  const StepDistribution& current() const { return current_; }
  // The last draw's processed distribution under other sampling settings, from its stored
  // logits (no forward pass, no draw, nothing changes).
  std::vector<double> reprocess(const SamplingSettings& sampling) const;
  // The next draws use these settings.
  void set_sampling(const SamplingSettings& sampling);
  // The next draws, and reprocess() of the last one, use `settings`' sampling, key and other
  // music controls, and length (DecodingSession::retune): a key picked on a step re-draws that
  // step's processed distribution with the out-of-key pitches at 0, without a forward pass or
  // a draw. The seed stays the piece's.
  void retune(const GenerationSettings& settings);

  // The prompt and every token drawn so far (the last one included, EOS left out).
  const std::vector<int32_t>& sequence() const { return sequence_; }
  size_t prompt_length() const { return prompt_length_; }
  bool finished() const { return finished_; }
  // Why it ended ("eos", "max_bars", "max_new_tokens", ...), "" while running.
  std::string stop_reason() const;
  // Whether the last draw started a new bar.
  bool last_started_bar() const { return last_bar_; }
  int64_t forward_passes() const;
  int64_t draws() const { return draws_; }
  const tokenizer::Tokenizer& tokenizer() const { return *tokenizer_; }

 private:
  std::shared_ptr<model::CausalLM> model_;
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer_;
  std::unique_ptr<DecodingSession> session_;
  std::vector<float> raw_logits_;  // the last draw's logits, for reprocess()
  StepDistribution current_;
  std::vector<int32_t> sequence_;
  size_t prompt_length_ = 0;
  bool pending_ = false;   // a drawn token not yet fed to the model
  bool finished_ = false;
  bool last_bar_ = false;
  int64_t draws_ = 0;
};

}  // namespace harmonia::generate
