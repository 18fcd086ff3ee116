// The Qt-free bridge between the "Inside the model" page and core/model's inspection tools:
// a model's attention over one piece (core/model/attention_maps.hpp) and its token embeddings
// projected to 2-D (core/model/embedding_projection.hpp). Like the other *_backend files it
// includes no Qt header, returns plain structs and runs on whatever worker thread calls it.
// It only reads model folders from disk (a run's saved model or checkpoint), never a live
// trainer's tensors, so it works while training runs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/midi/score.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::ui {

struct AttentionRequest {
  std::string model_dir;  // a run folder or a model folder (generate::locate_model)
  midi::Score score;      // the music to read; tokenized with the model's tokenizer
  int max_tokens = 128;   // the first this many tokens (and at most the model's positions)
};

struct AttentionResult {
  std::string error;        // for the user; "" when it worked
  std::string unavailable;  // e.g. "no attention (state-space model): ..."; "" when probs holds it
  std::string model_type;   // "gpt2", "gpt_neo", "llama", "qwen3", "gpt_neox", "mamba"
  int layers = 0, heads = 0, kv_heads = 0, length = 0;
  std::vector<int64_t> window;  // per layer: keys a query sees (0 = all before it)
  std::vector<float> probs;     // [layers][heads][length][length], row-major
  int total_tokens = 0;         // the piece's tokens before the cut to `length`
  int max_positions = 0;        // the model's longest sequence (0 = no limit)
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer;
  tokenizer::TokSequence tokens;  // the `length` steps the model read (model ids)
  midi::Score score;              // the score those tokens came from (tracks merged as for a prompt)

  float at(int layer, int head, int query, int key) const {
    return probs[((size_t(layer) * size_t(heads) + size_t(head)) * size_t(length) + size_t(query)) * size_t(length) +
                 size_t(key)];
  }
};

// Loads the model (kept while its file is unchanged) and runs it once over the piece's first
// tokens. Never throws: problems come back in `error`.
AttentionResult inspect_attention(const AttentionRequest& request);

struct EmbeddingMapRequest {
  std::string model_dir;
  // The same architecture and size freshly initialised (seeded), as before any training: what
  // the trained map is compared with.
  bool untrained = false;
  uint64_t seed = 0;
};

struct EmbeddingPoint {
  double x = 0, y = 0;
  int field = 0;      // compound models: which field's table
  int id = 0;         // the model id in that table
  std::string token;  // "Pitch_60"; a learned token's base tokens joined with " · "
};

struct EmbeddingMapResult {
  std::string error;
  std::string model_type;
  int vocab = 0, hidden = 0;
  double explained[2] = {0, 0};  // share of the variance along each axis
  std::vector<EmbeddingPoint> points;
};

// The model's input embeddings (every field's for a compound model, as one cloud) projected
// on their two principal axes. Never throws: problems come back in `error`.
EmbeddingMapResult embedding_map(const EmbeddingMapRequest& request);

}  // namespace harmonia::ui
