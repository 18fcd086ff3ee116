// alsa-lib prints its own errors to stderr (e.g. "cannot find card '0'" on every probe of
// a machine without a sound card). We already report the failure in our own words, so we
// silence alsa-lib's printer when the library is loaded (it is, through FluidSynth/RtMidi).
#pragma once

namespace harmonia::audio {

// Idempotent; does nothing when alsa-lib is not in the process.
void silence_alsa_lib_errors();

}  // namespace harmonia::audio
