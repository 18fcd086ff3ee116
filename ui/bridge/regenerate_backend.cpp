#include "ui/bridge/regenerate_backend.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <tuple>

#include "core/generate/add_part.hpp"
#include "core/generate/infill.hpp"
#include "core/generate/model_bundle.hpp"
#include "core/midi/gm_programs.hpp"
#include "core/tokenizer/fim_tokens.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "ui/bridge/generation_backend.hpp"

namespace harmonia::ui {

namespace gen = harmonia::generate;

namespace {

int track_program(const midi::Track& t) { return t.is_drum ? -1 : t.program; }

bool note_order(const midi::Note& a, const midi::Note& b) {
  return std::tie(a.time, a.pitch, a.duration, a.velocity) < std::tie(b.time, b.pitch, b.duration, b.velocity);
}

// `notes` (in the bars, sorted) into `track`: its notes in the bars already removed, the others
// in their own order; the new ones go where the bars start, so a sorted track stays sorted.
void insert_notes(midi::Track& track, std::vector<midi::Note> notes, midi::Tick end) {
  std::sort(notes.begin(), notes.end(), note_order);
  auto at = std::find_if(track.notes.begin(), track.notes.end(), [end](const midi::Note& n) { return n.time >= end; });
  track.notes.insert(at, notes.begin(), notes.end());
}

}  // namespace

std::string regenerate_problem(const std::string& model_dir, int program) {
  if (model_dir.empty()) return "no model: choose one above";
  try {
    const auto paths = gen::locate_model(model_dir);
    const auto tok = tokenizer::Tokenizer::load(paths.tokenizer_json.string());
    if (program != kAllPrograms) {
      gen::check_add_part_tokenizer(*tok, program);
      return {};
    }
    if (tokenizer::fim_unsupported_reason(*tok).empty() && !tokenizer::fim_ids(*tok))
      return "this model was not trained to fill in the middle (its tokenizer has no FIM tokens). Train one with "
             "\"Fill-in-the-middle\" set on the Model & Training page (or `harmonia train --fim-rate 0.5`) and "
             "choose it above";
    gen::check_infill_tokenizer(*tok);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

midi::Score splice_bars(const midi::Score& piece, const midi::Score& filled, midi::Tick start, midi::Tick end,
                        const std::vector<int>* programs) {
  const std::set<int> regenerated = programs ? std::set<int>(programs->begin(), programs->end()) : std::set<int>{};
  auto replaced = [&](const midi::Track& t) { return programs ? regenerated.count(track_program(t)) > 0 : !t.is_drum; };
  auto in_bars = [&](const midi::Note& n) { return n.time >= start && n.time < end; };

  midi::Score out = piece;
  int first_with_notes = -1, first_pitched = -1;  // where a one-stream fill goes
  for (size_t i = 0; i < out.tracks.size(); ++i) {
    auto& t = out.tracks[i];
    if (!replaced(t)) continue;
    if (!t.is_drum && first_pitched < 0) first_pitched = int(i);
    if (!t.is_drum && first_with_notes < 0 && std::any_of(t.notes.begin(), t.notes.end(), in_bars))
      first_with_notes = int(i);
    t.notes.erase(std::remove_if(t.notes.begin(), t.notes.end(), in_bars), t.notes.end());
  }

  const double scale = double(piece.ticks_per_quarter > 0 ? piece.ticks_per_quarter : 480) /
                       double(std::max(1, filled.ticks_per_quarter));
  std::vector<std::pair<int, std::vector<midi::Note>>> by_program;  // (program, new notes), in first-seen order
  for (const auto& t : filled.tracks) {
    const int program = programs ? track_program(t) : 0;
    if (programs && !regenerated.count(program)) continue;
    std::vector<midi::Note> notes;
    for (const auto& n : t.notes) {
      midi::Note m = n;
      m.time = midi::Tick(std::llround(double(n.time) * scale));
      m.duration = midi::Tick(std::llround(double(n.duration) * scale));
      if (in_bars(m)) notes.push_back(m);
    }
    if (notes.empty()) continue;
    auto it = std::find_if(by_program.begin(), by_program.end(), [program](const auto& p) { return p.first == program; });
    if (it == by_program.end()) by_program.emplace_back(program, std::move(notes));
    else it->second.insert(it->second.end(), notes.begin(), notes.end());
  }
  for (auto& [program, notes] : by_program) {
    int target = -1;
    if (!programs) {
      target = first_with_notes >= 0 ? first_with_notes : first_pitched;
    } else {
      for (size_t i = 0; i < out.tracks.size() && target < 0; ++i)
        if (track_program(out.tracks[i]) == program) target = int(i);
    }
    if (target < 0) {  // an instrument the piece did not have: a track of its own
      midi::Track t;
      t.is_drum = program < 0;
      t.program = program < 0 ? 0 : program;
      t.channel = t.is_drum ? 9 : -1;
      t.name = t.is_drum ? "Drums" : midi::gm_program_name(t.program);
      out.tracks.push_back(std::move(t));
      target = int(out.tracks.size()) - 1;
    }
    insert_notes(out.tracks[size_t(target)], std::move(notes), end);
  }
  return out;
}

RegenerateOutcome run_regenerate(const RegenerateRequest& r, const std::atomic<bool>& cancel,
                                 const std::function<void(double)>& progress) {
  RegenerateOutcome out;
  try {
    const std::string problem = regenerate_problem(r.model_dir, r.program);
    if (!problem.empty()) throw std::invalid_argument(problem);
    const gen::ModelBundle bundle = load_model_cached(r.model_dir);
    const auto& tok = *bundle.tokenizer;
    const int first = std::min(r.first_bar, r.last_bar), last = std::max(r.first_bar, r.last_bar);
    out.start_tick = gen::bar_start_tick(r.piece, first);
    out.end_tick = gen::bar_start_tick(r.piece, last + 1);
    auto count_in_bars = [&](const midi::Score& score) {
      size_t n = 0;
      for (const auto& t : score.tracks)
        n += size_t(std::count_if(t.notes.begin(), t.notes.end(),
                                  [&](const midi::Note& x) { return x.time >= out.start_tick && x.time < out.end_tick; }));
      return n;
    };
    if (r.program != kAllPrograms) {  // one instrument: one seeded walk per candidate
      const int n = std::max(1, r.candidates);
      for (int c = 0; c < n; ++c) {
        gen::AddPartSettings s;
        s.program = r.program;
        s.temperature = float(r.temperature);
        s.top_p = float(r.top_p);
        s.seed = r.seed + uint64_t(c);
        s.cancel = &cancel;
        if (progress) s.on_progress = [&progress, c, n](double f) { progress((double(c) + f) / double(n)); };
        gen::AddPartResult part = gen::regenerate_part(*bundle.model, tok, r.piece, first, last - first + 1, s);
        out.seconds += part.seconds;
        if (part.cancelled || cancel.load()) {
          out.cancelled = true;
          out.candidates.clear();
          out.new_notes.clear();
          return out;
        }
        out.new_notes.push_back(count_in_bars(part.score));
        out.candidates.push_back(std::move(part.score));
      }
      return out;
    }
    gen::InfillSettings s;
    s.num_candidates = std::max(1, r.candidates);
    s.seed = r.seed;
    s.sampling.temperature = float(r.temperature);
    s.sampling.top_p = float(r.top_p);
    s.cancel = &cancel;
    s.on_progress = progress;
    const gen::ScoreInfill filled = gen::infill_score(*bundle.model, tok, r.piece, first, last - first + 1, s);
    out.seconds = filled.tokens.seconds;
    if (filled.tokens.cancelled || cancel.load()) {
      out.cancelled = true;
      return out;
    }
    std::vector<int> programs;
    if (tok.config().use_programs) {
      programs = tok.config().programs;
      if (programs.empty())
        for (int p = -1; p < 128; ++p) programs.push_back(p);
    }
    for (const auto& candidate : filled.candidates) {
      out.candidates.push_back(splice_bars(r.piece, candidate, out.start_tick, out.end_tick,
                                           tok.config().use_programs ? &programs : nullptr));
      out.new_notes.push_back(count_in_bars(out.candidates.back()));
    }
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace harmonia::ui
