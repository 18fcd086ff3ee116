// `harmonia render`, `play`, `record`, `ports`: thin wrappers over core/audio.
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "app/cli/cli_commands.hpp"
#include "core/audio/audio_error.hpp"
#include "core/audio/live_synth_output.hpp"
#include "core/audio/midi_recording.hpp"
#include "core/audio/offline_renderer.hpp"
#include "core/audio/output_choice.hpp"
#include "core/audio/rtmidi_ports.hpp"
#include "core/audio/score_player.hpp"
#include "core/audio/soundfont_locator.hpp"
#include "core/midi/midi_file.hpp"

namespace harmonia::cli {
namespace {

std::atomic<bool> g_interrupted{false};
void on_audio_interrupt(int) { g_interrupted = true; }

struct RenderArgs {
  std::string input, output, soundfont;
  bool float_samples = false;
  double tail = 2.0;
  double sample_rate = 44100.0;
  double gain = 0.5;
  bool no_effects = false;
};

struct PlayArgs {
  std::string input, port, virtual_port, soundfont, driver;
  bool synth = false;
  double tempo = 1.0;
  double start = 0.0;
  bool loop = false;
  std::string loop_range;  // "START:END" seconds
};

int run_render(const RenderArgs& a) {
  audio::RenderOptions options;
  options.synth.soundfont = audio::find_soundfont(a.soundfont);
  options.synth.sample_rate = a.sample_rate;
  options.synth.gain = a.gain;
  options.synth.reverb = options.synth.chorus = !a.no_effects;
  options.tail_seconds = a.tail;
  const auto start = std::chrono::steady_clock::now();
  const auto summary = audio::render_midi_file_to_wav(a.input, a.output, options,
                                                    a.float_samples ? audio::SampleFormat::Float32 : audio::SampleFormat::Int16);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "Rendered " << a.input << " -> " << a.output << ": " << summary.seconds() << " s of "
            << (a.float_samples ? "32-bit float" : "16-bit") << " stereo at " << summary.sample_rate << " Hz in " << elapsed
            << " s (" << (elapsed > 0 ? summary.seconds() / elapsed : 0.0) << "x real time), SoundFont "
            << options.synth.soundfont.string() << "\n";
  return 0;
}

audio::OutputChoice output_choice(const PlayArgs& a) {
  audio::OutputChoice choice;
  if (!a.port.empty()) {
    choice.kind = audio::OutputChoice::Kind::Port;
    choice.port_name = a.port;
  } else if (!a.virtual_port.empty()) {
    choice.kind = audio::OutputChoice::Kind::VirtualPort;
    choice.port_name = a.virtual_port;
  }
  choice.soundfont = a.soundfont;
  choice.driver = a.driver;
  return choice;
}

int run_play(const PlayArgs& a) {
  const midi::Score score = midi::read_midi_file(a.input);
  auto events = std::make_shared<audio::PlaybackEvents>(audio::build_playback_events(score));
  std::shared_ptr<audio::MidiOutput> output;
  try {
    output = audio::open_output(output_choice(a));
  } catch (const audio::DeviceUnavailableError& e) {
    std::cerr << "harmonia play: " << e.what() << "\n";
    return 3;  // distinct from bad input: nothing to play on
  }
  audio::ScorePlayer player(output);
  player.load(events);
  player.set_tempo_scale(a.tempo);
  double begin = a.start;
  if (!a.loop_range.empty()) {
    const auto colon = a.loop_range.find(':');
    double start = 0, end = 0;
    try {
      if (colon == std::string::npos) throw std::invalid_argument("no colon");
      start = std::stod(a.loop_range.substr(0, colon));
      end = std::stod(a.loop_range.substr(colon + 1));
    } catch (const std::exception&) {
      std::cerr << "harmonia play: --loop-range wants START:END in seconds (e.g. 10:20), got \"" << a.loop_range << "\"\n";
      return 2;
    }
    player.set_loop(start, end);  // AudioError (empty range) is reported by main
    if (begin < start || begin >= end) begin = start;
  } else if (a.loop) {
    player.set_loop(0.0, std::max(events->duration_seconds, 0.001));
  }
  if (begin > 0) player.seek(begin);
  std::cerr << "Playing " << a.input << " (" << events->duration_seconds << " s, " << score.note_count()
            << " notes) on " << output->description() << (a.loop || !a.loop_range.empty() ? ", looping" : "") << ". Ctrl-C stops.\n";
  g_interrupted = false;
  auto previous = std::signal(SIGINT, on_audio_interrupt);
  player.play();
  while (!player.wait_while_playing(std::chrono::milliseconds(100))) {
    if (g_interrupted) {
      player.stop();
      break;
    }
  }
  std::signal(SIGINT, previous);
  const auto timing = player.timing();
  std::cerr << (g_interrupted ? "Stopped" : "Finished") << ". Scheduling: " << timing.events << " events, mean "
            << timing.mean_late_ms << " ms late, worst " << timing.max_late_ms << " ms, " << timing.over_2ms
            << " over 2 ms.\n";
  return 0;
}

struct RecordArgs {
  std::string port, output;
  bool virtual_port = false;
  double seconds = 0.0;  // 0: until Ctrl-C
  double qpm = 120.0;
};

int run_record(const RecordArgs& a) {
  std::unique_ptr<audio::MidiInputRecorder> recorder;
  try {
    recorder = std::make_unique<audio::MidiInputRecorder>(a.virtual_port ? std::string() : a.port);
  } catch (const audio::DeviceUnavailableError& e) {
    std::cerr << "harmonia record: " << e.what() << "\n";
    return 3;
  }
  std::cerr << "Recording from " << recorder->description()
            << (a.seconds > 0 ? " for " + std::to_string(a.seconds) + " s" : std::string()) << ". Ctrl-C stops.\n";
  g_interrupted = false;
  auto previous = std::signal(SIGINT, on_audio_interrupt);
  while (!g_interrupted && (a.seconds <= 0 || recorder->elapsed_seconds() < a.seconds)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::signal(SIGINT, previous);
  const midi::Score score = recorder->finish(a.qpm);
  midi::write_midi_file(score, a.output);
  std::cerr << "Wrote " << a.output << ": " << score.note_count() << " notes in " << score.tracks.size() << " tracks.\n";
  return 0;
}

nlohmann::json ports_json() {
  const auto list = audio::list_midi_ports();
  auto ports = [](const std::vector<audio::MidiPortInfo>& v) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : v) out.push_back({{"index", p.index}, {"name", p.name}, {"api", p.api}});
    return out;
  };
  nlohmann::json drivers = audio::available_audio_drivers();
  return {{"outputs", ports(list.outputs)},
          {"inputs", ports(list.inputs)},
          {"problems", list.problems},
          {"audio_drivers", drivers}};
}

}  // namespace

