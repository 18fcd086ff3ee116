// `tokenizer.train` for a whole corpus: MIDI files are read and cut into words in parallel
// (one thread per core), the words counted, then the BPE / Unigram / WordPiece model is
// trained on them (subword_training.hpp). Bad files are skipped and reported.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/tokenizer/subword_training.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::tokenizer {

struct TokenizerTrainingOptions {
  SubwordKind kind = SubwordKind::BPE;
  size_t vocab_size = 1000;  // learned vocabulary, special tokens and alphabet included
  unsigned threads = 0;      // 0: all cores
  // (stage, done, total): "reading" per file, then the trainer's stages. Any thread.
  std::function<void(const std::string&, size_t, size_t)> progress;
  const std::atomic<bool>* cancel = nullptr;  // checked between files and merges
};

struct TokenizerTrainingStats {
  size_t files = 0, failed = 0;
  size_t base_tokens = 0, distinct_words = 0;
  double read_seconds = 0, train_seconds = 0;
  std::vector<std::string> errors;  // "path: reason", first 20
};

// A new trained tokenizer with `base`'s scheme and config (a trained `base` is retrained
// from its base vocabulary). Throws TokenizerError for a vocabulary not larger than the base
// one, a compound scheme, no readable file, or a cancel.
std::unique_ptr<Tokenizer> train_tokenizer(const Tokenizer& base, const std::vector<std::string>& midi_files,
                                           const TokenizerTrainingOptions& options, TokenizerTrainingStats* stats = nullptr);

}  // namespace harmonia::tokenizer
