// `harmonia tokenizer train`: MidiTok's tokenizer.train from the command line — a BPE,
// Unigram or WordPiece model learned over a scheme's base tokens from a MIDI folder or an
// imported dataset's source files; writes a MidiTok 3 tokenizer.json.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "app/cli/cli_commands.hpp"
#include "core/data/default_corpus.hpp"
#include "core/data/token_cache.hpp"
#include "core/tokenizer/score_loader.hpp"
#include "core/tokenizer/tokenizer_training.hpp"

namespace harmonia::cli {

namespace {

using tokenizer::Tokenizer;
using tokenizer::TokenizerError;

struct TrainTokenizerArgs {
  std::string scheme, config, model = "bpe", out, input, split;
  size_t vocab_size = 0;
  int jobs = 0;
  bool quiet = false;
};

// A dataset folder trains on the files it was imported from, with its tokenizer's config.
void resolve_input(const std::string& input, std::vector<std::string>& files, std::unique_ptr<Tokenizer>& dataset_tok) {
  if (std::filesystem::exists(std::filesystem::path(input) / "manifest.json")) {
    const auto manifest = data::read_manifest(input);
    for (const auto& f : manifest.files) files.push_back(f.source);
    dataset_tok = Tokenizer::from_json(nlohmann::ordered_json::parse(manifest.tokenizer_json), input + "/manifest.json");
    return;
  }
  files = data::list_midi_files(input);
}

int run_train(const TrainTokenizerArgs& a) {
  tokenizer::SubwordKind kind;
  if (!tokenizer::subword_kind_from_name(a.model, kind)) throw TokenizerError("--model must be bpe, unigram or wordpiece");
  std::vector<std::string> files;
  std::unique_ptr<Tokenizer> base;
  resolve_input(a.input, files, base);
  if (files.empty()) throw TokenizerError(a.input + ": no MIDI files (.mid, .midi, .kar) found");
  if (!a.config.empty()) base = Tokenizer::load(a.config);
  tokenizer::TokenizerConfig config = base ? base->config() : tokenizer::TokenizerConfig{};
  if (!a.split.empty()) config.encode_ids_split = a.split;
  std::string scheme = !a.scheme.empty() ? a.scheme : base ? base->name() : "REMI";
  base = Tokenizer::create(scheme, config);
  const size_t vocab = a.vocab_size ? a.vocab_size : std::max<size_t>(1000, base->vocab_size() * 4);

  tokenizer::TokenizerTrainingOptions opt;
  opt.kind = kind;
  opt.vocab_size = vocab;
  opt.threads = unsigned(std::max(0, a.jobs));
  std::mutex mu;
  const auto t0 = std::chrono::steady_clock::now();
  if (!a.quiet)
    opt.progress = [&](const std::string& stage, size_t done, size_t total) {
      std::lock_guard<std::mutex> lock(mu);
      std::fprintf(stderr, "\r%s %zu/%zu   ", stage.c_str(), done, total);
      std::fflush(stderr);
    };
  tokenizer::TokenizerTrainingStats stats;
  auto trained = tokenizer::train_tokenizer(*base, files, opt, &stats);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  trained->save(a.out);
  if (!a.quiet) std::fprintf(stderr, "\n");

  // How much shorter the corpus gets: base tokens / learned ids, over the files read.
  size_t base_total = 0, learned_total = 0;
  const auto t1 = std::chrono::steady_clock::now();
  for (const auto& f : files) {
    try {
      const auto score = tokenizer::load_score_file_for_tokenizer(f);
      for (const auto& s : trained->encode_base(score).sequences) base_total += s.ids.size();
      for (const auto& s : trained->encode(score).sequences) learned_total += s.ids.size();
    } catch (const std::exception&) {
      // reported by the training pass already
    }
  }
  const double encode_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  nlohmann::ordered_json report;
  report["out"] = a.out;
  report["tokenizer"] = trained->name();
  report["model"] = std::string(tokenizer::subword_kind_name(kind));
  report["vocab_size"] = trained->model_vocab_size();
  report["base_vocab_size"] = trained->vocab_size();
  report["encode_ids_split"] = trained->config().encode_ids_split;
  report["files"] = stats.files;
  report["files_failed"] = stats.failed;
  report["base_tokens"] = stats.base_tokens;
  report["distinct_words"] = stats.distinct_words;
  report["read_seconds"] = stats.read_seconds;
  report["train_seconds"] = stats.train_seconds;
  report["seconds"] = seconds;
  report["files_per_second"] = seconds > 0 ? double(stats.files) / seconds : 0.0;
  report["tokens_per_second"] = seconds > 0 ? double(stats.base_tokens) / seconds : 0.0;
  report["encoded_tokens"] = learned_total;
  report["sequence_length_reduction"] = learned_total ? double(base_total) / double(learned_total) : 0.0;
  report["encode_tokens_per_second"] = encode_seconds > 0 ? double(base_total) / encode_seconds : 0.0;
  report["errors"] = stats.errors;
  std::cout << report.dump(2) << "\n";
  return 0;
}

}  // namespace

void register_tokenizer_train_command(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<TrainTokenizerArgs>();
  auto* group = app.add_subcommand("tokenizer", "Trained tokenizers (BPE, Unigram, WordPiece over a scheme's tokens)");
  group->require_subcommand(1);
  auto* train = group->add_subcommand(
      "train", "Learn a BPE/Unigram/WordPiece tokenizer from MIDI files (MidiTok's tokenizer.train); JSON report on stdout");
  train->add_option("input", args->input, "Folder of MIDI files (recursive) or an imported dataset folder")
      ->required()
      ->check(CLI::ExistingDirectory);
  train->add_option("--tokenizer", args->scheme, "Base scheme: remi (default), tsd, midilike")
      ->check(CLI::IsMember({"remi", "tsd", "midilike"}, CLI::ignore_case));
  train->add_option("--config", args->config, "Base MidiTok tokenizer.json (its config and scheme)")->check(CLI::ExistingFile);
  train->add_option("--model", args->model, "bpe (default), unigram or wordpiece")
      ->check(CLI::IsMember({"bpe", "unigram", "wordpiece"}, CLI::ignore_case));
  train->add_option("--vocab-size", args->vocab_size, "Learned vocabulary size (default: 4x the base, at least 1000)")
      ->check(CLI::Range(size_t(1), size_t(1) << 24));
  train->add_option("--split", args->split, "Cut sequences per bar (MidiTok's default), beat, or no")
      ->check(CLI::IsMember({"bar", "beat", "no"}));
  train->add_option("--out", args->out, "tokenizer.json to write")->required();
  train->add_option("--jobs", args->jobs, "Threads reading files (default: all cores)")->check(CLI::Range(0, 1024));
  train->add_flag("--quiet", args->quiet, "No progress line");
  table.add(train, [args] {
    try {
      return run_train(*args);
    } catch (const std::exception& e) {
      std::cerr << "harmonia tokenizer train: " << e.what() << "\n";
      return 1;
    }
  });
}

}  // namespace harmonia::cli