void register_audio_commands(CLI::App& app, CommandTable& table) {
  auto r = std::make_shared<RenderArgs>();
  auto* render = app.add_subcommand("render", "Render a MIDI file to a WAV file with FluidSynth (no sound card needed)");
  render->add_option("input", r->input, "MIDI file")->required();
  render->add_option("--out,-o", r->output, "WAV file to write")->required();
  render->add_option("--soundfont", r->soundfont, "SoundFont (.sf2/.sf3); default: soundfonts/, then the system's GM font");
  render->add_flag("--float", r->float_samples, "32-bit float samples instead of 16-bit");
  render->add_option("--tail", r->tail, "Seconds rendered after the last note (release, reverb)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600.0));
  render->add_option("--sample-rate", r->sample_rate, "Hz")->capture_default_str()->check(CLI::Range(8000.0, 192000.0));
  render->add_option("--gain", r->gain, "FluidSynth master gain")->capture_default_str()->check(CLI::Range(0.0, 10.0));
  render->add_flag("--no-effects", r->no_effects, "No reverb or chorus");
  table.add(render, [r] { return run_render(*r); });

  auto p = std::make_shared<PlayArgs>();
  auto* play = app.add_subcommand("play", "Play a MIDI file through FluidSynth or an external MIDI port");
  play->add_option("input", p->input, "MIDI file")->required();
  auto* port = play->add_option("--port", p->port, "MIDI output port (name, or a unique part of it; see `harmonia ports`)");
  auto* virt = play->add_option("--virtual", p->virtual_port, "Create a virtual MIDI output with this name (a DAW can record it)");
  auto* synth = play->add_flag("--synth", p->synth, "Play with FluidSynth on the sound card (the default)");
  port->excludes(virt)->excludes(synth);
  virt->excludes(synth);
  play->add_option("--soundfont", p->soundfont, "SoundFont for --synth");
  play->add_option("--driver", p->driver, "FluidSynth audio driver (pulseaudio, alsa, jack, file...); default: first that works");
  play->add_option("--tempo", p->tempo, "Tempo scale (2 = twice as fast)")->capture_default_str()->check(CLI::Range(0.05, 20.0));
  play->add_option("--start", p->start, "Start at this many seconds")->check(CLI::NonNegativeNumber);
  play->add_flag("--loop", p->loop, "Repeat until Ctrl-C");
  play->add_option("--loop-range", p->loop_range, "Repeat START:END (seconds) until Ctrl-C");
  table.add(play, [p] { return run_play(*p); });

  auto rec = std::make_shared<RecordArgs>();
  auto* record = app.add_subcommand("record", "Record a prompt from a MIDI input port into a MIDI file");
  auto* in_port = record->add_option("--port", rec->port, "MIDI input port (name, or a unique part of it)");
  auto* in_virtual = record->add_flag("--virtual", rec->virtual_port, "Create a virtual input \"Harmonia Studio in\" to play into");
  in_port->excludes(in_virtual);
  record->add_option("--out,-o", rec->output, "MIDI file to write")->required();
  record->add_option("--seconds", rec->seconds, "Stop after this many seconds (default: Ctrl-C)")->check(CLI::NonNegativeNumber);
  record->add_option("--qpm", rec->qpm, "Tempo written to the file")->capture_default_str()->check(CLI::Range(10.0, 400.0));
  table.add(record, [rec] {
    if (rec->port.empty() && !rec->virtual_port) {
      std::cerr << "harmonia record: choose an input with --port NAME (see `harmonia ports`) or --virtual\n";
      return 2;
    }
    return run_record(*rec);
  });

  auto* fonts = app.add_subcommand("soundfonts", "List the SoundFonts found (soundfonts/ folders, then the system's) as JSON");
  table.add(fonts, [] {
    nlohmann::json found = nlohmann::json::array();
    for (const auto& f : audio::list_soundfonts()) found.push_back(f.string());
    // The default is what render and play use without --soundfont: the first found.
    std::cout << nlohmann::json{{"soundfonts", found},
                                {"default", found.empty() ? nlohmann::json() : found.front()},
                                {"user_folder", audio::user_soundfont_dir().string()}}
                     .dump(2)
              << "\n";
    return 0;
  });

  auto* ports = app.add_subcommand("ports", "List MIDI ports and audio drivers as JSON");
  table.add(ports, [] {
    std::cout << ports_json().dump(2) << "\n";
    return 0;
  });
}

}  // namespace harmonia::cli
