// One generation in progress, one token step at a time: everything Generator::generate keeps
// between tokens (histories, KV cache, grammar states, processor chains, seeded samplers, bar
// counts, stop reasons). generate() runs its steps back to back; the step-through view
// (step_through.hpp) pauses between the parts of a step to show the distributions. Both go
// through the same code, so stepping N tokens draws what generate() draws with that seed.
//
// One step is: begin_step() (stops before the token), choose() (each field's logits through
// the processor chain, then a draw per candidate), accept() (length stops, grammar, the
// callbacks), advance() (the forward pass for the chosen tokens).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "core/generate/generator.hpp"

namespace harmonia::generate {

// The distribution a row of processed scores is drawn from (what sample_row draws with):
// softmax of the scores, or all the mass on the best token when `greedy`. All zeros when every
// token was filtered. Probabilities sum to 1 otherwise.
std::vector<double> sampling_distribution(const float* scores, int64_t vocab, bool greedy);
// One draw from softmax(scores) (the best token when `greedy`) with the row's own generator,
// so candidate i's stream does not depend on how many candidates run beside it; -1 when every
// token was filtered. Every sampling loop draws with this (Generator, step-through, infill).
int32_t sample_row(const float* scores, int64_t vocab, std::mt19937_64& rng, bool greedy);

// Called by choose() for each field before the draw: the field's logits as the model gave them
// ([B, V], float, CPU) and as the processor chain left them ([B, V]).
using FieldScoresObserver = std::function<void(size_t field, const torch::Tensor& raw, const torch::Tensor& processed)>;

class DecodingSession {
 public:
  // Runs the prompt's forward pass (prefill). Same arguments as Generator::generate.
  DecodingSession(model::CausalLM& model, const tokenizer::Tokenizer& tokenizer, const std::vector<int32_t>& prompt,
                  const GenerationSettings& settings);
  ~DecodingSession();
  DecodingSession(const DecodingSession&) = delete;
  DecodingSession& operator=(const DecodingSession&) = delete;

  // False when no token is to be drawn (every candidate stopped, max_new_tokens reached,
  // cancelled, out of wall-clock time); the candidates still running get the stop reason.
  bool begin_step(const GenerationCallbacks& callbacks);
  void choose(const FieldScoresObserver& observer = {});
  void accept(const GenerationCallbacks& callbacks);
  // The forward pass for the accepted step; nothing when every candidate has stopped.
  void advance();
  bool all_stopped() const;

  // The step just chosen (valid until the next choose()): candidate b's ids, -1 in each field
  // when it drew EOS or nothing was allowed; whether accept() counted it as starting a new bar.
  const std::vector<int32_t>& chosen(int64_t candidate) const;
  bool started_bar(int64_t candidate) const;
  bool stopped(int64_t candidate) const;
  const std::string& stop_reason(int64_t candidate) const;
  int64_t forward_passes() const;

  // Field `field`'s scores of the step being chosen, run through the chain `sampling` builds
  // (with this session's masks, biases and the step's history), edited in place and returned
  // contiguous: the step-through view's "what would temperature 1.5 do here", without a forward
  // pass and without drawing. Valid between choose() and advance().
  torch::Tensor reprocess(size_t field, torch::Tensor scores, const SamplingSettings& sampling) const;
  // Later steps draw with these settings (the processor chains are rebuilt).
  void set_sampling(const SamplingSettings& sampling);
  // Later steps, and reprocess() of the step being chosen, use `settings`' sampling, music
  // controls (a key picked mid-piece) and length (max/min bars, max new tokens: the history
  // grows when it is raised; a length already passed ends the piece at the next step). The
  // seed, the candidates, the grammar's limits and the wall-clock and music-time limits stay
  // the session's.
  void retune(const GenerationSettings& settings);
  bool greedy() const;

  // Finishes the candidates still running ("max_new_tokens") and trims each at its last note
  // boundary, as generate() returns them.
  GenerationResult result();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace harmonia::generate
