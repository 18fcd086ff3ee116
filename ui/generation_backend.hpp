// The Qt-free bridge between the Generate page and core/generate. It includes no Qt header
// (LibTorch and Qt's keyword macros cannot share a translation unit), exposes plain structs
// and std::function callbacks, and runs on whatever worker thread calls it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/midi/score.hpp"

namespace harmonia::ui {

struct SamplingSettings {
  double temperature = 0.9;  // the original Harmonia-LM's defaults
  int top_k = 20;
  double top_p = 0.95;
  double repetition_penalty = 1.05;
  int max_new_tokens = 256;
  uint64_t seed = 0;
  std::string key;  // "" = any, else e.g. "C:major"
  int candidates = 1;
};

struct GenerationSpec {
  std::string model_dir;  // a training run folder or a model folder
  SamplingSettings sampling;
  midi::Score prompt;  // may be empty
};

// One note as it appears, for the live piano roll.
struct StreamedNote {
  int candidate = 0;
  int track = 0;
  midi::Note note;
};

// True when this build has a sampler to call.
bool generation_available();
// Why not, in words for the user (empty when available).
std::string generation_unavailable_reason();
// Generates spec.sampling.candidates continuations of the prompt; each result holds the
// prompt followed by the new notes. Calls `on_note` for notes as they are decoded and stops
// within one token once `cancel` is set. Throws std::runtime_error with a message for the user.
std::vector<midi::Score> run_generation(const GenerationSpec& spec, const std::function<void(const StreamedNote&)>& on_note,
                                        const std::atomic<bool>& cancel);

}  // namespace harmonia::ui
