// Which SoundFont to play with: the user's choice, else the project's soundfonts/ folder,
// else the General MIDI fonts Debian packages install.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace harmonia::audio {

struct SoundFontSearch {
  std::vector<std::filesystem::path> project_dirs;  // searched for *.sf2 / *.sf3, sorted by name
  std::vector<std::filesystem::path> system_files;  // tried in order
};

// $HARMONIA_SOUNDFONT_DIR, ./soundfonts, <exe>/../share/harmonia/soundfonts, <exe>/../../soundfonts;
// then /usr/share/sounds/sf2/{default-GM,TimGM6mb,FluidR3_GM}.sf2 and the sf3 variants.
SoundFontSearch default_soundfont_search();

// A non-empty `user_choice` must be a readable SoundFont (no silent fallback: the user
// asked for it). Throws SoundFontError naming what was tried and the Debian packages
// that provide a General MIDI font.
std::filesystem::path find_soundfont(const std::string& user_choice,
                                     const SoundFontSearch& search = default_soundfont_search());

// Throws SoundFontError unless `path` is a readable RIFF 'sfbk' file (SF2 or SF3).
void check_soundfont_file(const std::filesystem::path& path);

}  // namespace harmonia::audio
