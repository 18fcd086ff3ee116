#include "ui/bridge/token_note_links.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <tuple>

#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::ui {

namespace {

using Key = std::tuple<midi::Tick, int, midi::Tick>;  // onset, pitch, duration

std::vector<Key> decodedNotes(const tokenizer::Tokenizer& tok, const tokenizer::TokSequence& prefix, int program,
                              bool is_drum, int* tpq) {
  const midi::Score s = tok.decode_base({prefix}, {{program, is_drum}});
  *tpq = s.ticks_per_quarter;
  std::vector<Key> out;
  for (const auto& t : s.tracks)
    for (const auto& n : t.notes) out.emplace_back(n.time, n.pitch, n.duration);
  std::sort(out.begin(), out.end());
  return out;
}

// How far back a note's pitch token may be from the token that completes it (MIDILike's
// NoteOff comes after everything played meanwhile).
constexpr size_t kLookBack = 64;

bool isPitchType(const std::string& type) {
  return type == "Pitch" || type == "NoteOn" || type == "PitchDrum" || type == "DrumOn";
}

}  // namespace

std::vector<std::vector<NoteRef>> link_steps_to_notes(const tokenizer::Tokenizer& tok, const tokenizer::TokSequence& base,
                                                      int program, bool is_drum, const midi::Score& score,
                                                      size_t max_steps) {
  const size_t steps = std::min(base.steps(), max_steps);
  std::vector<std::vector<NoteRef>> links(steps);
  if (steps == 0) return links;
  const std::vector<std::string> strings = tok.strings(base);
  const size_t fields = std::max<size_t>(1, base.fields);
  // The score's notes by pitch, each matched at most once while an unmatched one fits.
  std::vector<std::vector<NoteRef>> byPitch(128);
  for (size_t t = 0; t < score.tracks.size(); ++t)
    for (size_t i = 0; i < score.tracks[t].notes.size(); ++i) {
      const int p = score.tracks[t].notes[i].pitch;
      if (p >= 0 && p < 128) byPitch[size_t(p)].push_back({int(t), int(i)});
    }
  std::vector<std::vector<bool>> used(score.tracks.size());
  for (size_t t = 0; t < score.tracks.size(); ++t) used[t].assign(score.tracks[t].notes.size(), false);
  const auto match = [&](midi::Tick decodedTime, int decodedTpq, int pitch) -> const NoteRef* {
    if (pitch < 0 || pitch >= 128 || decodedTpq <= 0) return nullptr;
    const double at = double(decodedTime) * score.ticks_per_quarter / decodedTpq;
    const NoteRef* best = nullptr;
    double bestCost = 0;
    for (const auto& ref : byPitch[size_t(pitch)]) {
      const auto& n = score.tracks[size_t(ref.track)].notes[size_t(ref.index)];
      // A note already linked costs a whole bar more: repeated notes pair up in order.
      const double cost = std::abs(double(n.time) - at) + (used[size_t(ref.track)][size_t(ref.index)] ? 4.0 * score.ticks_per_quarter : 0.0);
      if (!best || cost < bestCost) {
        best = &ref;
        bestCost = cost;
      }
    }
    return best;
  };

  std::vector<Key> before;
  tokenizer::TokSequence prefix;
  prefix.fields = base.fields;
  for (size_t k = 0; k < steps; ++k) {
    prefix.ids.assign(base.ids.begin(), base.ids.begin() + long((k + 1) * fields));
    int tpq = 0;
    std::vector<Key> now = decodedNotes(tok, prefix, program, is_drum, &tpq);
    std::vector<Key> added;
    std::set_difference(now.begin(), now.end(), before.begin(), before.end(), std::back_inserter(added));
    before = std::move(now);
    for (const auto& [time, pitch, duration] : added) {
      const NoteRef* ref = match(time, tpq, pitch);
      if (!ref) continue;
      used[size_t(ref->track)][size_t(ref->index)] = true;
      links[k].push_back(*ref);
      if (fields > 1) continue;  // a compound step is the whole note
      // The note's earlier tokens: back to its pitch token, then the Velocity / Duration
      // right after that and a Program right before it.
      const std::string wanted = std::to_string(pitch);
      for (size_t back = 1; back <= kLookBack && back <= k; ++back) {
        const size_t j = k - back;
        const std::string& s = strings[j];
        const auto us = s.find('_');
        if (us == std::string::npos || !isPitchType(s.substr(0, us)) || s.substr(us + 1) != wanted) continue;
        links[j].push_back(*ref);
        for (size_t f = j + 1; f < k; ++f) {
          const std::string type = strings[f].substr(0, strings[f].find('_'));
          if (type != "Velocity" && type != "Duration") break;
          links[f].push_back(*ref);
        }
        if (j > 0 && strings[j - 1].rfind("Program_", 0) == 0) links[j - 1].push_back(*ref);
        break;
      }
    }
  }
  return links;
}

}  // namespace harmonia::ui
