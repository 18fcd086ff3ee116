// Which SoundFont to play with: the user's choice, else the soundfonts/ folders (the
// checkout's, the user's, the installed package's), else the General MIDI fonts Debian
// packages install. The studio's SoundFont menu lists every font these places hold.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace harmonia::audio {

struct SoundFontSearch {
  std::vector<std::filesystem::path> project_dirs;  // searched for *.sf2 / *.sf3, sorted by name
  std::vector<std::filesystem::path> system_files;  // tried in order
  // Only listed (not tried when nothing is chosen): where Debian's other fonts land.
  std::vector<std::filesystem::path> system_dirs;
};

// $HARMONIA_SOUNDFONT_DIR, ./soundfonts, the user's $XDG_DATA_HOME/harmonia/soundfonts
// (~/.local/share/harmonia/soundfonts), <exe>/../share/harmonia/soundfonts (the package),
// <exe>/../../soundfonts (a build in the checkout); then /usr/share/sounds/sf2/{default-GM,
// TimGM6mb,FluidR3_GM}.sf2 and the sf3 variants; listed too: /usr/share/sounds/sf2, sf3 and
// /usr/share/soundfonts.
SoundFontSearch default_soundfont_search();

// The folder a user adds SoundFonts to: $XDG_DATA_HOME/harmonia/soundfonts, else
// ~/.local/share/harmonia/soundfonts ("" without a home directory). Not created here.
std::filesystem::path user_soundfont_dir();

// Every valid SoundFont the search can reach, in search order (folders' files sorted by
// name), each file once even when reached through several links (default-GM.sf2 →
// TimGM6mb.sf2). What find_soundfont("") returns is the first.
std::vector<std::filesystem::path> list_soundfonts(const SoundFontSearch& search = default_soundfont_search());

// A non-empty `user_choice` must be a readable SoundFont (no silent fallback: the user
// asked for it). Throws SoundFontError naming what was tried and the Debian packages
// that provide a General MIDI font.
std::filesystem::path find_soundfont(const std::string& user_choice,
                                     const SoundFontSearch& search = default_soundfont_search());

// Throws SoundFontError unless `path` is a readable RIFF 'sfbk' file (SF2 or SF3).
void check_soundfont_file(const std::filesystem::path& path);

}  // namespace harmonia::audio
