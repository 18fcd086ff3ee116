// `harmonia generate`: new music from a model directory (optionally continuing a MIDI prompt),
// written as OUT.mid (+ OUT-2.mid ... for more candidates) with a sidecar JSON each.
// `harmonia eval FILES... [--reference DIR]`: music metrics of MIDI files as JSON, optionally
// against a reference folder's bands.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/cli_commands.hpp"
#include "core/generate/generation_output.hpp"
#include "core/generate/generator.hpp"
#include "core/generate/model_bundle.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/generate/prompt.hpp"
#include "core/midi/midi_file.hpp"

namespace harmonia::cli {
namespace {

namespace gen = harmonia::generate;

struct GenerateOptions {
  std::string model_dir, out, prompt, key;
  int64_t prompt_bars = 0, prompt_events = 0, bars = -1;
  int max_programs = -1;  // -1: music_recipe's program_limit of the model's recorded defaults
  // Starts as the demo's piece (music_recipe.hpp), so every flag the user leaves out keeps the
  // recipe's value (and --help shows it); the length is settled in run_generate.
  gen::GenerationSettings settings = gen::piece_settings(gen::kPieceBars, 0);
  // The flags that give a length other than in bars; set by register_generate_commands.
  const CLI::Option *max_new_tokens_flag = nullptr, *max_bars_flag = nullptr, *music_seconds_flag = nullptr;
  bool no_grammar = false;
  double tempo = 0;
  int low_pitch = -1, high_pitch = -1;
  bool quiet = false;
};

std::filesystem::path candidate_path(const std::filesystem::path& out, int i) {
  if (i == 0) return out;
  auto p = out;
  p.replace_filename(out.stem().string() + "-" + std::to_string(i + 1) + out.extension().string());
  return p;
}

// The length: --bars N gives the recipe's piece of N bars (it may end after two thirds of them);
// with no length flag at all, the recipe's kPieceBars bars, as the demo. --max-new-tokens,
// --max-bars or --music-seconds without --bars make the length the user's own: the recipe's
// bar counts and music-time cap are dropped and only what was given limits it (besides a
// token cap for a model that never ends a bar). A length flag given always wins over the recipe.
void settle_length(GenerateOptions& o) {
  auto& s = o.settings;
  const auto given = [](const CLI::Option* f) { return f && f->count() > 0; };
  const bool own_length = given(o.max_new_tokens_flag) || given(o.max_bars_flag) || given(o.music_seconds_flag);
  const auto piece = gen::piece_settings(o.bars > 0 ? o.bars : gen::kPieceBars, s.seed);
  const bool in_bars = o.bars > 0 || !own_length;
  if (!given(o.max_bars_flag)) s.max_bars = in_bars ? piece.max_bars : 0;
  s.min_bars = in_bars ? piece.min_bars : 0;
  if (!given(o.music_seconds_flag)) s.max_music_seconds = in_bars ? piece.max_music_seconds : 0;
  if (!given(o.max_new_tokens_flag)) s.max_new_tokens = piece.max_new_tokens;
}

int run_generate(GenerateOptions o) {
  auto& s = o.settings;
  s.grammar = !o.no_grammar;
  if (!o.key.empty()) s.controls.key = gen::parse_scale(o.key);
  if (o.low_pitch >= 0 || o.high_pitch >= 0)
    s.controls.pitch_range = std::make_pair(std::max(0, o.low_pitch), o.high_pitch < 0 ? 127 : o.high_pitch);
  if (o.bars == 0) throw std::invalid_argument("--bars 0: ask for at least one bar");
  settle_length(o);
  const auto bundle = gen::load_bundle(o.model_dir);
  std::vector<int32_t> prompt;
  midi::Score prompt_score;
  if (!o.prompt.empty()) {
    gen::PromptSelection sel;
    sel.bars = o.prompt_bars;
    sel.events = o.prompt_events;
    prompt_score = gen::select_prompt(midi::read_midi_file(o.prompt), sel);
    if (prompt_score.note_count() == 0)
      throw std::invalid_argument("prompt " + o.prompt + ": no notes" +
                                  (o.prompt_bars > 0 || o.prompt_events > 0 ? " in the selected part" : "") +
                                  " (a prompt needs at least one note to continue)");
    prompt = gen::prompt_tokens(*bundle.tokenizer, prompt_score);
  }
  if (o.max_programs < 0) s.max_programs = gen::program_limit(bundle.music);
  else s.max_programs = o.max_programs;
  gen::Generator generator(bundle.model, bundle.tokenizer);
  gen::GenerationCallbacks cb;
  int64_t last_percent = -1;
  if (!o.quiet)
    cb.on_progress = [&](double f) {
      const auto percent = int64_t(f * 100);
      if (percent / 10 != last_percent / 10) std::cerr << "\rgenerating " << percent << "%" << std::flush;
      last_percent = percent;
    };
  const auto result = generator.generate(prompt, s, cb);
  if (!o.quiet) std::cerr << "\r";
  nlohmann::ordered_json summary = nlohmann::ordered_json::array();
  size_t silent = 0;
  for (size_t i = 0; i < result.sequences.size(); ++i) {
    tokenizer::DecodeReport report;
    auto score = gen::to_score(*bundle.tokenizer, result.sequences[i], 0, &report);
    if (!o.prompt.empty()) gen::carry_prompt_context(prompt_score, *bundle.tokenizer, score);
    gen::apply_music_defaults(bundle.music, score);  // the training data's tempo when none came through
    if (o.tempo > 0) score.tempos = {{0, int32_t(60'000'000.0 / o.tempo + 0.5)}};
    const auto path = candidate_path(o.out, int(i));
    const size_t new_tokens = (result.sequences[i].size() - result.prompt_length) / result.fields;
    nlohmann::ordered_json extra = {{"model", bundle.paths.model_dir.string()},
                                    {"tokenizer", bundle.paths.tokenizer_json.string()},
                                    {"scheme", bundle.tokenizer->name()},
                                    {"fields", result.fields},
                                    {"prompt", o.prompt},
                                    {"prompt_bars", o.prompt_bars},
                                    {"prompt_events", o.prompt_events},
                                    {"candidate", i},
                                    {"tempo_qpm", o.tempo},
                                    {"prompt_tokens", result.prompt_length / result.fields},
                                    {"new_tokens", new_tokens},
                                    {"stop_reason", result.stop_reasons[i]},
                                    {"tokens_dropped", report.tokens_dropped}};
    gen::write_generation(score, path, s, extra);
    if (score.note_count() <= prompt_score.note_count()) {
      ++silent;
      std::cerr << "harmonia generate: " << path.string() << " has no new note (" << new_tokens
                << " new tokens, stop: " << result.stop_reasons[i]
                << "): the model may need more training, or try another --seed or a higher --temperature\n";
    }
    summary.push_back({{"file", path.string()},
                       {"notes", score.note_count()},
                       {"new_tokens", new_tokens},
                       {"tokens_dropped", report.tokens_dropped},
                       {"stop_reason", result.stop_reasons[i]}});
  }
  const double tps = result.seconds > 0 ? double(result.new_tokens) / result.seconds : 0;
  std::cout << nlohmann::ordered_json{{"candidates", summary}, {"seconds", result.seconds}, {"tokens_per_second", tps}}
                   .dump(2)
            << "\n";
  return silent == result.sequences.size() ? 1 : 0;
}

}  // namespace

void register_generate_commands(CLI::App& app, CommandTable& table) {
  auto o = std::make_shared<GenerateOptions>();
  auto* g = app.add_subcommand("generate", "Generate MIDI from a model directory (config.json + model.safetensors + tokenizer.json)");
  g->add_option("--model", o->model_dir, "Model directory, or a run directory holding model/")->required();
  g->add_option("--out", o->out, "Output .mid (more candidates: OUT-2.mid, ...; settings in OUT.json)")->required();
  g->add_option("--prompt", o->prompt, "MIDI file to continue")->check(CLI::ExistingFile);
  g->add_option("--prompt-bars", o->prompt_bars, "Use only the prompt's first K bars");
  g->add_option("--prompt-events", o->prompt_events, "Use only the prompt's first N notes");
  auto& s = o->settings;
  o->max_new_tokens_flag =
      g->add_option("--max-new-tokens", s.max_new_tokens, "Most tokens to generate (default: 400 a bar + 256)");
  g->add_option("--min-new-tokens", s.min_new_tokens, "No end-of-sequence before this many new tokens");
  g->add_option("--bars", o->bars,
                "Length in bars: ends by itself after 2/3 of them, never goes past them (default: " +
                    std::to_string(gen::kPieceBars) + ", unless a length in tokens or seconds is given)")
      ->check(CLI::Range(int64_t(0), int64_t(100000)));
  o->max_bars_flag = g->add_option("--max-bars", s.max_bars, "Stop after this many new bars (0: no limit)");
  o->music_seconds_flag =
      g->add_option("--music-seconds", s.max_music_seconds, "Stop before a bar that starts past this much music (0: no limit)")
          ->capture_default_str();
  g->add_option("--max-empty-bars", s.max_empty_bars, "Most bars without a note in a row (-1: no limit)")
      ->capture_default_str();
  g->add_option("--max-empty-beats", s.max_empty_beats,
                "REMI: most whole beats in a row with nothing sounding (-1: no limit)")
      ->capture_default_str();
  g->add_option("--max-programs", o->max_programs,
                "Most pitched instruments per piece (0: no limit; default: 2 more than the training corpus' most "
                "varied piece, when recorded)")
      ->check(CLI::Range(0, 129));
  g->add_option("--max-seconds", s.max_seconds, "Stop after this much wall-clock time (0: no limit)");
  g->add_option("--temperature", s.sampling.temperature, "Sampling temperature (0: greedy)")->capture_default_str();
  g->add_option("--top-k", s.sampling.top_k, "Top-k (0: off)")->capture_default_str();
  g->add_option("--top-p", s.sampling.top_p, "Nucleus top-p (1: off)")->capture_default_str();
  g->add_option("--top-p-on", s.sampling.top_p_on,
                "What top-p narrows: pitch (the choice of a pitch only; timing, durations and velocities "
                "as the model gives them) or all (every token, as transformers)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, gen::TopPScope>{{"pitch", gen::TopPScope::Pitch},
                                                                              {"all", gen::TopPScope::All}}))
      ->default_str("pitch");
  g->add_option("--min-p", s.sampling.min_p, "Min-p (0: off)")->capture_default_str();
  g->add_option("--repetition-penalty", s.sampling.repetition_penalty, "Repetition penalty (1: off)")->capture_default_str();
  g->add_option("--no-repeat-ngram", s.sampling.no_repeat_ngram, "Forbid repeating n-grams of this size (0: off)");
  g->add_option("--seed", s.seed, "Random seed (same seed + settings = same notes)")->capture_default_str();
  g->add_option("--num", s.num_candidates, "Candidates, generated as one batch")->check(CLI::Range(1, 256));
  g->add_option("--key", o->key, "Keep pitches in a scale, e.g. C:major, F#:minor, D:dorian");
  g->add_option("--low-pitch", o->low_pitch, "Lowest allowed pitch")->check(CLI::Range(0, 127));
  g->add_option("--high-pitch", o->high_pitch, "Highest allowed pitch")->check(CLI::Range(0, 127));
  g->add_option("--density", s.controls.density_bias, "Note density bias added to note logits (>0: more notes)");
  g->add_option("--tempo", o->tempo, "Tempo of the output file in BPM (default: from the tokens, else 120)");
  g->add_flag("--no-grammar", o->no_grammar, "Sample without grammar-constrained decoding");
  g->add_flag("--quiet", o->quiet, "No progress on stderr");
  table.add(g, [o] { return run_generate(*o); });
}

}  // namespace harmonia::cli
