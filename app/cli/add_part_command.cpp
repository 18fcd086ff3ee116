// `harmonia add-part --model M --in IN.mid --program 33 [--seed S] --out OUT.mid`: a new
// track for one General MIDI program under an existing piece (core/generate/add_part.hpp).
// The piece's notes are written back unchanged; the new part is the last track.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/cli_commands.hpp"
#include "core/generate/add_part.hpp"
#include "core/generate/model_bundle.hpp"
#include "core/midi/gm_programs.hpp"
#include "core/midi/midi_file.hpp"

namespace harmonia::cli {
namespace {

struct AddPartOptions {
  std::string model_dir, in, out;
  generate::AddPartSettings settings;
};

int run_add_part(const AddPartOptions& o) {
  const auto bundle = generate::load_bundle(o.model_dir);
  // Refused before the piece is read: a model that cannot add parts says so first.
  generate::check_add_part_tokenizer(*bundle.tokenizer, o.settings.program);
  const midi::Score piece = midi::read_midi_file(o.in);
  if (piece.note_count() == 0) throw std::invalid_argument(o.in + ": no notes to add a part to");
  const auto r = generate::add_part(*bundle.model, *bundle.tokenizer, piece, o.settings);
  midi::write_midi_file(r.score, o.out);
  std::cout << nlohmann::ordered_json{{"out", o.out},
                                      {"program", o.settings.program},
                                      {"instrument", midi::gm_program_name(o.settings.program)},
                                      {"notes_kept", piece.note_count()},
                                      {"notes_added", r.added.size()},
                                      {"tokens_forced", r.forced_tokens},
                                      {"tokens_sampled", r.sampled_tokens},
                                      {"seed", o.settings.seed},
                                      {"seconds", r.seconds}}
                   .dump(2)
            << "\n";
  if (r.added.empty())
    std::cerr << "harmonia add-part: the model added no note; try another --seed, a higher --temperature, or more "
                 "training\n";
  return r.added.empty() ? 1 : 0;
}

}  // namespace

void register_add_part_command(CLI::App& app, CommandTable& table) {
  auto o = std::make_shared<AddPartOptions>();
  auto* c = app.add_subcommand("add-part", "Add a track for one General MIDI program under a piece, conditioned on it");
  c->add_option("--model", o->model_dir, "Model directory, or a run directory holding model/ (REMI with Programs)")
      ->required();
  c->add_option("--in", o->in, "The piece (.mid)")->required()->check(CLI::ExistingFile);
  c->add_option("--program", o->settings.program, "General MIDI program of the new part (0-127, -1: drums)")
      ->required()
      ->check(CLI::Range(-1, 127));
  c->add_option("--seed", o->settings.seed, "Random seed (same seed = same part)")->capture_default_str();
  c->add_option("--temperature", o->settings.temperature, "Sampling temperature (0: greedy)")->capture_default_str();
  c->add_option("--top-p", o->settings.top_p, "Nucleus over the pitch choice (1: off)")->capture_default_str();
  c->add_option("--max-notes-per-onset", o->settings.max_notes_per_onset, "Most new notes starting together")
      ->capture_default_str()
      ->check(CLI::Range(1, 32));
  c->add_option("--out", o->out, "Output .mid: the piece unchanged plus the new track")->required();
  table.add(c, [o] { return run_add_part(*o); });
}

}  // namespace harmonia::cli
