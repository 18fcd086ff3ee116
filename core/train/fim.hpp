// Fill-in-the-middle training (Bavarian et al. 2022, PSM order, applied per window after
// chunking — their "context-level" FIM): a share `rate` of the training windows is cut at two
// bar starts into prefix / middle / suffix and fed as
//     FIM_PRE prefix FIM_SUF suffix FIM_MID middle EOS
// with the loss on every token, so the model learns to write whole bars between given ones
// and to end them with EOS (core/generate/infill.hpp counts the bars and splices them back).
// The other windows stay plain left-to-right text, so continuation keeps being learned.
// The choice is a pure function of (seed, epoch, window content): resuming or re-reading a
// batch gives the same rearrangement, and a window is cut differently each epoch.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "core/tokenizer/fim_tokens.hpp"
#include "core/train/batch_source.hpp"

namespace harmonia::train {

// Where a window was cut: prefix [0, middle_begin), middle [middle_begin, middle_end), suffix
// [middle_end, kept) of the (possibly shortened) window.
struct FimCut {
  size_t middle_begin = 0, middle_end = 0, kept = 0;
};

// One window -> its PSM form, at most max_len tokens. The middle starts at a Bar token and
// ends before the next chosen bar start (or at the end of the window's music, before a final
// EOS, which stays in the suffix). A window too long for the 4 added tokens loses its last
// bar(s) and its final EOS. nullopt when the window has no bar to move.
std::optional<std::vector<int64_t>> fim_rearrange(const std::vector<int64_t>& window, const tokenizer::FimIds& ids,
                                                  size_t max_len, std::mt19937_64& rng, FimCut* cut = nullptr);

struct FimOptions {
  double rate = 0.5;             // share of windows rearranged (each window independently)
  uint64_t seed = 1234;
  int64_t max_len = 256;         // longest row handed on (the model's context)
  tokenizer::FimIds ids;         // of the FIM tokenizer
  std::vector<int32_t> translate;  // data id -> FIM tokenizer id; empty: the data already uses its ids
  int64_t pad_id = 0;            // of the FIM tokenizer
};

// Wraps another source (not owned; single-stream batches): translates its ids into the FIM
// tokenizer's and rearranges a share of rows. rate 0 only translates: the plain validation
// windows of a FIM run. state()/restore()/rewind() are the inner source's.
class FimBatchSource : public BatchSource {
 public:
  FimBatchSource(BatchSource& inner, FimOptions options);

  Batch next() override;
  int64_t batches_per_epoch() const override { return inner_.batches_per_epoch(); }
  nlohmann::json state() const override { return inner_.state(); }
  void restore(const nlohmann::json& state) override { inner_.restore(state); }
  void rewind() override { inner_.rewind(); }

 private:
  BatchSource& inner_;
  FimOptions options_;
};

// A run's sources in FIM form, for the CLI and the studio alike: the tokenizer the model is
// built for and saved with (the data's plus the FIM tokens), the train source rearranging
// `rate` of its windows and the validation source translated only (plain continuation, so
// validation losses compare with a run without FIM). Throws std::invalid_argument saying why
// the data's tokenizer cannot (fim_unsupported_reason) or the rate is out of [0, 1].
struct FimRun {
  std::unique_ptr<tokenizer::Tokenizer> tokenizer;
  std::unique_ptr<FimBatchSource> train, validation;  // validation: null when none was given
};
FimRun make_fim_run(const tokenizer::Tokenizer& data_tokenizer, BatchSource& train, BatchSource* validation,
                    double rate, uint64_t seed, int64_t context);

}  // namespace harmonia::train
