// Machines without a sound card or MIDI ports (CI): everything fails cleanly, with a
// message saying what is missing; live playback still works through FluidSynth's file driver.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "audio_fixtures.hpp"
#include "core/audio/audio_error.hpp"
#include "core/audio/live_synth_output.hpp"
#include "core/audio/midi_recording.hpp"
#include "core/audio/output_choice.hpp"
#include "core/audio/rtmidi_ports.hpp"
#include "core/audio/score_player.hpp"
#include "core/audio/wav_file.hpp"
#include "spectrum.hpp"
#include "test_paths.hpp"

using namespace harmonia;
using namespace std::chrono_literals;

TEST(AudioDevices, ListingPortsNeverThrowsAndExplainsAnEmptyList) {
  audio::MidiPortList list;
  ASSERT_NO_THROW(list = audio::list_midi_ports());
  std::printf("MIDI outputs: %zu, inputs: %zu\n", list.outputs.size(), list.inputs.size());
  for (const auto& p : list.problems) std::printf("  problem: %s\n", p.c_str());
  if (list.outputs.empty()) EXPECT_FALSE(list.problems.empty()) << "no ports and no reason given";
  for (const auto& p : list.outputs) EXPECT_FALSE(p.name.empty());
}

TEST(AudioDevices, OpeningAnUnknownPortNamesItAndWhatExists) {
  try {
    audio::RtMidiOutput::open_port("No Such Synth 12345");
    FAIL() << "an unknown port opened";
  } catch (const audio::DeviceUnavailableError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("No Such Synth 12345"), std::string::npos) << message;
    EXPECT_TRUE(message.find("available outputs") != std::string::npos ||
                message.find("no MIDI output ports") != std::string::npos)
        << message;
  }
}

TEST(AudioDevices, LiveSynthWithoutASoundCardFailsFastAndClearly) {
  HARMONIA_REQUIRE_SOUNDFONT(soundfont);
  audio::LiveSynthOptions options;
  options.synth.soundfont = soundfont;
  const auto start = std::chrono::steady_clock::now();
  try {
    audio::LiveSynthOutput live(options);
    std::printf("an audio device is present here: %s\n", live.description().c_str());
  } catch (const audio::DeviceUnavailableError& e) {
    const std::string message = e.what();
    std::printf("%s\n", message.c_str());
    EXPECT_NE(message.find("no audio output device"), std::string::npos) << message;
    EXPECT_NE(message.find("harmonia render"), std::string::npos) << "offer the way out: " << message;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "probing audio drivers must not hang";

  options.driver = "no-such-driver";
  EXPECT_THROW(audio::LiveSynthOutput{options}, audio::DeviceUnavailableError);
}

TEST(AudioDevices, LivePlaybackThroughTheFileDriverSoundsRight) {
  HARMONIA_REQUIRE_SOUNDFONT(soundfont);
  const auto dir = test::scratch_dir("audio_live_file");
  audio::LiveSynthOptions options;
  options.synth.soundfont = soundfont;
  options.driver = "file";
  options.file_name = (dir / "live.wav").string();
  {
    auto live = std::make_shared<audio::LiveSynthOutput>(options);
    audio::ScorePlayer player(live);
    player.load(std::make_shared<audio::PlaybackEvents>(
        audio::build_playback_events(test::score_of_notes({{69, 0.0, 0.6}}))));
    player.play();
    ASSERT_TRUE(player.wait_while_playing(5s));
    std::this_thread::sleep_for(200ms);
  }
  const auto audio_out = audio::read_wav_file(options.file_name);
  ASSERT_GT(audio_out.seconds(), 0.5);
  const auto spectrum = test::spectrum_of(audio_out, 0, std::min<size_t>(audio_out.frames(), 22050));
  const double hz = spectrum.dominant_hz(30.0, 8000.0);
  std::printf("live (file driver) A4: %.2f Hz over %.2f s of audio\n", hz, audio_out.seconds());
  EXPECT_NEAR(hz, 440.0, 440.0 * 0.02);
}

TEST(AudioDevices, VirtualPortsOpenOrSayWhyNot) {
  // RtMidi's JACK backend crashes here without a JACK server: this must be an error instead.
  try {
    auto out = audio::RtMidiOutput::open_virtual("Harmonia test");
    std::printf("virtual output: %s\n", out->description().c_str());
  } catch (const audio::DeviceUnavailableError& e) {
    std::printf("%s\n", e.what());
    EXPECT_NE(std::string(e.what()).find("virtual MIDI output"), std::string::npos);
  }
  try {
    audio::MidiInputRecorder in("");
    std::printf("virtual input: %s\n", in.description().c_str());
  } catch (const audio::DeviceUnavailableError& e) {
    std::printf("%s\n", e.what());
    EXPECT_NE(std::string(e.what()).find("virtual input"), std::string::npos);
  }
}

TEST(AudioDevices, OutputChoiceOpensWhatWasAskedOrSaysWhy) {
  audio::OutputChoice port;
  port.kind = audio::OutputChoice::Kind::Port;
  port.port_name = "No Such Port 4242";
  EXPECT_THROW(audio::open_output(port), audio::DeviceUnavailableError);

  audio::OutputChoice bad_font;
  bad_font.soundfont = "/no/such/font.sf2";
  EXPECT_THROW(audio::open_output(bad_font), audio::SoundFontError);

  HARMONIA_REQUIRE_SOUNDFONT(soundfont);
  const auto dir = test::scratch_dir("audio_output_choice");
  audio::OutputChoice file;
  file.driver = "file";
  file.file_name = (dir / "out.wav").string();
  auto output = audio::open_output(file);
  ASSERT_NE(output, nullptr);
  EXPECT_NE(output->description().find("file"), std::string::npos) << output->description();
}
