#include "core/audio/fluid_synth_engine.hpp"

#include <fluidsynth.h>

#include <mutex>

#include "core/audio/audio_error.hpp"
#include "core/audio/soundfont_locator.hpp"

namespace harmonia::audio {
namespace {

std::mutex g_log_mutex;
std::string g_last_error;

void capture_log(int level, const char* message, void*) {
  std::lock_guard<std::mutex> lock(g_log_mutex);
  if (level <= FLUID_ERR && message) {
    if (!g_last_error.empty()) g_last_error += "; ";
    g_last_error += message;
  }
}

}  // namespace

void install_fluidsynth_log_capture() {
  static std::once_flag once;
  std::call_once(once, [] {
    fluid_set_log_function(FLUID_PANIC, capture_log, nullptr);
    fluid_set_log_function(FLUID_ERR, capture_log, nullptr);
    fluid_set_log_function(FLUID_WARN, nullptr, nullptr);
    fluid_set_log_function(FLUID_INFO, nullptr, nullptr);
    fluid_set_log_function(FLUID_DBG, nullptr, nullptr);
  });
}

std::string last_fluidsynth_error() {
  std::lock_guard<std::mutex> lock(g_log_mutex);
  return g_last_error;
}

void clear_fluidsynth_error() {
  std::lock_guard<std::mutex> lock(g_log_mutex);
  g_last_error.clear();
}

FluidSynthEngine::FluidSynthEngine(const SynthOptions& options) : options_(options) {
  install_fluidsynth_log_capture();
  check_soundfont_file(options.soundfont);
  settings_ = new_fluid_settings();
  if (!settings_) throw AudioError("FluidSynth: cannot create settings (out of memory?)");
  fluid_settings_setnum(settings_, "synth.sample-rate", options.sample_rate);
  fluid_settings_setnum(settings_, "synth.gain", options.gain);
  fluid_settings_setint(settings_, "synth.reverb.active", options.reverb ? 1 : 0);
  fluid_settings_setint(settings_, "synth.chorus.active", options.chorus ? 1 : 0);
  fluid_settings_setint(settings_, "synth.polyphony", options.polyphony);
  synth_ = new_fluid_synth(settings_);
  if (!synth_) {
    delete_fluid_settings(settings_);
    throw AudioError("FluidSynth: cannot create the synthesizer: " + last_fluidsynth_error());
  }
  clear_fluidsynth_error();
  if (fluid_synth_sfload(synth_, options.soundfont.c_str(), 1) == FLUID_FAILED) {
    const std::string why = last_fluidsynth_error();
    delete_fluid_synth(synth_);
    delete_fluid_settings(settings_);
    throw SoundFontError("SoundFont " + options.soundfont.string() + ": FluidSynth could not load it" +
                         (why.empty() ? std::string() : " (" + why + ")"));
  }
}

FluidSynthEngine::~FluidSynthEngine() {
  delete_fluid_synth(synth_);
  delete_fluid_settings(settings_);
}

void FluidSynthEngine::send(const MidiMessage& m) {
  const int ch = m.channel();
  switch (m.type()) {
    case 0x80: fluid_synth_noteoff(synth_, ch, m.bytes[1]); break;
    case 0x90:
      if (m.bytes[2] == 0) fluid_synth_noteoff(synth_, ch, m.bytes[1]);
      else fluid_synth_noteon(synth_, ch, m.bytes[1], m.bytes[2]);
      break;
    case 0xA0: fluid_synth_key_pressure(synth_, ch, m.bytes[1], m.bytes[2]); break;
    case 0xB0: fluid_synth_cc(synth_, ch, m.bytes[1], m.bytes[2]); break;
    case 0xC0: fluid_synth_program_change(synth_, ch, m.bytes[1]); break;
    case 0xD0: fluid_synth_channel_pressure(synth_, ch, m.bytes[1]); break;
    case 0xE0: fluid_synth_pitch_bend(synth_, ch, (m.bytes[2] << 7) | m.bytes[1]); break;
    default: break;  // system messages mean nothing to the synth
  }
}

void FluidSynthEngine::all_notes_off(bool cut_sound) {
  for (int ch = 0; ch < 16; ++ch) {
    fluid_synth_cc(synth_, ch, kCcSustain, 0);
    if (cut_sound) fluid_synth_all_sounds_off(synth_, ch);
    else fluid_synth_all_notes_off(synth_, ch);
  }
}

void FluidSynthEngine::render_float(float* out, int frames) {
  if (fluid_synth_write_float(synth_, frames, out, 0, 2, out, 1, 2) != FLUID_OK) {
    throw AudioError("FluidSynth: rendering failed: " + last_fluidsynth_error());
  }
}

}  // namespace harmonia::audio
