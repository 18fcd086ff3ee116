#include "core/generate/prompt.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <type_traits>

namespace harmonia::generate {

midi::Score select_prompt(const midi::Score& score, const PromptSelection& sel) {
  midi::Score out = score;
  midi::Tick end = std::numeric_limits<midi::Tick>::max(), begin = 0;
  if (sel.bars > 0) {
    const auto ts = score.time_signatures.empty() ? midi::TimeSignature{} : score.time_signatures.front();
    const midi::Tick bar = midi::Tick(score.ticks_per_quarter) * 4 * ts.numerator / ts.denominator;
    end = std::min(end, bar * sel.bars);
  }
  if (sel.from_seconds >= 0) begin = score.seconds_to_ticks(sel.from_seconds);
  if (sel.to_seconds >= 0) end = std::min(end, score.seconds_to_ticks(sel.to_seconds));
  if (sel.events > 0) {
    std::vector<midi::Tick> onsets;
    for (const auto& t : score.tracks)
      for (const auto& n : t.notes)
        if (n.time >= begin && n.time < end) onsets.push_back(n.time);
    std::sort(onsets.begin(), onsets.end());
    if (int64_t(onsets.size()) > sel.events) end = std::min(end, onsets[size_t(sel.events)]);
  }
  for (auto& t : out.tracks) {
    std::vector<midi::Note> kept;
    for (const auto& n : t.notes)
      if (n.time >= begin && n.time < end) {
        midi::Note m = n;
        m.time -= begin;
        m.duration = std::min(m.duration, end - n.time);  // no note rings past the selection
        kept.push_back(m);
      }
    t.notes = std::move(kept);
    t.controls.clear();
    t.pedals.clear();
    t.pitch_bends.clear();
  }
  out.tracks.erase(std::remove_if(out.tracks.begin(), out.tracks.end(), [](const auto& t) { return t.notes.empty(); }),
                   out.tracks.end());
  if (begin > 0) {
    // Keep the maps in force at `begin`, moved to 0.
    auto shift = [begin](auto& list) {
      using T = typename std::decay_t<decltype(list)>::value_type;
      std::vector<T> kept;
      for (const auto& e : list) {
        T c = e;
        if (c.time <= begin) {
          c.time = 0;
          if (!kept.empty() && kept.back().time == 0) kept.back() = c;
          else kept.push_back(c);
        } else {
          c.time -= begin;
          kept.push_back(c);
        }
      }
      list = std::move(kept);
    };
    shift(out.tempos);
    shift(out.time_signatures);
    shift(out.key_signatures);
  }
  return out;
}

midi::Score one_stream_score(const tokenizer::Tokenizer& tok, const midi::Score& score) {
  midi::Score merged = score;
  if (!tok.one_token_stream() && merged.tracks.size() > 1) {
    // One stream per track: fold the pitched tracks into the first so the model sees them all.
    midi::Track all = merged.tracks.front();
    for (size_t i = 1; i < merged.tracks.size(); ++i)
      if (!merged.tracks[i].is_drum)
        all.notes.insert(all.notes.end(), merged.tracks[i].notes.begin(), merged.tracks[i].notes.end());
    merged.tracks = {all};
    merged.sort_events();
  }
  return merged;
}

std::vector<int32_t> prompt_tokens(const tokenizer::Tokenizer& tok, const midi::Score& score) {
  const auto enc = tok.encode(one_stream_score(tok, score));
  if (enc.sequences.empty()) return {};
  return enc.sequences.front().ids;
}

void carry_prompt_context(const midi::Score& prompt, const tokenizer::Tokenizer& tok, midi::Score& generated) {
  auto has = [&](tokenizer::TokenType t) {
    for (const auto& v : tok.vocabs())
      if (v.has_type(t)) return true;
    return false;
  };
  if (!has(tokenizer::TokenType::Tempo) && !prompt.tempos.empty()) generated.tempos = prompt.tempos;
  if (!has(tokenizer::TokenType::TimeSig) && !prompt.time_signatures.empty())
    generated.time_signatures = prompt.time_signatures;
  if (!has(tokenizer::TokenType::Program)) {
    std::map<int, size_t> notes_by_program;
    for (const auto& t : prompt.tracks)
      if (!t.is_drum) notes_by_program[t.program] += t.notes.size();
    if (!notes_by_program.empty()) {
      const auto main = std::max_element(notes_by_program.begin(), notes_by_program.end(),
                                         [](const auto& a, const auto& b) { return a.second < b.second; });
      for (auto& t : generated.tracks)
        if (!t.is_drum) t.program = main->first;
    }
  }
}

}  // namespace harmonia::generate
