// Small Score edits the Generate page needs: bar length, "first N bars" of a prompt, and
// an ideal playback position -> tick mapping. Qt-free so they are easy to test.
#pragma once

#include "core/midi/score.hpp"

namespace harmonia::ui {

// Ticks in one bar of the score's first time signature (4/4 when it has none).
midi::Tick barTicks(const midi::Score& score);
// The notes that start in the first `bars` bars, cut at the bar line; tempos, time and key
// signatures in that range are kept. bars <= 0 keeps everything.
midi::Score firstBars(const midi::Score& score, int bars);
// The end of the last note or of the last whole bar `bars` covers, whichever is larger.
midi::Tick promptEndTick(const midi::Score& prompt, int bars);

}  // namespace harmonia::ui
