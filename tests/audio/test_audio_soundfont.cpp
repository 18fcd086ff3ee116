// SoundFont discovery order and the messages when there is none.
#include <gtest/gtest.h>

#include <fstream>

#include "core/audio/audio_error.hpp"
#include "core/audio/soundfont_locator.hpp"
#include "test_paths.hpp"

using namespace harmonia;
namespace fs = std::filesystem;

namespace {

void write_fake_soundfont(const fs::path& p) {
  std::ofstream out(p, std::ios::binary);
  out << "RIFF" << std::string(4, '\0') << "sfbk" << "LIST";
}

std::string message_of(const std::string& choice, const audio::SoundFontSearch& search) {
  try {
    audio::find_soundfont(choice, search);
  } catch (const audio::SoundFontError& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST(AudioSoundFont, UserChoiceFirstThenProjectFolderThenSystem) {
  const auto dir = test::scratch_dir("audio_soundfont_order");
  fs::create_directories(dir / "project");
  write_fake_soundfont(dir / "mine.sf2");
  write_fake_soundfont(dir / "project" / "b.sf3");
  write_fake_soundfont(dir / "project" / "a.SF2");
  write_fake_soundfont(dir / "system.sf2");
  std::ofstream(dir / "project" / "notes.txt") << "not a font";

  audio::SoundFontSearch search{{dir / "missing", dir / "project"}, {dir / "nope.sf2", dir / "system.sf2"}};
  EXPECT_EQ(audio::find_soundfont((dir / "mine.sf2").string(), search), dir / "mine.sf2");
  EXPECT_EQ(audio::find_soundfont("", search), dir / "project" / "a.SF2");
  search.project_dirs = {dir / "missing"};
  EXPECT_EQ(audio::find_soundfont("", search), dir / "system.sf2");
}

TEST(AudioSoundFont, MissingFontNamesTheDebianPackages) {
  const auto dir = test::scratch_dir("audio_soundfont_none");
  const audio::SoundFontSearch search{{dir}, {dir / "default-GM.sf2"}};
  const std::string message = message_of("", search);
  EXPECT_NE(message.find("timgm6mb-soundfont"), std::string::npos) << message;
  EXPECT_NE(message.find("fluid-soundfont-gm"), std::string::npos) << message;
  EXPECT_NE(message.find((dir / "default-GM.sf2").string()), std::string::npos) << "say where we looked: " << message;
}

TEST(AudioSoundFont, BadUserChoiceIsAnErrorNotASilentFallback) {
  const auto dir = test::scratch_dir("audio_soundfont_bad");
  write_fake_soundfont(dir / "good.sf2");
  std::ofstream(dir / "text.sf2") << "just some text, long enough";
  const audio::SoundFontSearch search{{dir}, {}};
  const std::string missing = message_of((dir / "absent.sf2").string(), search);
  EXPECT_NE(missing.find("absent.sf2"), std::string::npos) << missing;
  EXPECT_NE(missing.find("no such file"), std::string::npos) << missing;
  const std::string not_font = message_of((dir / "text.sf2").string(), search);
  EXPECT_NE(not_font.find("not a SoundFont"), std::string::npos) << not_font;
}

TEST(AudioSoundFont, InstalledSystemFontIsFound) {
  const bool installed = fs::exists("/usr/share/sounds/sf2/TimGM6mb.sf2") || fs::exists("/usr/share/sounds/sf2/FluidR3_GM.sf2") ||
                         fs::exists("/usr/share/sounds/sf2/default-GM.sf2");
  if (!installed) GTEST_SKIP() << "no system SoundFont: sudo apt-get install timgm6mb-soundfont";
  const auto found = audio::find_soundfont("");
  EXPECT_NO_THROW(audio::check_soundfont_file(found));
}
