// `harmonia infill`: regenerate a range of bars of a MIDI file with a fill-in-the-middle model
// (trained with `harmonia train --fim-rate R`), keeping what comes before and after in place.
// Writes OUT.mid (+ OUT-2.mid ... for more candidates) and prints a JSON summary.
#include <iostream>
#include <optional>
#include <nlohmann/json.hpp>
#include <regex>

#include "app/cli/cli_commands.hpp"
#include "core/generate/add_part.hpp"
#include "core/generate/generation_output.hpp"
#include "core/generate/infill.hpp"
#include "core/generate/prompt.hpp"
#include "core/generate/model_bundle.hpp"
#include "core/midi/midi_file.hpp"

namespace harmonia::cli {
namespace {

namespace gen = harmonia::generate;

struct InfillOptions {
  std::string model_dir, in, bars, out;
  gen::InfillSettings settings;
  bool quiet = false;
  bool excerpts = false;
  std::optional<int> program;  // --program: only this instrument's notes in the bars
};

// The bars alone, from their own tokens (they open with a Bar), with the piece's tempo and
// metre when the tokens lack them: to listen to or measure (harmonia eval) without the rest.
void write_excerpt(const tokenizer::Tokenizer& tok, const midi::Score& piece, const std::vector<int32_t>& bars,
                   const std::filesystem::path& path) {
  midi::Score score = gen::to_score(tok, bars);
  gen::carry_prompt_context(piece, tok, score);
  midi::write_midi_file(score, path.string());
}

std::filesystem::path with_suffix(std::filesystem::path p, const std::string& suffix) {
  p.replace_filename(p.stem().string() + suffix + p.extension().string());
  return p;
}

// "9-12" or "9" (bars count from 1, both ends included) -> first bar (0-based) and count.
std::pair<int64_t, int64_t> parse_bar_range(const std::string& text) {
  std::smatch m;
  if (!std::regex_match(text, m, std::regex(R"(\s*(\d{1,6})\s*(?:-\s*(\d{1,6}))?\s*)")))
    throw std::invalid_argument("--bars " + text + ": give a bar range such as 9-12 (bars count from 1)");
  const int64_t first = std::stoll(m[1].str()), last = m[2].matched ? std::stoll(m[2].str()) : first;
  if (first < 1 || last < first)
    throw std::invalid_argument("--bars " + text + ": the range must start at bar 1 or later and not end before it starts");
  return {first - 1, last - first + 1};
}

std::filesystem::path candidate_path(const std::filesystem::path& out, int i) {
  if (i == 0) return out;
  auto p = out;
  p.replace_filename(out.stem().string() + "-" + std::to_string(i + 1) + out.extension().string());
  return p;
}

// --program P: P's notes in the bars written again with every other note forced
// (generate::regenerate_part); the rest of the file is written back exactly as read.
int run_program_infill(const InfillOptions& o, int64_t first, int64_t count) {
  const auto bundle = gen::load_bundle(o.model_dir);
  const int program = *o.program;
  try {
    gen::check_add_part_tokenizer(*bundle.tokenizer, program);
  } catch (const gen::AddPartError& e) {
    throw std::invalid_argument(std::string("--program: ") + e.what());
  }
  midi::Score piece;
  try {
    piece = midi::read_midi_file(o.in);
  } catch (const std::exception& e) {
    throw std::invalid_argument("--in " + o.in + ": " + e.what());
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  double seconds = 0;
  for (int c = 0; c < std::max(1, o.settings.num_candidates); ++c) {
    gen::AddPartSettings s;
    s.program = program;
    s.temperature = o.settings.sampling.temperature;
    s.top_p = o.settings.sampling.top_p;
    s.seed = o.settings.seed + uint64_t(c);  // one seeded walk per candidate
    gen::AddPartResult r;
    try {
      r = gen::regenerate_part(*bundle.model, *bundle.tokenizer, piece, first, count, s);
    } catch (const gen::AddPartError& e) {
      throw std::invalid_argument(o.in + ": " + e.what());
    }
    seconds += r.seconds;
    const auto path = candidate_path(o.out, c);
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    midi::write_midi_file(r.score, path.string());
    list.push_back({{"file", path.string()}, {"notes", r.score.note_count()}, {"new_notes", r.added.size()},
                    {"sampled_tokens", r.sampled_tokens}});
  }
  std::cout << nlohmann::ordered_json{{"model", bundle.paths.model_dir.string()},
                                      {"in", o.in},
                                      {"bars", {first + 1, first + count}},
                                      {"program", program},
                                      {"seconds", seconds},
                                      {"candidates", list}}
                   .dump(2)
            << "\n";
  return 0;
}

int run_infill(const InfillOptions& o) {
  const auto [first, count] = parse_bar_range(o.bars);
  if (o.program) return run_program_infill(o, first, count);
  const auto bundle = gen::load_bundle(o.model_dir);
  gen::check_infill_model(*bundle.model, *bundle.tokenizer);  // before reading the piece: the likelier mistake
  midi::Score piece;
  try {
    piece = midi::read_midi_file(o.in);
  } catch (const std::exception& e) {
    throw std::invalid_argument("--in " + o.in + ": " + e.what());
  }
  gen::ScoreInfill filled;
  try {
    filled = gen::infill_score(*bundle.model, *bundle.tokenizer, piece, first, count, o.settings);
  } catch (const gen::InfillError& e) {
    throw std::invalid_argument(o.in + ": " + e.what());
  }
  if (!o.quiet)
    std::cerr << "filled bars " << first + 1 << "-" << first + count << " of " << filled.tokens.piece_bars << " ("
              << filled.tokens.prompt_tokens << " prompt tokens)\n";
  if (o.excerpts) {
    const auto& ids = filled.piece_ids;
    write_excerpt(*bundle.tokenizer, piece,
                  std::vector<int32_t>(ids.begin() + long(filled.tokens.middle_begin), ids.begin() + long(filled.tokens.middle_end)),
                  with_suffix(o.out, "-original-bars"));
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (size_t i = 0; i < filled.candidates.size(); ++i) {
    const auto path = candidate_path(o.out, int(i));
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    midi::write_midi_file(filled.candidates[i], path.string());
    if (o.excerpts) write_excerpt(*bundle.tokenizer, piece, filled.tokens.middles[i], with_suffix(path, "-bars"));
    list.push_back({{"file", path.string()},
                    {"notes", filled.candidates[i].note_count()},
                    {"middle_tokens", filled.tokens.middles[i].size()},
                    {"stop_reason", filled.tokens.stop_reasons[i]}});
  }
  std::cout << nlohmann::ordered_json{{"model", bundle.paths.model_dir.string()},
                                      {"in", o.in},
                                      {"bars", {first + 1, first + count}},
                                      {"piece_bars", filled.tokens.piece_bars},
                                      {"prompt_tokens", filled.tokens.prompt_tokens},
                                      {"seconds", filled.tokens.seconds},
                                      {"candidates", list}}
                   .dump(2)
            << "\n";
  return 0;
}

}  // namespace

void register_infill_command(CLI::App& app, CommandTable& table) {
  auto o = std::make_shared<InfillOptions>();
  auto* c = app.add_subcommand("infill", "Regenerate bars inside a MIDI file with a fill-in-the-middle model");
  c->add_option("--model", o->model_dir, "Model directory or run (trained with harmonia train --fim-rate)")->required();
  c->add_option("--in", o->in, "MIDI file whose bars are regenerated")->required()->check(CLI::ExistingFile);
  c->add_option("--bars", o->bars, "Bars to regenerate, e.g. 9-12 (from 1, both included)")->required();
  c->add_option("--out", o->out, "Output .mid (more candidates: OUT-2.mid, ...)")->required();
  auto& s = o->settings;
  c->add_option("--candidates", s.num_candidates, "Candidates, sampled as one batch")->check(CLI::Range(1, 64))->capture_default_str();
  c->add_option("--seed", s.seed, "Random seed (same seed = same candidates)")->capture_default_str();
  c->add_option("--temperature", s.sampling.temperature, "Sampling temperature (0: greedy)")->capture_default_str();
  c->add_option("--top-p", s.sampling.top_p, "Nucleus top-p on the pitch choice (1: off)")->capture_default_str();
  c->add_option("--max-tokens-per-bar", s.max_tokens_per_bar, "Token budget per filled bar")->check(CLI::Range(8, 4096))
      ->capture_default_str();
  c->add_flag("--excerpts", o->excerpts,
              "Also write the filled bars alone (OUT-bars.mid, OUT-2-bars.mid, ...) and the original ones "
              "(OUT-original-bars.mid)");
  c->add_option("--program", o->program,
                "Regenerate only this General MIDI program's notes in the bars (0-127, -1 = drums); the other "
                "instruments' notes stay exactly and the model hears them (any REMI model with Programs in one "
                "stream, FIM not needed)")
      ->check(CLI::Range(-1, 127));
  c->add_flag("--quiet", o->quiet, "No progress on stderr");
  table.add(c, [o] {
    try {
      return run_infill(*o);
    } catch (const std::exception& e) {
      std::cerr << "harmonia infill: " << e.what() << "\n";
      return 1;
    }
  });
}

}  // namespace harmonia::cli
