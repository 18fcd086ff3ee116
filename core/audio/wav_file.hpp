// WAV files: what the offline renderer writes (16-bit PCM or 32-bit float, any channel
// count) and a strict reader for checking them (tests, waveform views).
#pragma once

#include <cstdint>
#include <memory>
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

// Streams samples to `path` block by block (long renders need not fit in memory). Writes
// to `path`.tmp and renames on finish(), so an existing file is never left half-written;
// without finish() the temporary file is removed. Int16 clips to [-1, 1]. Throws
// AudioError naming the file on I/O failure.
class WavWriter {
 public:
  WavWriter(const std::string& path, int sample_rate, int channels, SampleFormat format);
  ~WavWriter();
  WavWriter(const WavWriter&) = delete;
  WavWriter& operator=(const WavWriter&) = delete;
  void write(const float* interleaved, size_t frames);
  void finish();
  uint64_t frames_written() const { return frames_; }

 private:
  struct File;
  std::unique_ptr<File> file_;
  std::string path_, tmp_path_;
  int header_sample_rate_ = 0;
  int channels_;
  SampleFormat format_;
  uint64_t frames_ = 0;
  std::vector<uint8_t> scratch_;
};

void write_wav_file(const std::string& path, const AudioBuffer& audio, SampleFormat format);

struct WavInfo {
  SampleFormat format = SampleFormat::Int16;
};

// Reads 16-bit PCM or 32-bit float WAV. Throws AudioError naming the file and the problem.
AudioBuffer read_wav_file(const std::string& path, WavInfo* info = nullptr);
AudioBuffer read_wav(const std::vector<uint8_t>& bytes, const std::string& source, WavInfo* info = nullptr);

}  // namespace harmonia::audio
