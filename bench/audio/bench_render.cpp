// bench_render [FILE.mid...] [--soundfont F]: offline render speed as a multiple of real
// time (seconds of audio per second of wall time). Default input: the first files of
// ../shared/data/midi/pop909. Also times the Score -> event list conversion.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/audio/offline_renderer.hpp"
#include "core/audio/soundfont_locator.hpp"
#include "core/midi/midi_file.hpp"

using namespace harmonia;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int main(int argc, char** argv) {
  std::vector<std::string> files;
  std::string soundfont;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--soundfont") && i + 1 < argc) soundfont = argv[++i];
    else files.push_back(argv[i]);
  }
  if (files.empty()) {
    const fs::path dir = fs::path(HARMONIA_SHARED_DIR) / "data" / "midi" / "pop909";
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".mid") files.push_back(it->path().string());
    }
    std::sort(files.begin(), files.end());
    if (files.size() > 3) files.resize(3);
    if (files.empty()) {
      std::fprintf(stderr, "bench_render: no input. Pass MIDI files, or provide %s\n", dir.c_str());
      return 1;
    }
  }
  try {
    audio::RenderOptions options;
    options.synth.soundfont = audio::find_soundfont(soundfont);
    std::printf("SoundFont: %s\n", options.synth.soundfont.c_str());
    double audio_seconds = 0, render_seconds = 0, convert_seconds = 0, cpu_seconds = 0;
    size_t events = 0;
    for (const auto& f : files) {
      const auto score = midi::read_midi_file(f);
      const auto t0 = Clock::now();
      const auto list = audio::build_playback_events(score);
      const double convert = since(t0);
      const auto t1 = Clock::now();
      const std::clock_t c1 = std::clock();
      const auto out = audio::render_events(list, options);
      const double render = since(t1);
      cpu_seconds += double(std::clock() - c1) / CLOCKS_PER_SEC;
      std::printf("%-50s %7.1f s audio  %6.3f s render  %6.1fx real time  (%zu events, converted in %.2f ms)\n",
                  f.c_str(), out.seconds(), render, out.seconds() / render, list.events.size(), convert * 1e3);
      audio_seconds += out.seconds();
      render_seconds += render;
      convert_seconds += convert;
      events += list.events.size();
    }
    std::printf("TOTAL: %.1f s of 44.1 kHz stereo audio in %.2f s = %.1fx real time (wall); %.1fx per CPU second"
                " (what an idle core gives); %zu events converted at %.1f M/s\n",
                audio_seconds, render_seconds, audio_seconds / render_seconds, audio_seconds / std::max(cpu_seconds, 1e-9),
                events, double(events) / std::max(convert_seconds, 1e-9) / 1e6);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_render: %s\n", e.what());
    return 1;
  }
  return 0;
}
