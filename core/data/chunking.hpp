// Cutting token sequences into windows that fit the model's context (the "intelligent
// chunking"). Each sequence is seen as [BOS] ids... [EOS]; windows of at most max_seq_len
// steps are taken every `stride` steps (stride < max_seq_len gives overlap). Where the
// scheme has bars (REMI, CPWord, Octuple) a window ends at the last bar start that keeps it
// at least half full and the next one starts on a bar, as MidiTok's
// split_files_for_training prefers. Windows shorter than min_len are dropped; shorter
// windows that are kept are padded (and masked) at batching time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/data/token_dataset.hpp"

namespace harmonia::data {

struct ChunkOptions {
  size_t max_seq_len = 256;
  size_t stride = 0;         // 0: max_seq_len (no overlap)
  size_t min_len = 32;       // shorter windows are dropped
  bool add_bos_eos = true;
  bool cut_at_bars = true;   // ignored for schemes without bars
  // Windows with fewer notes than this (steps holding a Pitch, PitchDrum, NoteOn or DrumOn
  // token) are dropped: a window of rests teaches silence. 0 keeps every window.
  size_t min_notes = 0;
};

// What chunk_files kept and dropped, for the run's log and the dataset statistics.
struct ChunkStats {
  size_t windows = 0;                 // kept
  size_t dropped_short = 0;           // shorter than min_len
  size_t dropped_few_notes = 0;       // fewer than min_notes notes
};

// A window over the virtual sequence [BOS?] ids [EOS?]: positions [begin, end).
struct Window {
  SequenceRef ref;
  uint32_t begin = 0;
  uint32_t end = 0;
  size_t length() const { return end - begin; }
};

// Step indices (into the sequence's ids, without BOS) at which a bar starts, sorted.
// Empty for schemes without bar tokens.
std::vector<uint32_t> bar_starts(const tokenizer::Tokenizer& tok, const int32_t* ids, size_t steps);

// Windows of one sequence of `steps` steps; `bars` from bar_starts() (may be empty).
std::vector<Window> chunk_sequence(const SequenceRef& ref, size_t steps, const std::vector<uint32_t>& bars,
                                   const ChunkOptions& options, ChunkStats* stats = nullptr);

// Windows of every sequence of the given files, in file order. Throws DatasetError on
// invalid options (max_seq_len < 2 with BOS/EOS, stride > max_seq_len, ...).
std::vector<Window> chunk_files(const TokenDataset& dataset, const std::vector<size_t>& files,
                                const ChunkOptions& options, ChunkStats* stats = nullptr);

// Notes started in steps [begin, end) of `ids` (steps * fields values).
size_t count_notes(const tokenizer::Tokenizer& tok, const int32_t* ids, size_t begin, size_t end);

// The ids of a window, BOS/EOS included, steps * fields values, step-major.
std::vector<int32_t> window_ids(const TokenDataset& dataset, const Window& window, const ChunkOptions& options);

}  // namespace harmonia::data
