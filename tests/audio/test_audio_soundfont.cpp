// SoundFont discovery order and the messages when there is none.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
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

// The studio's SoundFont menu and `harmonia soundfonts` list what a soundfonts/ folder holds
// (a file a user drops in), then the system's fonts, each file once however many links
// lead to it; the first listed is the one used when none is chosen.
TEST(AudioSoundFont, ListFindsFilesPutInASoundfontsFolderThenSystemFontsOnce) {
  const auto dir = test::scratch_dir("audio_soundfont_list");
  fs::create_directories(dir / "soundfonts");
  fs::create_directories(dir / "system");
  write_fake_soundfont(dir / "soundfonts" / "Piano.sf2");
  write_fake_soundfont(dir / "soundfonts" / "Choir.sf3");
  std::ofstream(dir / "soundfonts" / "README.md") << "# not a font";
  std::ofstream(dir / "soundfonts" / "broken.sf2") << "text pretending to be a font";
  write_fake_soundfont(dir / "system" / "TimGM6mb.sf2");
  fs::create_symlink(dir / "system" / "TimGM6mb.sf2", dir / "system" / "default-GM.sf2");
  audio::SoundFontSearch search{{dir / "missing", dir / "soundfonts"},
                                {dir / "system" / "default-GM.sf2"},
                                {dir / "system"}};
  const auto fonts = audio::list_soundfonts(search);
  const std::vector<fs::path> expected{dir / "soundfonts" / "Choir.sf3", dir / "soundfonts" / "Piano.sf2",
                                       dir / "system" / "default-GM.sf2"};
  EXPECT_EQ(fonts, expected);
  EXPECT_EQ(audio::find_soundfont("", search), fonts.front());
}

TEST(AudioSoundFont, DefaultSearchIncludesTheUsersFolder) {
  const auto dir = test::scratch_dir("audio_soundfont_user");
  const char* old = std::getenv("XDG_DATA_HOME");
  const std::string keep = old ? old : "";
  setenv("XDG_DATA_HOME", dir.c_str(), 1);
  EXPECT_EQ(audio::user_soundfont_dir(), dir / "harmonia" / "soundfonts");
  fs::create_directories(dir / "harmonia" / "soundfonts");
  write_fake_soundfont(dir / "harmonia" / "soundfonts" / "Mine.sf2");
  const auto fonts = audio::list_soundfonts();
  if (old)
    setenv("XDG_DATA_HOME", keep.c_str(), 1);
  else
    unsetenv("XDG_DATA_HOME");
  EXPECT_NE(std::find(fonts.begin(), fonts.end(), dir / "harmonia" / "soundfonts" / "Mine.sf2"), fonts.end());
}
