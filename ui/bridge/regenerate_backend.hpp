// The Generate page's "Regenerate selection" on the core's infilling (core/generate/infill.hpp):
// the bars selected in the piano roll are filled again by a fill-in-the-middle model, given
// the music before and after them. Qt-free: runs on the worker thread that calls it.
//
// The core returns the whole piece decoded from its tokens, i.e. quantized to the
// tokenizer's grid and regrouped by program. The studio must not touch what the user did not
// select, so each candidate is the piece as given with only the selected bars' notes swapped
// for the filled ones (splice_bars): every note outside the bars stays exactly as it was.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/midi/score.hpp"

namespace harmonia::ui {

// RegenerateRequest::program for "every instrument" (a General MIDI program is 0..127, -1 drums).
inline constexpr int kAllPrograms = -1000;

struct RegenerateRequest {
  std::string model_dir;
  midi::Score piece;
  int first_bar = 0, last_bar = 0;  // 0-based, both included: the roll's bar selection
  int candidates = 3;
  uint64_t seed = 0;
  double temperature = 1.0;
  double top_p = 0.95;  // on the pitch choice only, as the music recipe
  // kAllPrograms: everything in the bars, by a fill-in-the-middle model (infill_score). A
  // program: only its notes, the others heard and kept (generate::regenerate_part: any model
  // with Programs in one stream, FIM or not); candidate c is seeded seed + c.
  int program = kAllPrograms;
};

struct RegenerateOutcome {
  std::vector<midi::Score> candidates;  // the piece with the bars replaced, one per candidate
  std::vector<size_t> new_notes;        // per candidate: notes in the bars now
  midi::Tick start_tick = 0, end_tick = 0;  // the bars in the piece's ticks: [start, end)
  bool cancelled = false;
  std::string error;  // "" when fine
  double seconds = 0;
};

// Why the model in `model_dir` cannot regenerate bars ("" when it can): for every instrument,
// no FIM tokens (the message says to train with "Fill-in-the-middle" / --fim-rate) or a
// scheme without bars; for one program, a tokenizer without Programs in one stream. Reads
// only its tokenizer.json.
std::string regenerate_problem(const std::string& model_dir, int program = kAllPrograms);

// `piece` with its notes starting in [start, end) replaced by `filled`'s notes starting there.
// `filled` is the same piece decoded from tokens (any resolution: its ticks are scaled to the
// piece's). With `programs` (the programs regenerated, -1 = drums: a tokenizer with programs
// in one stream), only tracks of those programs lose their notes in the bars, and each filled
// note goes to the piece's track of its program and drum flag (a new track when there is
// none). Without (nullptr: a tokenizer without programs reads the pitched tracks as one
// stream), the pitched tracks' notes in the bars are replaced and the filled notes go to the
// first pitched track that had notes there. Everything else of `piece` is kept as is.
midi::Score splice_bars(const midi::Score& piece, const midi::Score& filled, midi::Tick start, midi::Tick end,
                        const std::vector<int>* programs);

// Fills the request's bars; `progress` gets the share done (any thread: the caller's).
RegenerateOutcome run_regenerate(const RegenerateRequest& request, const std::atomic<bool>& cancel,
                                 const std::function<void(double)>& progress = {});

}  // namespace harmonia::ui
