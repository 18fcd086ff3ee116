// The Qt-free bridge between the Generate page's step-through panel and core/generate's
// StepThrough: one token at a time, with the next-token distribution before and after the
// sampling processors as plain vectors. No Qt or torch header here; every call runs on the
// panel's one worker thread (the session is not thread-safe), never on the GUI thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/midi/score.hpp"
#include "ui/bridge/generation_backend.hpp"
#include "ui/bridge/token_note_links.hpp"

namespace harmonia::generate {
class StepThrough;
}

namespace harmonia::ui {

// One bar pair of the chart: a candidate token and its probability before and after the chain.
struct StepCandidate {
  int32_t id = 0;
  std::string token;  // its string (a learned token: its base tokens joined by " · ")
  double raw = 0;        // softmax of the logits
  double processed = 0;  // what the draw used
  bool drawn = false;
};

// A drawn token as the chips show it.
struct SteppedToken {
  std::string text;                // "Pitch_60"; a learned token's base tokens joined by " · "
  std::vector<std::string> parts;  // a learned token's base tokens (empty for a base token)
  std::vector<NoteRef> notes;      // its notes in StepThroughState::score (empty when not linked)
};

struct StepThroughState {
  int64_t step = -1;           // index of the last draw among the new tokens (-1: none yet)
  std::string drawn;           // its token string
  double drawn_raw = 0, drawn_processed = 0;
  std::vector<StepCandidate> candidates;  // the chart: top candidates, the drawn one always in
  std::vector<double> processed;          // the whole distribution the chart's bars come from
  std::vector<SteppedToken> tokens;       // the new tokens so far
  midi::Score score;                      // prompt + new tokens, decoded (for the piano roll)
  midi::Tick prompt_end = 0;
  bool finished = false;
  std::string stop_reason;  // "" while running
  int64_t forward_passes = 0, draws = 0;
};

class StepThroughSession {
 public:
  // Loads the model (the Generate page's cached bundle) and starts from spec.prompt with
  // spec.sampling (one candidate). Throws std::runtime_error with a message for the user
  // (no model, a compound tokenizer, a bad length).
  explicit StepThroughSession(const GenerationSpec& spec, int top_n = 12);
  ~StepThroughSession();

  // `link_notes`: whether the chips get their notes (a few decodes per token; Run leaves it to
  // its last update).
  StepThroughState step(bool link_notes = true);
  StepThroughState step_bar(bool link_notes = true);
  // The current step's chart under other sampling settings (the sliders, the key, the
  // length), from its stored logits (no forward pass, no draw): a state with the chart, the
  // counters and `finished` filled, no tokens or score. Later draws use these settings too;
  // the seed stays the piece's.
  StepThroughState resample(const SamplingSettings& sampling);
  StepThroughState state(bool link_notes) const;

 private:
  std::vector<StepCandidate> chart(const std::vector<double>& raw, const std::vector<double>& processed) const;
  std::string token_text(int32_t id) const;

  struct Loaded;
  std::unique_ptr<Loaded> loaded_;
  std::unique_ptr<generate::StepThrough> stepper_;
  int top_n_;
};

}  // namespace harmonia::ui
