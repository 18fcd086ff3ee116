// One exception type for everything sound-related, so callers (CLI, GUI) can show
// `what()` as-is: every message names the file or device and what to do about it.
#pragma once

#include <stdexcept>
#include <string>

namespace harmonia::audio {

class AudioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// No SoundFont could be found or loaded.
class SoundFontError : public AudioError {
 public:
  using AudioError::AudioError;
};

// No audio output / MIDI port could be opened (typical on CI machines without a sound card).
class DeviceUnavailableError : public AudioError {
 public:
  using AudioError::AudioError;
};

}  // namespace harmonia::audio
