#include "core/audio/wav_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/audio/audio_error.hpp"
#include "core/data/write_failure.hpp"

namespace harmonia::audio {
namespace {

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatFloat = 3;
constexpr uint16_t kFormatExtensible = 0xFFFE;

void put16(std::vector<uint8_t>& b, uint32_t v) {
  b.push_back(uint8_t(v));
  b.push_back(uint8_t(v >> 8));
}
void put32(std::vector<uint8_t>& b, uint32_t v) {
  put16(b, v & 0xFFFF);
  put16(b, v >> 16);
}
void put_tag(std::vector<uint8_t>& b, const char* tag) {
  for (int i = 0; i < 4; ++i) b.push_back(uint8_t(tag[i]));
}

uint32_t get16(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8; }
uint32_t get32(const uint8_t* p) { return get16(p) | get16(p + 2) << 16; }

[[noreturn]] void fail(const std::string& source, const std::string& problem) {
  throw AudioError("WAV " + source + ": " + problem);
}

}  // namespace

struct WavWriter::File {
  std::ofstream out;
};

namespace {

// The header for `frames` frames; written first with 0 and again once the length is known.
std::vector<uint8_t> wav_header(int sample_rate, int channels, SampleFormat format, uint64_t frames) {
  const bool is_float = format == SampleFormat::Float32;
  const uint32_t bytes_per_sample = is_float ? 4 : 2;
  const uint32_t data_bytes = uint32_t(frames * uint64_t(channels) * bytes_per_sample);
  std::vector<uint8_t> b;
  b.reserve(64);  // also keeps GCC 12's -Wstringop-overflow false positive quiet
  put_tag(b, "RIFF");
  put32(b, 0);  // patched below
  put_tag(b, "WAVE");
  put_tag(b, "fmt ");
  put32(b, is_float ? 18 : 16);
  put16(b, is_float ? kFormatFloat : kFormatPcm);
  put16(b, uint32_t(channels));
  put32(b, uint32_t(sample_rate));
  put32(b, uint32_t(sample_rate) * uint32_t(channels) * bytes_per_sample);
  put16(b, uint32_t(channels) * bytes_per_sample);
  put16(b, bytes_per_sample * 8);
  if (is_float) {
    put16(b, 0);  // cbSize: non-PCM formats carry it, and a 'fact' chunk
    put_tag(b, "fact");
    put32(b, 4);
    put32(b, uint32_t(frames));
  }
  put_tag(b, "data");
  put32(b, data_bytes);
  const uint32_t riff_size = uint32_t(b.size() - 8 + data_bytes);
  for (int i = 0; i < 4; ++i) b[4 + i] = uint8_t(riff_size >> (8 * i));
  return b;
}

}  // namespace

WavWriter::WavWriter(const std::string& path, int sample_rate, int channels, SampleFormat format)
    : file_(std::make_unique<File>()), path_(path), tmp_path_(path + ".tmp"), channels_(channels), format_(format) {
  if (channels < 1 || channels > 64 || sample_rate < 1) fail(path, "nothing to write (bad channel count or sample rate)");
  errno = 0;
  file_->out.open(tmp_path_, std::ios::binary | std::ios::trunc);
  if (!file_->out)
    fail(path, "cannot create " + tmp_path_ + " (" + (errno ? std::strerror(errno) : "unknown reason") +
                   "; does the folder exist and is it writable?)");
  const auto header = wav_header(sample_rate, channels, format, 0);
  file_->out.write(reinterpret_cast<const char*>(header.data()), std::streamsize(header.size()));
  header_sample_rate_ = sample_rate;
}

WavWriter::~WavWriter() {
  if (file_) {  // not finished: leave no partial file behind
    file_->out.close();
    std::remove(tmp_path_.c_str());
  }
}

void WavWriter::write(const float* interleaved, size_t frames) {
  if (!file_) fail(path_, "write after finish");
  const bool is_float = format_ == SampleFormat::Float32;
  const uint64_t bytes_per_frame = uint64_t(channels_) * (is_float ? 4 : 2);
  if ((frames_ + frames) * bytes_per_frame > 0xFFFFFFFFull - 64) fail(path_, "audio too long for a WAV file (over 4 GiB)");
  scratch_.clear();
  const size_t count = frames * size_t(channels_);
  for (size_t i = 0; i < count; ++i) {
    const float s = interleaved[i];
    if (is_float) {
      uint32_t bits;
      std::memcpy(&bits, &s, 4);
      put32(scratch_, bits);
    } else {
      const float c = std::clamp(std::isfinite(s) ? s : 0.0f, -1.0f, 1.0f);
      put16(scratch_, uint16_t(int16_t(std::lround(c * 32767.0f))));
    }
  }
  errno = 0;
  file_->out.write(reinterpret_cast<const char*>(scratch_.data()), std::streamsize(scratch_.size()));
  if (!file_->out) fail(path_, data::write_failure());
  frames_ += frames;
}

void WavWriter::finish() {
  if (!file_) return;
  const auto header = wav_header(header_sample_rate_, channels_, format_, frames_);
  errno = 0;
  file_->out.seekp(0);
  file_->out.write(reinterpret_cast<const char*>(header.data()), std::streamsize(header.size()));
  file_->out.close();
  if (!file_->out) fail(path_, data::write_failure());
  file_.reset();
  std::error_code ec;
  std::filesystem::rename(tmp_path_, path_, ec);
  if (ec) {
    std::remove(tmp_path_.c_str());
    fail(path_, "cannot replace the file: " + ec.message());
  }
}

void write_wav_file(const std::string& path, const AudioBuffer& audio, SampleFormat format) {
  if (audio.channels < 1) fail(path, "nothing to write (no channels)");
  WavWriter writer(path, audio.sample_rate, audio.channels, format);
  writer.write(audio.samples.data(), audio.frames());
  writer.finish();
}

AudioBuffer read_wav(const std::vector<uint8_t>& bytes, const std::string& source, WavInfo* info) {
  const uint8_t* d = bytes.data();
  const size_t n = bytes.size();
  if (n < 12 || std::memcmp(d, "RIFF", 4) != 0 || std::memcmp(d + 8, "WAVE", 4) != 0) {
    fail(source, "not a WAV file (no RIFF/WAVE header)");
  }
  bool have_fmt = false;
  uint32_t format = 0, channels = 0, rate = 0, bits = 0;
  size_t pos = 12;
  while (pos + 8 <= n) {
    const uint32_t size = get32(d + pos + 4);
    const size_t body = pos + 8;
    if (size > n - body) fail(source, "chunk at byte " + std::to_string(pos) + " runs past the end of the file");
    if (std::memcmp(d + pos, "fmt ", 4) == 0) {
      if (size < 16) fail(source, "'fmt ' chunk too short");
      format = get16(d + body);
      channels = get16(d + body + 2);
      rate = get32(d + body + 4);
      bits = get16(d + body + 14);
      if (format == kFormatExtensible && size >= 40) format = get16(d + body + 24);  // sub-format GUID
      have_fmt = true;
    } else if (std::memcmp(d + pos, "data", 4) == 0) {
      if (!have_fmt) fail(source, "'data' chunk before 'fmt ' chunk");
      const bool pcm16 = format == kFormatPcm && bits == 16;
      const bool float32 = format == kFormatFloat && bits == 32;
      if (!pcm16 && !float32) {
        fail(source, "unsupported sample format " + std::to_string(format) + " with " + std::to_string(bits) +
                         " bits (only 16-bit PCM and 32-bit float are read)");
      }
      if (channels < 1 || channels > 64) fail(source, "bad channel count " + std::to_string(channels));
      if (rate < 1 || rate > 1'000'000) fail(source, "bad sample rate " + std::to_string(rate));
      const uint32_t frame_bytes = channels * bits / 8;
      AudioBuffer out;
      out.sample_rate = int(rate);
      out.channels = int(channels);
      const size_t count = size / frame_bytes * channels;
      out.samples.resize(count);
      for (size_t i = 0; i < count; ++i) {
        const uint8_t* p = d + body + i * (bits / 8);
        if (float32) {
          const uint32_t v = get32(p);
          std::memcpy(&out.samples[i], &v, 4);
        } else {
          out.samples[i] = float(int16_t(uint16_t(get16(p)))) / 32768.0f;
        }
      }
      if (info) info->format = float32 ? SampleFormat::Float32 : SampleFormat::Int16;
      return out;
    }
    pos = body + size + (size & 1);  // chunks are word-aligned
  }
  fail(source, have_fmt ? "no 'data' chunk" : "no 'fmt ' chunk");
}

AudioBuffer read_wav_file(const std::string& path, WavInfo* info) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open for reading");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return read_wav(bytes, path, info);
}

}  // namespace harmonia::audio
