// The metronome's count-in before recording a prompt, and moving a take so that the bar
// after the count-in starts at 0.
#pragma once

#include "core/midi/score.hpp"

namespace harmonia::audio {

// `bars` bars of clicks at `qpm` in `numerator`/`denominator`: a drum track (channel 10),
// a high wood block on each bar's first beat and a low one on the others (GM 76/77).
midi::Score count_in_clicks(double qpm, int numerator = 4, int denominator = 4, int bars = 1,
                            int ticks_per_quarter = 480);
double count_in_seconds(double qpm, int numerator = 4, int denominator = 4, int bars = 1);

// `take` as recorded from before the count-in: everything moved `seconds` earlier. A note
// played up to `early_seconds` before the downbeat (a player anticipating it) starts at 0;
// earlier notes, controllers and bends are dropped. The tempo map is the take's (one tempo).
midi::Score trim_count_in(const midi::Score& take, double seconds, double early_seconds = 0.1);

}  // namespace harmonia::audio
