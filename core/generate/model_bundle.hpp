// Finding what generation needs on disk. Convention (docs/generation.md):
//   MODEL_DIR/config.json + MODEL_DIR/model.safetensors     the model (transformers layout)
//   MODEL_DIR/tokenizer.json, or MODEL_DIR/../tokenizer.json the MidiTok tokenizer
//   (a training checkpoint's RUN/checkpoints/NAME/model uses RUN/tokenizer.json, and
//   RUN/model's music defaults when it has none of its own)
// A run directory that holds the model in RUN/model/ (tokenizer in RUN/) is accepted too:
// the newest of RUN/model, RUN/final, RUN/checkpoint-* with a config.json is used.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>

#include "core/generate/music_defaults.hpp"
#include "core/model/causal_lm.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::generate {

class ModelBundleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ModelPaths {
  std::filesystem::path model_dir;
  std::filesystem::path tokenizer_json;
};

// Throws ModelBundleError saying what is missing where. "starter" (when no such folder is in
// the working directory) is the shipped starter model, see starter_model_dir().
ModelPaths locate_model(const std::filesystem::path& run_or_model_dir);

// The starter model trained on POP909 (resources/models/pop909-starter): $HARMONIA_STARTER_MODEL,
// then ./resources/models/..., then next to the executable (installed, or build/bin in the
// source tree). Throws ModelBundleError listing where it looked.
std::filesystem::path starter_model_dir();

struct ModelBundle {
  ModelPaths paths;
  std::shared_ptr<model::CausalLM> model;
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer;
  MusicDefaults music;  // from MODEL_DIR/harmonia_music.json when the run recorded it, else unknown (0)
};

ModelBundle load_bundle(const std::filesystem::path& run_or_model_dir, const model::LoadOptions& options = {});

// Writes a model and its tokenizer in the layout above (tests, demos).
void save_bundle(const model::CausalLM& model, const tokenizer::Tokenizer& tok, const std::filesystem::path& model_dir);

}  // namespace harmonia::generate
