#include "core/audio/wav_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/audio/audio_error.hpp"

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
void put_tag(std::vector<uint8_t>& b, const char* tag) { b.insert(b.end(), tag, tag + 4); }

uint32_t get16(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8; }
uint32_t get32(const uint8_t* p) { return get16(p) | get16(p + 2) << 16; }

[[noreturn]] void fail(const std::string& source, const std::string& problem) {
  throw AudioError("WAV " + source + ": " + problem);
}

}  // namespace

void write_wav_file(const std::string& path, const AudioBuffer& audio, SampleFormat format) {
  if (audio.channels < 1 || audio.sample_rate < 1) fail(path, "nothing to write (no channels or sample rate)");
  const bool is_float = format == SampleFormat::Float32;
  const uint32_t bytes_per_sample = is_float ? 4 : 2;
  const uint64_t data_bytes = uint64_t(audio.samples.size()) * bytes_per_sample;
  if (data_bytes > 0xFFFFFFFFull - 64) fail(path, "audio too long for a WAV file (over 4 GiB)");

  std::vector<uint8_t> b;
  b.reserve(size_t(data_bytes) + 64);
  put_tag(b, "RIFF");
  put32(b, 0);  // patched below
  put_tag(b, "WAVE");
  put_tag(b, "fmt ");
  put32(b, is_float ? 18 : 16);
  put16(b, is_float ? kFormatFloat : kFormatPcm);
  put16(b, uint32_t(audio.channels));
  put32(b, uint32_t(audio.sample_rate));
  put32(b, uint32_t(audio.sample_rate) * uint32_t(audio.channels) * bytes_per_sample);
  put16(b, uint32_t(audio.channels) * bytes_per_sample);
  put16(b, bytes_per_sample * 8);
  if (is_float) {
    put16(b, 0);  // cbSize: non-PCM formats carry it, and a 'fact' chunk
    put_tag(b, "fact");
    put32(b, 4);
    put32(b, uint32_t(audio.frames()));
  }
  put_tag(b, "data");
  put32(b, uint32_t(data_bytes));
  for (float s : audio.samples) {
    if (is_float) {
      uint32_t bits;
      std::memcpy(&bits, &s, 4);
      put32(b, bits);
    } else {
      const float c = std::clamp(std::isfinite(s) ? s : 0.0f, -1.0f, 1.0f);
      put16(b, uint16_t(int16_t(std::lround(c * 32767.0f))));
    }
  }
  const uint32_t riff_size = uint32_t(b.size() - 8);
  for (int i = 0; i < 4; ++i) b[4 + i] = uint8_t(riff_size >> (8 * i));

  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(path, "cannot create " + tmp + " (does the folder exist and is it writable?)");
    out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
    if (!out) {
      out.close();
      std::remove(tmp.c_str());
      fail(path, "write failed (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    fail(path, "cannot replace the file: " + ec.message());
  }
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
