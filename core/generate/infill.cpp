#include "core/generate/infill.hpp"

#include "core/generate/add_part.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <random>

#include "core/generate/decoding_session.hpp"
#include "core/generate/generation_output.hpp"
#include "core/generate/grammar_constraint.hpp"
#include "core/generate/prompt.hpp"
#include "core/tokenizer/fim_tokens.hpp"

namespace harmonia::generate {

using tokenizer::TokenType;

namespace {

// What one candidate has written so far and what the rules need to know about it.
struct Row {
  std::vector<int32_t> middle;
  int64_t bars = 0;           // Bars written
  int32_t forced_next = -1;   // a TimeSig owed right after a Bar
  bool active = true, forced_end = false;
  std::string stop;
};

}  // namespace

std::vector<size_t> bar_positions(const tokenizer::Tokenizer& tok, const std::vector<int32_t>& ids) {
  const int32_t bar = tok.vocab().id(TokenType::Bar, -1);
  std::vector<size_t> out;
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] == bar) out.push_back(i);
  return out;
}

void check_infill_tokenizer(const tokenizer::Tokenizer& tok) {
  const std::string why = tokenizer::fim_unsupported_reason(tok);
  if (!why.empty()) throw InfillError("cannot fill bars: " + why);
  if (!tokenizer::fim_ids(tok))
    throw InfillError("the model was not trained to fill in the middle (its tokenizer has no FIM_PRE/FIM_SUF/FIM_MID "
                      "tokens): train one with `harmonia train --fim-rate 0.5 ...`");
}

void check_infill_model(const model::CausalLM& model, const tokenizer::Tokenizer& tok) {
  check_infill_tokenizer(tok);
  if (model.config().compound.enabled()) throw InfillError("cannot fill bars with a compound-token model");
  if (size_t(model.config().vocab_size) < tok.model_vocab_size())
    throw InfillError("the model's vocabulary (" + std::to_string(model.config().vocab_size) +
                      ") is smaller than its tokenizer's (" + std::to_string(tok.model_vocab_size()) + ")");
}

