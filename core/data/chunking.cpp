#include "core/data/chunking.hpp"

#include <algorithm>

namespace harmonia::data {

using tokenizer::TokenType;

namespace {

bool scheme_has_bars(const tokenizer::Tokenizer& tok) {
  for (const auto& v : tok.vocabs())
    if (v.has_type(TokenType::Bar)) return true;
  return false;
}

int32_t special_id(const tokenizer::Tokenizer& tok, size_t field, const char* text) {
  const int id = tok.vocab(field).id(text);
  if (id < 0)
    throw DatasetError(std::string("chunking: the tokenizer has no ") + text +
                       " token (add it to special_tokens or turn BOS/EOS off)");
  return id;
}

void validate(const ChunkOptions& o) {
  const size_t extra = o.add_bos_eos ? 2 : 0;
  if (o.max_seq_len < 1 + extra)
    throw DatasetError("chunking: max_seq_len " + std::to_string(o.max_seq_len) + " is too small");
  if (o.stride > o.max_seq_len)
    throw DatasetError("chunking: stride " + std::to_string(o.stride) + " is larger than max_seq_len " +
                       std::to_string(o.max_seq_len) + " (tokens would be skipped)");
  if (o.min_len > o.max_seq_len) throw DatasetError("chunking: min_len is larger than max_seq_len");
}

bool is_note_type(TokenType type) {
  return type == TokenType::Pitch || type == TokenType::PitchDrum || type == TokenType::NoteOn || type == TokenType::DrumOn;
}

// Trained tokenizers: a learned id stands for several base tokens; it starts a bar when one
// of them is a Bar, and holds as many notes as it has note tokens.
std::vector<uint32_t> learned_bar_starts(const tokenizer::Tokenizer& tok, const int32_t* ids, size_t steps) {
  std::vector<uint32_t> out;
  const auto& v = tok.vocab();
  for (size_t s = 0; s < steps; ++s)
    for (int32_t b : tok.subword()->base_ids(ids[s]))
      if (v.valid(b) && v.kind(b).type == TokenType::Bar) {
        out.push_back(uint32_t(s));
        break;
      }
  return out;
}

}  // namespace

std::vector<uint32_t> bar_starts(const tokenizer::Tokenizer& tok, const int32_t* ids, size_t steps) {
  std::vector<uint32_t> out;
  if (!scheme_has_bars(tok)) return out;
  if (tok.is_trained()) return learned_bar_starts(tok, ids, steps);
  const size_t fields = tok.num_fields();
  bool have_bar_number = false;
  int last_bar_number = 0;
  for (size_t s = 0; s < steps; ++s) {
    for (size_t f = 0; f < fields; ++f) {
      const int32_t id = ids[s * fields + f];
      const auto& v = tok.vocab(f);
      if (!v.valid(id)) continue;
      const auto kind = v.kind(id);
      if (kind.type != TokenType::Bar) continue;
      // "Bar_None" marks a new bar (REMI, CPWord); Octuple numbers bars, so a bar starts
      // where the number changes.
      const bool starts = kind.value < 0 || !have_bar_number || kind.value != last_bar_number;
      if (kind.value >= 0) have_bar_number = true, last_bar_number = kind.value;
      if (starts) {
        out.push_back(uint32_t(s));
        break;
      }
    }
  }
  return out;
}

std::vector<Window> chunk_sequence(const SequenceRef& ref, size_t steps, const std::vector<uint32_t>& bars,
                                   const ChunkOptions& options, ChunkStats* stats) {
  validate(options);
  const size_t lead = options.add_bos_eos ? 1 : 0;
  const size_t total = steps + (options.add_bos_eos ? 2 : 0);  // virtual length
  const size_t T = options.max_seq_len;
  const size_t stride = options.stride ? options.stride : T;
  const size_t overlap = T - stride;
  std::vector<size_t> vbars;  // bar starts in the virtual sequence
  if (options.cut_at_bars)
    for (uint32_t b : bars) vbars.push_back(b + lead);

  std::vector<Window> out;
  size_t pos = 0;
  while (pos < total) {
    size_t end = std::min(pos + T, total);
    if (end < total && !vbars.empty()) {
      // The last bar start that keeps the window at least half full.
      auto it = std::lower_bound(vbars.begin(), vbars.end(), end);  // first bar >= end
      if (it != vbars.begin()) {
        const size_t b = *std::prev(it);
        if (b > pos + T / 2) end = b;
      }
    }
    if (end - pos >= std::max<size_t>(1, options.min_len)) out.push_back({ref, uint32_t(pos), uint32_t(end)});
    else if (stats) ++stats->dropped_short;
    if (end == total) break;
    size_t next = end > overlap ? end - overlap : 0;
    if (overlap > 0 && !vbars.empty()) {
      auto it = std::lower_bound(vbars.begin(), vbars.end(), next);  // first bar at or after `next`
      if (it != vbars.end() && *it < end) next = *it;
    }
    pos = std::max(next, pos + 1);
  }
  return out;
}

size_t count_notes(const tokenizer::Tokenizer& tok, const int32_t* ids, size_t begin, size_t end) {
  const size_t fields = tok.num_fields();
  size_t notes = 0;
  if (tok.is_trained()) {
    for (size_t s = begin; s < end; ++s)
      for (int32_t b : tok.subword()->base_ids(ids[s]))
        notes += tok.vocab().valid(b) && is_note_type(tok.vocab().kind(b).type);
    return notes;
  }
  for (size_t s = begin; s < end; ++s)
    for (size_t f = 0; f < fields; ++f) {
      const auto& v = tok.vocab(f);
      const int32_t id = ids[s * fields + f];
      if (!v.valid(id)) continue;
      const auto type = v.kind(id).type;
      if (type == TokenType::Pitch || type == TokenType::PitchDrum || type == TokenType::NoteOn ||
          type == TokenType::DrumOn) {
        ++notes;
        break;
      }
    }
  return notes;
}

std::vector<Window> chunk_files(const TokenDataset& dataset, const std::vector<size_t>& files,
                                const ChunkOptions& options, ChunkStats* stats) {
  validate(options);
  if (options.add_bos_eos) {
    special_id(dataset.tokenizer(), 0, "BOS_None");
    special_id(dataset.tokenizer(), 0, "EOS_None");
  }
  std::vector<Window> out;
  for (const auto& ref : dataset.sequences_of(files)) {
    const auto& seq = dataset.sequence(ref);
    std::vector<uint32_t> bars;
    if (options.cut_at_bars) bars = bar_starts(dataset.tokenizer(), dataset.ids(seq), seq.steps);
    auto w = chunk_sequence(ref, seq.steps, bars, options, stats);
    const size_t lead = options.add_bos_eos ? 1 : 0;
    for (const auto& window : w) {
      if (options.min_notes > 0) {
        // Window positions count the virtual BOS; clamp them to the stored steps.
        const size_t begin = window.begin > lead ? window.begin - lead : 0;
        const size_t end = std::min<size_t>(seq.steps, window.end > lead ? window.end - lead : 0);
        if (count_notes(dataset.tokenizer(), dataset.ids(seq), begin, std::max(begin, end)) < options.min_notes) {
          if (stats) ++stats->dropped_few_notes;
          continue;
        }
      }
      out.push_back(window);
      if (stats) ++stats->windows;
    }
  }
  return out;
}

std::vector<int32_t> window_ids(const TokenDataset& dataset, const Window& window, const ChunkOptions& options) {
  const auto& tok = dataset.tokenizer();
  const size_t F = dataset.fields();
  const auto& seq = dataset.sequence(window.ref);
  const int32_t* ids = dataset.ids(seq);
  const size_t lead = options.add_bos_eos ? 1 : 0;
  const size_t total = seq.steps + (options.add_bos_eos ? 2 : 0);
  if (window.end > total || window.begin >= window.end) throw DatasetError("window outside its sequence");
  std::vector<int32_t> out;
  out.reserve(window.length() * F);
  for (size_t p = window.begin; p < window.end; ++p) {
    if (options.add_bos_eos && (p == 0 || p + 1 == total)) {
      const char* text = p == 0 ? "BOS_None" : "EOS_None";
      for (size_t f = 0; f < F; ++f) out.push_back(special_id(tok, f, text));
    } else {
      const int32_t* step = ids + (p - lead) * F;
      out.insert(out.end(), step, step + F);
    }
  }
  return out;
}

}  // namespace harmonia::data
