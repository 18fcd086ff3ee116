#include "core/audio/live_synth_output.hpp"

#include <fluidsynth.h>

#include "core/audio/alsa_error_silencer.hpp"
#include "core/audio/audio_error.hpp"

namespace harmonia::audio {

std::vector<std::string> available_audio_drivers() {
  install_fluidsynth_log_capture();
  std::vector<std::string> names;
  fluid_settings_t* settings = new_fluid_settings();
  if (!settings) return names;
  fluid_settings_foreach_option(settings, "audio.driver", &names, [](void* data, const char*, const char* option) {
    static_cast<std::vector<std::string>*>(data)->push_back(option);
  });
  delete_fluid_settings(settings);
  return names;
}

LiveSynthOutput::LiveSynthOutput(const LiveSynthOptions& options) : engine_(options.synth) {
  silence_alsa_lib_errors();
  std::vector<std::string> candidates;
  if (!options.driver.empty()) {
    candidates.push_back(options.driver);
  } else {
    const auto available = available_audio_drivers();
    for (const char* d : {"pulseaudio", "pipewire", "alsa", "jack", "sdl2", "oss"}) {
      for (const auto& a : available) {
        if (a == d) candidates.push_back(a);
      }
    }
  }
  std::string failures;
  fluid_settings_t* settings = engine_.settings();
  for (const auto& name : candidates) {
    clear_fluidsynth_error();
    if (fluid_settings_setstr(settings, "audio.driver", name.c_str()) != FLUID_OK) {
      failures += "\n  " + name + ": not supported by this FluidSynth build";
      continue;
    }
    if (name == "file") fluid_settings_setstr(settings, "audio.file.name", options.file_name.c_str());
    if (name == "jack") fluid_settings_setint(settings, "audio.jack.autoconnect", 1);
    audio_driver_ = new_fluid_audio_driver(settings, engine_.synth());
    if (audio_driver_) {
      driver_ = name;
      description_ = "FluidSynth (" + engine_.options().soundfont.filename().string() + ") through " + name +
                     (name == "file" ? " -> " + options.file_name : std::string());
      return;
    }
    const std::string why = last_fluidsynth_error();
    failures += "\n  " + name + ": " + (why.empty() ? "could not open the device" : why);
  }
  throw DeviceUnavailableError(
      "no audio output device could be opened (a machine without a sound card?). Tried:" +
      (failures.empty() ? std::string("\n  (no audio driver in this FluidSynth build)") : failures) +
      "\nUse `harmonia render IN.mid --out OUT.wav` to listen elsewhere, or `harmonia play --port NAME` "
      "for an external MIDI synth.");
}

LiveSynthOutput::~LiveSynthOutput() {
  if (audio_driver_) delete_fluid_audio_driver(audio_driver_);
}

}  // namespace harmonia::audio
