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

namespace harmonia::generate {
struct GenerationSettings;  // core/generate/generator.hpp: torch side only
struct MusicDefaults;       // core/generate/music_defaults.hpp
struct ModelBundle;         // core/generate/model_bundle.hpp
}

namespace harmonia::ui {

// The page's controls. The defaults are generate::piece_settings()'s sampling (issue 15: a
// repetition penalty pushes a small model towards rests, and music repeats on purpose);
// tests/ui checks that the default page state gives exactly piece_settings(24, seed).
struct SamplingSettings {
  double temperature = 1.0;
  int top_k = 0;  // 0 = off
  double top_p = 0.95;
  double repetition_penalty = 1.0;
  int bars = 24;           // length of the piece: new bars after the prompt (1..256)
  int max_new_tokens = 0;  // an advanced cap on new tokens; 0 = the piece's own (400 a bar + 256)
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

// What run_generation samples with: generate::piece_settings(bars, seed, learned) -- a length
// in bars (EOS allowed after two thirds of them), at most 170 s of music, at most one empty bar
// in a row, and the corpus' usual number of instruments when the model recorded it
// (`learned`: the bundle's harmonia_music.json) -- then the page's sampling sliders, key,
// candidates and token cap. Throws std::invalid_argument for a length under one bar. Torch
// side only: callers include core/generate/generator.hpp and music_defaults.hpp.
generate::GenerationSettings generation_settings(const SamplingSettings& settings,
                                                 const generate::MusicDefaults& learned);

// The model bundle in `dir`, loaded once and kept while its files are unchanged (the page's
// generations and the step-through panel share it). Torch side only, like generation_settings.
generate::ModelBundle load_model_cached(const std::string& dir);

// The starter model shipped with the studio (resources/models/pop909-starter, trained on
// POP909), as generate::starter_model_dir() finds it: $HARMONIA_STARTER_MODEL, the working
// directory's resources/, then next to the executable. `dir` is absolute so that a later
// change of working directory cannot lose it; when none is found `dir` is empty and `why_not`
// lists every place looked in, for the user.
struct StarterModel {
  std::string dir;
  std::string why_not;
};
StarterModel find_starter_model();

// "" when `dir` holds a model Generate can load (a model folder with config.json and
// model.safetensors and a tokenizer.json beside it or in its run folder, or a run folder with
// model/), as generate::locate_model finds it; otherwise what is missing, naming the folder.
std::string model_folder_problem(const std::string& dir);

// True when this build has a sampler to call.
bool generation_available();
// Why not, in words for the user (empty when available).
std::string generation_unavailable_reason();
// Generates spec.sampling.candidates continuations of the prompt; each result holds the
// prompt followed by the new notes (and, when neither gives a tempo, the training data's
// usual tempo, as `harmonia generate` does). Calls `on_note` for notes as they are decoded and stops
// within one token once `cancel` is set. Throws std::runtime_error with a message for the user.
std::vector<midi::Score> run_generation(const GenerationSpec& spec, const std::function<void(const StreamedNote&)>& on_note,
                                        const std::atomic<bool>& cancel);

}  // namespace harmonia::ui
