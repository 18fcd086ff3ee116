// `harmonia render / play / ports` as a user runs them, on a machine that may have no
// sound card or MIDI ports.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>

#include "audio_fixtures.hpp"
#include "core/audio/wav_file.hpp"
#include "core/midi/midi_file.hpp"
#include "test_paths.hpp"

using namespace harmonia;

namespace {

struct CliRun {
  int code = -1;
  std::string out, err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

CliRun harmonia_cli(const std::string& args, const std::filesystem::path& dir) {
  const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string command = "cd '" + dir.string() + "' && timeout 60 '" + (test::bin_dir() / "harmonia").string() +
                              "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(command.c_str());
  CliRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace

TEST(AudioCli, RenderWritesTheWavAndReportsSpeed) {
  HARMONIA_REQUIRE_SOUNDFONT(soundfont);
  const auto dir = test::scratch_dir("audio_cli_render");
  midi::write_midi_file(test::score_of_notes({{69, 0.25, 0.5}}), (dir / "a4.mid").string());
  const CliRun r = harmonia_cli("render a4.mid --out a4.wav --tail 1", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("real time"), std::string::npos) << r.out;
  const auto wav = audio::read_wav_file((dir / "a4.wav").string());
  EXPECT_EQ(wav.frames(), size_t(44100 * 1.75 + 0.5));

  const CliRun f = harmonia_cli("render a4.mid --out a4f.wav --float --tail 0.5", dir);
  ASSERT_EQ(f.code, 0) << f.err;
  audio::WavInfo info;
  audio::read_wav_file((dir / "a4f.wav").string(), &info);
  EXPECT_EQ(info.format, audio::SampleFormat::Float32);
}

TEST(AudioCli, RenderErrorsNameTheFile) {
  const auto dir = test::scratch_dir("audio_cli_render_bad");
  midi::write_midi_file(test::score_of_notes({{69, 0.0, 0.5}}), (dir / "ok.mid").string());
  const CliRun missing = harmonia_cli("render nothere.mid --out x.wav", dir);
  EXPECT_NE(missing.code, 0);
  EXPECT_NE(missing.err.find("nothere.mid"), std::string::npos) << missing.err;
  const CliRun font = harmonia_cli("render ok.mid --out x.wav --soundfont /no/such/font.sf2", dir);
  EXPECT_NE(font.code, 0);
  EXPECT_NE(font.err.find("/no/such/font.sf2"), std::string::npos) << font.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.wav"));
}

TEST(AudioCli, PortsPrintsJsonEvenWithoutMidiHardware) {
  const auto dir = test::scratch_dir("audio_cli_ports");
  const CliRun r = harmonia_cli("ports", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  ASSERT_TRUE(json.at("outputs").is_array());
  ASSERT_TRUE(json.at("inputs").is_array());
  if (json["outputs"].empty()) EXPECT_FALSE(json.at("problems").empty()) << "say why there are no ports";
  EXPECT_FALSE(json.at("audio_drivers").empty());
}

TEST(AudioCli, PlaySaysWhatIsMissing) {
  HARMONIA_REQUIRE_SOUNDFONT(soundfont);
  const auto dir = test::scratch_dir("audio_cli_play");
  midi::write_midi_file(test::score_of_notes({{69, 0.0, 0.3}}), (dir / "a4.mid").string());
  const CliRun port = harmonia_cli("play a4.mid --port 'No Such Port'", dir);
  EXPECT_EQ(port.code, 3) << port.err;
  EXPECT_NE(port.err.find("No Such Port"), std::string::npos) << port.err;

  const CliRun synth = harmonia_cli("play a4.mid --synth", dir);
  if (synth.code == 0) {
    EXPECT_NE(synth.err.find("Finished"), std::string::npos) << synth.err;  // this machine has sound
  } else {
    EXPECT_EQ(synth.code, 3) << synth.err;
    EXPECT_NE(synth.err.find("no audio output device"), std::string::npos) << synth.err;
  }
  const CliRun file = harmonia_cli("play a4.mid --driver file", dir);
  EXPECT_EQ(file.code, 0) << file.err;
  EXPECT_NE(file.err.find("Finished"), std::string::npos) << file.err;
}

TEST(AudioCli, RecordSaysWhatIsMissing) {
  const auto dir = test::scratch_dir("audio_cli_record");
  const CliRun none = harmonia_cli("record --out prompt.mid", dir);
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("--port"), std::string::npos) << none.err;
  const CliRun port = harmonia_cli("record --port 'No Such Keyboard' --out prompt.mid --seconds 0.1", dir);
  EXPECT_EQ(port.code, 3) << port.err;
  EXPECT_NE(port.err.find("No Such Keyboard"), std::string::npos) << port.err;
  const CliRun virt = harmonia_cli("record --virtual --out prompt.mid --seconds 0.2", dir);
  if (virt.code == 0) {
    EXPECT_TRUE(std::filesystem::exists(dir / "prompt.mid"));  // this machine has a MIDI system
  } else {
    EXPECT_EQ(virt.code, 3) << virt.err;
    EXPECT_NE(virt.err.find("MIDI input"), std::string::npos) << virt.err;
  }
}

// `harmonia soundfonts` lists a font put in the soundfonts/ folder of where it runs first:
// that folder is what render and play use without --soundfont.
TEST(AudioCli, SoundfontsListsTheProjectFolderFirst) {
  const auto dir = test::scratch_dir("audio_cli_soundfonts");
  std::filesystem::create_directories(dir / "soundfonts");
  {
    std::ofstream font(dir / "soundfonts" / "Classroom.sf2", std::ios::binary);
    font << "RIFF" << std::string(4, '\0') << "sfbk" << "LIST";
  }
  const CliRun r = harmonia_cli("soundfonts", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  ASSERT_FALSE(json.at("soundfonts").empty()) << r.out;
  EXPECT_EQ(json["soundfonts"][0].get<std::string>(), "soundfonts/Classroom.sf2") << r.out;
  EXPECT_EQ(json.at("default"), json["soundfonts"][0]);
  EXPECT_FALSE(json.at("user_folder").get<std::string>().empty());
}
