// The sampling loop: N candidates in one batched forward with the KV cache, the processor
// chain, grammar and music-theory masks, a seeded sampler per candidate, and the stops
// (EOS, max new tokens, max bars, max seconds, cancel). GUI-friendly: a per-token callback
// (the piano roll fills live), a progress callback, and an atomic cancel flag checked before
// every token.
//
//   harmonia::generate::Generator gen(model, tokenizer);
//   GenerationSettings s;  s.num_candidates = 4;  s.seed = 7;
//   auto result = gen.generate(prompt_ids, s, {on_token, on_progress, &cancel});
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/generate/logits_processors.hpp"
#include "core/generate/music_controls.hpp"
#include "core/model/causal_lm.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::generate {

struct GenerationSettings {
  SamplingSettings sampling;    // temperature <= 0 means greedy
  int64_t max_new_tokens = 512;
  int64_t min_new_tokens = 0;   // EOS is suppressed before this many new tokens (HF's MinNewTokensLength)
  int64_t max_bars = 0;         // stop before the (max_bars+1)-th new Bar token; 0 = no limit
  int64_t min_bars = 0;         // EOS is suppressed until this many new bars have started
  // Length in music time: stop before a new bar once the candidate's music (prompt included)
  // lasts this many seconds, by its own tempo map; 0 = no limit.
  double max_music_seconds = 0;
  // At most this many bars without a note in a row (REMI-style bar schemes; -1 = no limit).
  // On by default: sampling a small model otherwise drifts into minutes of empty bars.
  int max_empty_bars = 1;
  // At most this many distinct programs (instruments) per piece, prompt included, where the
  // tokens carry programs; 0 = no limit.
  int max_programs = 0;
  // REMI: at most this many whole beats in a row with nothing sounding (-1 = no limit).
  int max_empty_beats = -1;
  int max_onset_notes = 0;  // REMI: most notes starting at one position (0 = no limit)
  bool keep_time_signature = false;  // REMI: no TimeSig other than the piece's first
  double max_seconds = 0;       // wall-clock limit; 0 = none
  uint64_t seed = 0;
  int num_candidates = 1;
  bool grammar = true;          // constrained decoding (every scheme, compound ones field by field)
  MusicControls controls;
};

struct TokenEvent {
  int candidate = 0;
  int32_t id = 0;
  int64_t step = 0;  // 0-based index among the new tokens
  std::vector<int32_t> fields;  // compound models: the step's id per field (id == fields[0]); else empty
};

struct GenerationCallbacks {
  std::function<void(const TokenEvent&)> on_token;
  std::function<void(double fraction)> on_progress;  // new tokens / max_new_tokens, once per step
  const std::atomic<bool>* cancel = nullptr;         // set from any thread; honoured before the next token
};

struct GenerationResult {
  // Per candidate: prompt + new tokens. Compound models: flat, `fields` ids per step
  // (ids[step * fields + field]), as tokenizer::TokSequence stores them.
  std::vector<std::vector<int32_t>> sequences;
  size_t prompt_length = 0;     // ids
  size_t fields = 1;
  // "eos", "max_new_tokens", "max_bars", "max_music_seconds", "max_seconds", "cancelled"
  std::vector<std::string> stop_reasons;
  bool cancelled = false;
  int64_t steps = 0;        // forward steps taken
  int64_t new_tokens = 0;   // summed over candidates (after trimming); compound: steps
  double seconds = 0;
};

class Generator {
 public:
  Generator(std::shared_ptr<model::CausalLM> model, std::shared_ptr<const tokenizer::Tokenizer> tokenizer);

  // Continues `prompt` (ids of vocab(0); compound: flat, num_fields() ids per step; empty =
  // from scratch, the model is fed BOS when the vocabulary has one). Compound models (CPWord,
  // Octuple) sample each field from its own head with the same processor chain, field by
  // field, under CompoundGrammar. Past the model's context the window slides, keeping the
  // prompt's first quarter-window of tokens as the head (see docs/generation.md).
  GenerationResult generate(const std::vector<int32_t>& prompt, const GenerationSettings& settings,
                            const GenerationCallbacks& callbacks = {}) const;

  const tokenizer::Tokenizer& tokenizer() const { return *tokenizer_; }
  model::CausalLM& model() const { return *model_; }

 private:
  std::shared_ptr<model::CausalLM> model_;
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer_;
};

}  // namespace harmonia::generate
