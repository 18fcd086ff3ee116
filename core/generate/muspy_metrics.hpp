// MusPy 0.5's objective metrics (muspy/metrics/metrics.py; Dong et al., "MusPy: A Toolkit
// for Symbolic Music Generation", ISMIR 2020), re-implemented on our Score. Time steps are
// ticks and a beat is one quarter note (ticks_per_quarter), as MusPy's `resolution` is when
// it reads a MIDI file. Each function states what it counts and how it treats drum tracks,
// both as MusPy does; the one place we differ from MusPy is said where it happens.
// Undefined values are NaN, where MusPy returns NaN.
#pragma once

#include "core/midi/score.hpp"

namespace harmonia::generate::muspy {

// End of the last note over all tracks (drums too): MusPy's length of a piece.
midi::Tick length_ticks(const midi::Score& score);

// Highest minus lowest pitch over non-drum notes; 0 without one. (MusPy 0.5 gives -127 for a
// drums-only score, an artefact of its initial highest/lowest; we give 0 as for no notes.)
int pitch_range(const midi::Score& score);

// Shannon entropy (bits) of the pitch-class histogram of non-drum notes; NaN without one.
double pitch_class_entropy(const midi::Score& score);

// Largest share of non-drum notes inside one of the 24 major / natural-minor scales; NaN
// without a note.
double scale_consistency(const midi::Score& score);

// Mean number of distinct pitches sounding per tick, over the ticks where at least one
// sounds (a binary piano roll: two notes of the same pitch overlapping count once); drums
// skipped. NaN when no non-drum note has a duration.
double polyphony(const midi::Score& score);

// Share of beats no note touches. Beats are numbered 0 .. length / tpq (that last, possibly
// partial beat included); a note touches every beat from time / tpq to end / tpq inclusive,
// so a note ending exactly on a beat also touches that beat. All tracks, drums included.
// NaN for a zero length.
double empty_beat_rate(const midi::Score& score);

// 1 - (sum over neighbouring measures of the Hamming distance between their onset vectors)
// / (measure_ticks * (measures - 1)). A measure is `measure_ticks` ticks whatever the time
// signature says (MusPy assumes a constant one); measures are 0 .. length / measure_ticks,
// empty ones included; an onset vector has one slot per tick. All tracks, drums included.
// NaN with fewer than two measures.
double groove_consistency(const midi::Score& score, midi::Tick measure_ticks);

}  // namespace harmonia::generate::muspy
