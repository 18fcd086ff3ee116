// WAV writing and strict reading: round trips and hostile files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <fstream>

#include "core/audio/audio_error.hpp"
#include "core/audio/wav_file.hpp"
#include "test_paths.hpp"

using namespace harmonia;

namespace {

audio::AudioBuffer ramp() {
  audio::AudioBuffer a;
  a.sample_rate = 22050;
  a.channels = 2;
  for (int i = 0; i < 1000; ++i) {
    a.samples.push_back(float(i) / 1000.0f);
    a.samples.push_back(-float(i) / 500.0f);  // clips below -1 in 16-bit
  }
  return a;
}

std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string error_of(const std::vector<uint8_t>& bytes) {
  try {
    audio::read_wav(bytes, "bad.wav");
  } catch (const audio::AudioError& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST(AudioWav, Int16AndFloatRoundTrip) {
  const auto dir = test::scratch_dir("audio_wav_roundtrip");
  const auto a = ramp();
  audio::write_wav_file((dir / "f.wav").string(), a, audio::SampleFormat::Float32);
  audio::write_wav_file((dir / "i.wav").string(), a, audio::SampleFormat::Int16);
  const auto f = audio::read_wav_file((dir / "f.wav").string());
  const auto i = audio::read_wav_file((dir / "i.wav").string());
  EXPECT_EQ(f.samples, a.samples);
  EXPECT_EQ(i.sample_rate, 22050);
  ASSERT_EQ(i.samples.size(), a.samples.size());
  for (size_t k = 0; k < a.samples.size(); ++k) {
    EXPECT_NEAR(i.samples[k], std::clamp(a.samples[k], -1.0f, 1.0f), 1.0 / 16000.0) << k;
  }
  EXPECT_EQ(file_bytes((dir / "i.wav").string()).size(), 44u + 4000u);  // canonical 44-byte header
}

TEST(AudioWav, HostileFilesGiveErrorsNamingTheProblem) {
  const auto dir = test::scratch_dir("audio_wav_bad");
  audio::write_wav_file((dir / "ok.wav").string(), ramp(), audio::SampleFormat::Int16);
  const auto good = file_bytes((dir / "ok.wav").string());

  EXPECT_NE(error_of({}).find("not a WAV"), std::string::npos);
  EXPECT_NE(error_of({'R', 'I', 'F', 'F', 0, 0, 0, 0, 'A', 'V', 'I', ' '}).find("not a WAV"), std::string::npos);
  auto truncated = good;
  truncated.resize(100);  // data chunk claims 4000 bytes
  EXPECT_NE(error_of(truncated).find("runs past the end"), std::string::npos) << error_of(truncated);
  auto eight_bit = good;
  eight_bit[34] = 8;  // bits per sample
  EXPECT_NE(error_of(eight_bit).find("unsupported sample format"), std::string::npos);
  auto no_channels = good;
  no_channels[22] = 0;
  EXPECT_NE(error_of(no_channels).find("channel"), std::string::npos);
  auto huge_chunk = good;
  huge_chunk[16] = huge_chunk[17] = huge_chunk[18] = huge_chunk[19] = 0xFF;  // fmt size 4 GiB
  EXPECT_NE(error_of(huge_chunk).find("runs past the end"), std::string::npos);

  try {
    audio::read_wav_file((dir / "absent.wav").string());
    FAIL();
  } catch (const audio::AudioError& e) {
    EXPECT_NE(std::string(e.what()).find("absent.wav"), std::string::npos);
  }
  EXPECT_THROW(audio::write_wav_file((dir / "no" / "such" / "dir.wav").string(), ramp(), audio::SampleFormat::Int16),
               audio::AudioError);
}

TEST(AudioWav, UnfinishedStreamLeavesNoFileAndKeepsTheOldOne) {
  const auto dir = test::scratch_dir("audio_wav_stream");
  const auto path = (dir / "song.wav").string();
  audio::write_wav_file(path, ramp(), audio::SampleFormat::Int16);
  const auto before = file_bytes(path);
  {
    audio::WavWriter writer(path, 44100, 2, audio::SampleFormat::Float32);
    const float block[4] = {0.1f, 0.2f, 0.3f, 0.4f};
    writer.write(block, 2);
    EXPECT_EQ(writer.frames_written(), 2u);
    // destroyed without finish(), as when a render throws half-way
  }
  EXPECT_EQ(file_bytes(path), before) << "the previous file must survive a failed render";
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}
