// Training the learned model of a MidiTok tokenizer from words of base characters, with the
// rules of Hugging Face tokenizers 0.23's trainers (as MidiTok 3.0.6 configures them):
// BPE gives the same merges and ids as BpeTrainer, WordPiece the same vocabulary as
// WordPieceTrainer (which is BpeTrainer underneath), Unigram the same algorithm as
// UnigramTrainer (seed pieces, EM, pruning) — its result is not bit-exact even in tokenizers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/tokenizer/subword_model.hpp"

namespace harmonia::tokenizer {

class Tokenizer;

// Each distinct word with how often it occurs (after the Metaspace "▁" when it is used).
using WordCounts = std::unordered_map<std::u32string, uint64_t>;

struct SubwordTrainOptions {
  SubwordKind kind = SubwordKind::BPE;
  size_t vocab_size = 1000;
  std::vector<std::u32string> special_tokens;  // first ids, in order
  std::vector<char32_t> initial_alphabet;      // always in the vocabulary
  bool metaspace = true;                       // words carry the "▁" prefix
  // BPE/WordPiece: MidiTok passes "" when splitting per bar/beat, nothing otherwise.
  std::optional<std::string> continuing_prefix, end_suffix;
  size_t wordpiece_max_chars = 400;  // MidiTok's WORDPIECE_MAX_INPUT_CHARS_PER_WORD_BAR
  std::u32string wordpiece_unk;      // MidiTok: the PAD token's character
  size_t unigram_max_piece_length = 16;
  // Progress: (stage, done, total); called from the training thread.
  std::function<void(const std::string&, size_t, size_t)> progress;
  // Set to stop: training throws TokenizerError("training cancelled") at its next step.
  const std::atomic<bool>* cancel = nullptr;
};

SubwordModel train_bpe(const WordCounts& words, const SubwordTrainOptions& options);
SubwordModel train_wordpiece(const WordCounts& words, const SubwordTrainOptions& options);
SubwordModel train_unigram(const WordCounts& words, const SubwordTrainOptions& options);

// What MidiTok's tokenizer.train does around the trainer for a tokenizer: special tokens as
// characters, the alphabet of every base token, Metaspace when splitting, "" prefixes.
SubwordTrainOptions miditok_train_options(const Tokenizer& base, SubwordKind kind, size_t vocab_size);
// Counts the words of many pieces of text (one call per file's training_words()).
void add_words(WordCounts& counts, const std::vector<std::u32string>& words, bool metaspace);

}  // namespace harmonia::tokenizer
