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

// The valid SoundFonts directly in `dir`, sorted by name.
std::vector<fs::path> fonts_in(const fs::path& dir) {
  std::vector<fs::path> found;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return found;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (has_soundfont_extension(it->path()) && soundfont_problem(it->path()).empty()) found.push_back(it->path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

fs::path user_soundfont_dir() {
  const char* data = std::getenv("XDG_DATA_HOME");
  if (data && *data) return fs::path(data) / "harmonia" / "soundfonts";
  const char* home = std::getenv("HOME");
  if (home && *home) return fs::path(home) / ".local" / "share" / "harmonia" / "soundfonts";
  return {};
}

void check_soundfont_file(const fs::path& path) {
  const std::string problem = soundfont_problem(path);
  if (!problem.empty()) throw SoundFontError("SoundFont " + path.string() + ": " + problem);
}

SoundFontSearch default_soundfont_search() {
  SoundFontSearch s;
  if (const char* env = std::getenv("HARMONIA_SOUNDFONT_DIR")) s.project_dirs.emplace_back(env);
  s.project_dirs.emplace_back("soundfonts");  // run from the project root
  if (auto user = user_soundfont_dir(); !user.empty()) s.project_dirs.push_back(user);
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
  for (const char* d : {"/usr/share/sounds/sf2", "/usr/share/sounds/sf3", "/usr/share/soundfonts"}) s.system_dirs.emplace_back(d);
  return s;
}

std::vector<fs::path> list_soundfonts(const SoundFontSearch& search) {
  std::vector<fs::path> out;
  std::vector<fs::path> seen;  // canonical paths
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    const fs::path real = fs::canonical(p, ec);
    const fs::path& key = ec ? p : real;
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) return;
    seen.push_back(key);
    out.push_back(p);
  };
  for (const auto& dir : search.project_dirs)
    for (const auto& f : fonts_in(dir)) add(f);
  for (const auto& f : search.system_files)
    if (soundfont_problem(f).empty()) add(f);
  for (const auto& dir : search.system_dirs)
    for (const auto& f : fonts_in(dir)) add(f);
  return out;
}

fs::path find_soundfont(const std::string& user_choice, const SoundFontSearch& search) {
  if (!user_choice.empty()) {
    check_soundfont_file(user_choice);
    return user_choice;
  }
  std::ostringstream tried;
  for (const auto& dir : search.project_dirs) {
    tried << "\n  " << (dir / "*.sf2|*.sf3").string();
    const auto found = fonts_in(dir);
    if (!found.empty()) return found.front();
  }
  for (const auto& file : search.system_files) {
    tried << "\n  " << file.string();
    if (soundfont_problem(file).empty()) return file;
  }
  throw SoundFontError(
      "no SoundFont found. Looked for:" + tried.str() +
      "\nInstall a General MIDI SoundFont with `sudo apt-get install timgm6mb-soundfont` (small) or "
      "`sudo apt-get install fluid-soundfont-gm` (fuller sound), put a .sf2/.sf3 file in " +
      (user_soundfont_dir().empty() ? std::string("a soundfonts/ folder") : user_soundfont_dir().string()) +
      " or the checkout's soundfonts/ folder, or choose one with --soundfont FILE.");
}

}  // namespace harmonia::audio