InfillResult infill_tokens(model::CausalLM& model, const tokenizer::Tokenizer& tok, const std::vector<int32_t>& ids,
                           int64_t first_bar, int64_t bars, const InfillSettings& settings) {
  const auto start = std::chrono::steady_clock::now();
  check_infill_model(model, tok);
  const auto fim = *tokenizer::fim_ids(tok);
  const auto& vocab = tok.vocab();
  const auto bar_at = bar_positions(tok, ids);
  const int64_t piece_bars = int64_t(bar_at.size());
  if (bars < 1) throw InfillError("ask for at least one bar to fill");
  if (first_bar < 0 || first_bar + bars > piece_bars)
    throw InfillError("bars " + std::to_string(first_bar + 1) + "-" + std::to_string(first_bar + bars) +
                      " are outside the piece, which has " + std::to_string(piece_bars) + " bar" +
                      (piece_bars == 1 ? "" : "s"));
  InfillResult result;
  result.piece_bars = piece_bars;
  result.middle_begin = bar_at[size_t(first_bar)];
  result.middle_end = first_bar + bars < piece_bars ? bar_at[size_t(first_bar + bars)] : ids.size();
  const size_t mid_begin = result.middle_begin, mid_end = result.middle_end;

  // Each replaced bar's own time signature (MidiTok's REMI writes a TimeSig after every Bar).
  std::vector<int32_t> bar_time_signature(size_t(bars), -1);
  for (int64_t k = 0; k < bars; ++k) {
    const size_t p = bar_at[size_t(first_bar + k)] + 1;
    if (p < ids.size() && vocab.valid(ids[p]) && vocab.kind(ids[p]).type == TokenType::TimeSig)
      bar_time_signature[size_t(k)] = ids[p];
  }
  const bool has_time_signatures = vocab.has_type(TokenType::TimeSig);

  // Budget: the middle gets room for 1.25x the original bars' tokens, at most 3/4 of the
  // context so that a quarter at least shows the music around the gap (prefix and suffix
  // share it, nearest bars first).
  const int64_t context = model.config().max_position_embeddings > 0 ? model.config().max_position_embeddings : (1 << 20);
  const int64_t original = int64_t(mid_end - mid_begin);
  int64_t budget = std::min<int64_t>(bars * std::max<int64_t>(8, settings.max_tokens_per_bar),
                                     original + original / 4 + 8 * bars);
  budget = std::min<int64_t>(budget, context * 3 / 4);
  const int64_t need_min = bars * (has_time_signatures ? 2 : 1) + 6;
  if (budget < need_min)
    throw InfillError("the model's context (" + std::to_string(context) + " tokens) is too short to fill " +
                      std::to_string(bars) + " bars");
  const int64_t room = context - budget - 3;  // FIM_PRE, FIM_SUF, FIM_MID
  const int32_t bos = vocab.id("BOS_None");
  auto prefix_start = [&](int64_t r) {  // earliest bar start whose prefix fits in r tokens
    size_t s = mid_begin;
    for (int64_t k = first_bar; k >= 0; --k) {
      const size_t cand = bar_at[size_t(k)];
      const int64_t len = int64_t(mid_begin - cand) + (k == 0 && bar_at[0] == 0 && bos >= 0 ? 1 : 0);
      if (len > r) break;
      s = cand;
    }
    if (first_bar == 0 || (s == bar_at[0])) {  // the piece's start: whatever comes before bar 1 too
      const int64_t len = int64_t(mid_begin) + (bos >= 0 ? 1 : 0);
      if (len <= r) s = 0;
    }
    return s;
  };
  auto suffix_end = [&](int64_t r) {  // latest bar start (or the end) whose suffix fits in r tokens
    size_t e = mid_end;
    if (int64_t(ids.size() - mid_end) + 1 <= r) return ids.size();
    for (int64_t k = first_bar + bars; k < piece_bars; ++k) {
      if (int64_t(bar_at[size_t(k)] - mid_end) > r) break;
      e = bar_at[size_t(k)];
    }
    return e;
  };
  size_t p_begin = prefix_start(room / 2);
  const size_t s_end = suffix_end(room - int64_t(mid_begin - p_begin) - (p_begin == 0 ? 1 : 0));
  p_begin = prefix_start(room - int64_t(s_end - mid_end) - (s_end == ids.size() ? 1 : 0));

  std::vector<int32_t> prompt{fim.prefix};
  if (p_begin == 0 && bos >= 0) prompt.push_back(bos);
  prompt.insert(prompt.end(), ids.begin() + long(p_begin), ids.begin() + long(mid_begin));
  prompt.push_back(fim.suffix);
  prompt.insert(prompt.end(), ids.begin() + long(mid_end), ids.begin() + long(s_end));
  if (s_end == ids.size()) prompt.push_back(fim.end);
  prompt.push_back(fim.middle);
  result.prompt_tokens = prompt.size();

  // The sampling machinery: grammar per candidate (following the prefix, where the middle
  // continues), the recipe's processor chain with the rules' mask, a seeded sampler each.
  c10::InferenceMode inference;
  model.eval();
  const int64_t B = std::max(1, settings.num_candidates);
  const int64_t V = model.config().vocab_size;
  const int64_t Vt = int64_t(vocab.size());
  GrammarOptions grammar_options;
  grammar_options.max_empty_bars = settings.max_empty_bars;
  grammar_options.max_empty_beats = settings.max_empty_beats;
  grammar_options.max_onset_notes = settings.max_onset_notes;
  GrammarConstraint base_grammar(tok, grammar_options);
  for (size_t i = p_begin; i < mid_begin; ++i) base_grammar.accept(ids[i]);
  std::vector<GrammarConstraint> grammar(size_t(B), base_grammar);
  std::vector<Row> rows(static_cast<size_t>(B));
  std::vector<std::mt19937_64> rngs;
  for (int64_t b = 0; b < B; ++b) rngs.emplace_back(settings.seed * 0x9E3779B97F4A7C15ull + uint64_t(b));

  const bool greedy = settings.sampling.temperature <= 0;
  SamplingSettings sampling = settings.sampling;
  if (greedy) sampling.temperature = 1.0f;
  std::vector<int> types(size_t(V), int(TokenType::Special));
  for (int64_t id = 0; id < std::min(V, Vt); ++id) types[size_t(id)] = int(vocab.kind(int(id)).type);
  torch::Tensor forbidden = torch::zeros({B, V}, torch::kBool);
  std::vector<std::unique_ptr<LogitsProcessor>> extra;
  extra.push_back(std::make_unique<ForbiddenMask>(forbidden, "infill"));
  const ProcessorChain chain = build_chain(sampling, std::move(extra), types);

  const int64_t P = int64_t(prompt.size());
  torch::Tensor history = torch::empty({B, P + budget + 1}, torch::kLong);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < P; ++t) history[b][t] = prompt[size_t(t)];
  int64_t length = P;
  const auto device = model.device();
  model::KVCache cache = model.make_cache();
  torch::Tensor logits = model.forward(history.narrow(1, 0, P).to(device), {}, &cache).select(1, -1);

  std::vector<uint8_t> allowed;
  int64_t active = B;
  for (int64_t step = 0; step < budget && active > 0; ++step) {
    if (settings.cancel && settings.cancel->load()) {
      result.cancelled = true;
      break;
    }
    const int64_t left = budget - step;  // tokens this candidate may still write, this one included
    bool* mask = forbidden.data_ptr<bool>();
    for (int64_t b = 0; b < B; ++b) {
      Row& row = rows[size_t(b)];
      bool* out = mask + b * V;
      if (!row.active) {
        std::fill(out, out + V, false);
        continue;
      }
      grammar[size_t(b)].allowed(allowed);
      const bool between_notes = allowed[size_t(fim.end)] != 0;  // the grammar lets a sequence end only there
      int32_t only = -1;
      if (row.middle.empty()) {
        only = fim.bar;  // the middle starts where a bar starts
      } else if (row.forced_next >= 0) {
        only = row.forced_next;  // the original bar's time signature
      } else {
        const int64_t owed = (bars - row.bars) * (has_time_signatures ? 2 : 1) + 1;  // Bars (+TimeSigs), EOS
        if (between_notes && left <= owed + 4) {
          only = row.bars < bars ? fim.bar : fim.end;
          row.forced_end = true;
        }
      }
      if (only >= 0) {
        std::fill(allowed.begin(), allowed.end(), 0);
        allowed[size_t(only)] = 1;
      } else {
        allowed[size_t(fim.end)] = row.bars == bars && between_notes;
        if (row.bars == bars) allowed[size_t(fim.bar)] = 0;
        for (int64_t id = 0; id < Vt; ++id) {
          const auto t = vocab.kind(int(id)).type;
          if (t == TokenType::Tempo || t == TokenType::TimeSig) allowed[size_t(id)] = 0;
        }
        if (std::find(allowed.begin(), allowed.end(), 1) == allowed.end())  // never a dead end
          allowed[size_t(row.bars < bars ? fim.bar : fim.end)] = 1;
      }
      for (int64_t id = 0; id < V; ++id) out[id] = !(id < Vt && allowed[size_t(id)]);
    }
    torch::Tensor scores = logits.to(torch::kCPU, torch::kFloat).clone();
    chain.apply(history.narrow(1, 0, length), scores);
    scores = scores.contiguous();
    const float* data = scores.data_ptr<float>();
    std::vector<int32_t> chosen(size_t(B), fim.end);
    for (int64_t b = 0; b < B; ++b) {
      Row& row = rows[size_t(b)];
      if (!row.active) continue;
      int32_t id = sample_row(data + b * V, V, rngs[size_t(b)], greedy);
      if (id < 0) id = row.bars < bars ? fim.bar : fim.end;  // every token filtered: the rules' own choice
      if (id == fim.end) {
        row.active = false;
        row.stop = row.forced_end ? "forced_end" : "eos";
        --active;
        continue;
      }
      chosen[size_t(b)] = id;
      row.middle.push_back(id);
      grammar[size_t(b)].accept(id);
      row.forced_next = -1;
      if (id == fim.bar) {
        ++row.bars;
        if (row.bars <= bars) row.forced_next = bar_time_signature[size_t(row.bars - 1)];
      }
    }
    if (settings.on_progress) {
      double done = 0;  // a bar is done once the next one has started
      for (const Row& row : rows)
        done += row.active ? double(std::max<int64_t>(0, std::min(row.bars, bars) - 1)) / double(bars) : 1.0;
      settings.on_progress(done / double(B));
    }
    if (active == 0) break;
    torch::Tensor next = torch::empty({B, 1}, torch::kLong);
    for (int64_t b = 0; b < B; ++b) {
      next[b][0] = chosen[size_t(b)];
      history[b][length] = chosen[size_t(b)];
    }
    ++length;
    logits = model.forward(next.to(device), {}, &cache).select(1, -1);
  }

  for (int64_t b = 0; b < B; ++b) {
    Row& row = rows[size_t(b)];
    if (result.cancelled) {
      result.pieces.push_back(ids);
      result.middles.emplace_back(ids.begin() + long(mid_begin), ids.begin() + long(mid_end));
      result.stop_reasons.push_back("cancelled");
      continue;
    }
    // The rules end every candidate within the budget with exactly `bars` bars.
    if (row.active || row.bars != bars)
      throw std::logic_error("infill: a candidate ended with " + std::to_string(row.bars) + " of " +
                             std::to_string(bars) + " bars");
    std::vector<int32_t> piece(ids.begin(), ids.begin() + long(mid_begin));
    piece.insert(piece.end(), row.middle.begin(), row.middle.end());
    piece.insert(piece.end(), ids.begin() + long(mid_end), ids.end());
    result.pieces.push_back(std::move(piece));
    result.middles.push_back(std::move(row.middle));
    result.stop_reasons.push_back(row.stop);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

void end_filled_notes_before_repeats(midi::Score& score, midi::Tick from, midi::Tick to) {
  for (auto& track : score.tracks) {
    std::array<std::vector<size_t>, 128> by_pitch;  // note indices in onset order
    for (size_t i = 0; i < track.notes.size(); ++i)
      if (track.notes[i].pitch >= 0 && track.notes[i].pitch < 128) by_pitch[size_t(track.notes[i].pitch)].push_back(i);
    for (auto& indices : by_pitch) {
      std::stable_sort(indices.begin(), indices.end(),
                       [&](size_t a, size_t b) { return track.notes[a].time < track.notes[b].time; });
      for (size_t k = 0; k + 1 < indices.size(); ++k) {
        midi::Note& note = track.notes[indices[k]];
        if (note.time < from || note.time >= to) continue;
        // the next onset of this pitch that is later than this one
        size_t j = k + 1;
        while (j < indices.size() && track.notes[indices[j]].time == note.time) ++j;
        if (j < indices.size() && note.end() > track.notes[indices[j]].time)
          note.duration = track.notes[indices[j]].time - note.time;
      }
    }
  }
}

ScoreInfill infill_score(model::CausalLM& model, const tokenizer::Tokenizer& tok, const midi::Score& piece,
                         int64_t first_bar, int64_t bars, const InfillSettings& settings) {
  ScoreInfill out;
  out.piece_ids = prompt_tokens(tok, piece);
  out.tokens = infill_tokens(model, tok, out.piece_ids, first_bar, bars, settings);
  for (const auto& seq : out.tokens.pieces) {
    midi::Score score = to_score(tok, seq);
    carry_prompt_context(piece, tok, score);  // tempo / metre / instrument the tokens cannot carry
    end_filled_notes_before_repeats(score, bar_start_tick(score, first_bar), bar_start_tick(score, first_bar + bars));
    out.candidates.push_back(std::move(score));
  }
  return out;
}

}  // namespace harmonia::generate
