// WAV files: what the offline renderer writes (16-bit PCM or 32-bit float, any channel
// count) and a strict reader for checking them (tests, waveform views).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace harmonia::audio {

enum class SampleFormat { Int16, Float32 };

// Interleaved samples in [-1, 1].
struct AudioBuffer {
  int sample_rate = 44100;
  int channels = 2;
  std::vector<float> samples;
  size_t frames() const { return channels > 0 ? samples.size() / size_t(channels) : 0; }
  double seconds() const { return sample_rate > 0 ? double(frames()) / sample_rate : 0.0; }
};

// Written to a temporary file then renamed. Int16 clips to [-1, 1]. Throws AudioError
// naming the file on I/O failure.
void write_wav_file(const std::string& path, const AudioBuffer& audio, SampleFormat format);

struct WavInfo {
  SampleFormat format = SampleFormat::Int16;
};

// Reads 16-bit PCM or 32-bit float WAV. Throws AudioError naming the file and the problem.
AudioBuffer read_wav_file(const std::string& path, WavInfo* info = nullptr);
AudioBuffer read_wav(const std::vector<uint8_t>& bytes, const std::string& source, WavInfo* info = nullptr);

}  // namespace harmonia::audio
