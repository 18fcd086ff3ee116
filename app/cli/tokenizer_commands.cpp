// `harmonia tokenize` / `harmonia detokenize`: MIDI file <-> token JSON, in the layout of
// MidiTok's files (see core/tokenizer/token_json.hpp).
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli/cli_commands.hpp"
#include "core/midi/midi_file.hpp"
#include "core/tokenizer/score_loader.hpp"
#include "core/tokenizer/token_json.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::cli {

namespace {

using tokenizer::Tokenizer;
using tokenizer::TokenizerError;

std::unique_ptr<Tokenizer> pick_tokenizer(const std::string& scheme, const std::string& config_path) {
  if (config_path.empty()) {
    if (scheme.empty()) throw TokenizerError("give --tokenizer or --config");
    return Tokenizer::create(scheme);
  }
  auto tok = Tokenizer::load(config_path);
  if (!scheme.empty()) {
    auto named = Tokenizer::create(scheme, tok->config());  // --tokenizer picks the scheme
    return named;
  }
  return tok;
}

}  // namespace

void register_tokenizer_commands(CLI::App& app, CommandTable& table) {
  struct TokenizeArgs {
    std::string scheme, config, save_config, file;
  };
  auto args = std::make_shared<TokenizeArgs>();
  auto* tokenize = app.add_subcommand("tokenize", "Print the tokens of a MIDI file as JSON ({\"tokens\", \"ids\", ...})");
  tokenize->add_option("--tokenizer", args->scheme, "Scheme: remi, tsd, midilike, cpword, octuple")
      ->check(CLI::IsMember({"remi", "tsd", "midilike", "cpword", "octuple"}, CLI::ignore_case));
  tokenize->add_option("--config", args->config, "MidiTok tokenizer.json (its scheme unless --tokenizer is given)")
      ->check(CLI::ExistingFile);
  tokenize->add_option("--save-config", args->save_config, "Also write the tokenizer.json used (for detokenize)");
  tokenize->add_option("file", args->file, "MIDI file")->required();
  table.add(tokenize, [args] {
    try {
      auto tok = pick_tokenizer(args->scheme, args->config);
      const auto score = tokenizer::load_score_file_for_tokenizer(args->file);
      std::cout << tokenizer::encoding_to_json(*tok, tok->encode(score)).dump() << "\n";
      if (!args->save_config.empty()) tok->save(args->save_config);
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "harmonia tokenize: " << e.what() << "\n";
      return 1;
    }
  });

  struct DetokenizeArgs {
    std::string config, tokens, out;
  };
  auto dargs = std::make_shared<DetokenizeArgs>();
  auto* detokenize = app.add_subcommand("detokenize", "Turn a token JSON file back into a MIDI file");
  detokenize->add_option("--config", dargs->config, "tokenizer.json")->required()->check(CLI::ExistingFile);
  detokenize->add_option("tokens", dargs->tokens, "Token JSON (from `harmonia tokenize` or MidiTok)")
      ->required()
      ->check(CLI::ExistingFile);
  detokenize->add_option("--out", dargs->out, "MIDI file to write")->required();
  table.add(detokenize, [dargs] {
    try {
      auto tok = Tokenizer::load(dargs->config);
      std::ifstream in(dargs->tokens);
      nlohmann::ordered_json j;
      try {
        j = nlohmann::ordered_json::parse(in);
      } catch (const nlohmann::ordered_json::exception& e) {
        throw TokenizerError(dargs->tokens + ": not valid JSON (" + e.what() + ")");
      }
      const auto parsed = tokenizer::tokens_from_json(*tok, j);
      tokenizer::DecodeReport report;
      const auto score = parsed.base_ids ? tok->decode_base(parsed.sequences, parsed.programs, &report)
                                         : tok->decode(parsed.sequences, parsed.programs, &report);
      midi::write_midi_file(score, dargs->out);
      std::cerr << "harmonia detokenize: " << report.notes << " notes from " << report.tokens_read << " tokens ("
                << report.tokens_dropped << " dropped) -> " << dargs->out << "\n";
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "harmonia detokenize: " << e.what() << "\n";
      return 1;
    }
  });
}

}  // namespace harmonia::cli
