#include "core/audio/soundfont_locator.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/audio/audio_error.hpp"

namespace harmonia::audio {
namespace fs = std::filesystem;

namespace {

bool has_soundfont_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext == ".sf2" || ext == ".sf3";
}

// Empty when fine, else what is wrong with the file.
std::string soundfont_problem(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return "no such file";
  if (!fs::is_regular_file(path, ec)) return "not a regular file";
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot be opened for reading";
  char header[12] = {};
  in.read(header, sizeof header);
  if (in.gcount() < 12) return "too short to be a SoundFont";
  if (std::string(header, 4) != "RIFF" || std::string(header + 8, 4) != "sfbk") {
    return "not a SoundFont (no RIFF 'sfbk' header)";
  }
  return {};
}

fs::path executable_dir() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

}  // namespace

void check_soundfont_file(const fs::path& path) {
  const std::string problem = soundfont_problem(path);
  if (!problem.empty()) throw SoundFontError("SoundFont " + path.string() + ": " + problem);
}

SoundFontSearch default_soundfont_search() {
  SoundFontSearch s;
  if (const char* env = std::getenv("HARMONIA_SOUNDFONT_DIR")) s.project_dirs.emplace_back(env);
  s.project_dirs.emplace_back("soundfonts");  // run from the project root
  const auto exe = executable_dir();
  if (!exe.empty()) {
    s.project_dirs.push_back((exe / ".." / "share" / "harmonia" / "soundfonts").lexically_normal());  // installed
    s.project_dirs.push_back((exe / ".." / ".." / "soundfonts").lexically_normal());  // build-*/bin in the source tree
  }
  for (const char* f : {"/usr/share/sounds/sf2/default-GM.sf2", "/usr/share/sounds/sf2/TimGM6mb.sf2",
                        "/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf3/default-GM.sf3",
                        "/usr/share/sounds/sf3/MuseScore_General.sf3", "/usr/share/sounds/sf3/FluidR3Mono_GM.sf3"}) {
    s.system_files.emplace_back(f);
  }
  return s;
}

fs::path find_soundfont(const std::string& user_choice, const SoundFontSearch& search) {
  if (!user_choice.empty()) {
    check_soundfont_file(user_choice);
    return user_choice;
  }
  std::ostringstream tried;
  for (const auto& dir : search.project_dirs) {
    tried << "\n  " << (dir / "*.sf2|*.sf3").string();
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> found;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (has_soundfont_extension(it->path()) && soundfont_problem(it->path()).empty()) found.push_back(it->path());
    }
    if (!found.empty()) return *std::min_element(found.begin(), found.end());
  }
  for (const auto& file : search.system_files) {
    tried << "\n  " << file.string();
    if (soundfont_problem(file).empty()) return file;
  }
  throw SoundFontError(
      "no SoundFont found. Looked for:" + tried.str() +
      "\nInstall a General MIDI SoundFont with `sudo apt-get install timgm6mb-soundfont` (small) or "
      "`sudo apt-get install fluid-soundfont-gm` (fuller sound), put a .sf2/.sf3 file in the project's "
      "soundfonts/ folder, or choose one with --soundfont FILE.");
}

}  // namespace harmonia::audio
