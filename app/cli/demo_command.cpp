// `harmonia demo`: the README's main job, end to end on the default corpus (the MIDI files of
// Debian packages): parse every file, import it into a token cache (REMI over whole
// arrangements, silence tidied away: core/generate/music_recipe.hpp), train a GPT-2 for a few
// minutes (bf16 where the CPU has it), sample a piece of about 24 bars and render it to audio.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/cli_commands.hpp"
#include "app/cli/train_run.hpp"
#include "core/audio/offline_renderer.hpp"
#include "core/audio/soundfont_locator.hpp"
#include "core/data/dataset_stats.hpp"
#include "core/data/default_corpus.hpp"
#include "core/data/import_job.hpp"
#include "core/tokenizer/tokenizer_training.hpp"
#include "core/data/token_dataset.hpp"
#include "core/generate/generation_output.hpp"
#include "core/generate/generator.hpp"
#include "core/generate/model_bundle.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/midi/midi_file.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::cli {

namespace {

// Step 1: parse every file and summarise the corpus. A corpus with nothing but drums or
// empty files cannot teach melody: say so instead of training on it.
bool summarise_corpus(const std::vector<std::string>& files, const std::string& where) {
  const auto start = std::chrono::steady_clock::now();
  size_t ok = 0, notes = 0, pitched = 0, tracks = 0;
  double seconds = 0;
  for (const auto& path : files) {
    try {
      const auto score = midi::read_midi_file(path);
      ++ok;
      notes += score.note_count();
      tracks += score.tracks.size();
      seconds += score.duration_seconds();
      for (const auto& t : score.tracks)
        if (!t.is_drum) pitched += t.notes.size();
    } catch (const std::exception& e) {
      std::cerr << "skipped: " << e.what() << "\n";
    }
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "1. Corpus: " << ok << " of " << files.size() << " MIDI files parsed in " << elapsed << " s: " << tracks
            << " tracks, " << notes << " notes, " << seconds / 60.0 << " minutes of music.\n";
  if (ok == 0) {
    std::cerr << "harmonia demo: no readable MIDI file in " << where << "\n";
    return false;
  }
  if (pitched == 0) {
    std::cerr << "harmonia demo: the " << ok << " readable files in " << where
              << (notes == 0 ? " hold no notes at all" : " hold only drum notes")
              << ": a model needs pitched notes (melody, chords, bass) to learn music from. Pass --corpus DIR with "
                 "other MIDI files.\n";
    return false;
  }
  return true;
}

struct DemoOptions {
  std::string corpus, out = "harmonia-demo", soundfont, preset = "tiny", precision = "auto";
  std::string tokenizer_model = "none";  // or bpe, unigram, wordpiece (issue 16)
  size_t tokenizer_vocab = 1000;
  double train_seconds = 180;
  int64_t bars = generate::kPieceBars, context = 256, batch_size = 16;
  uint64_t seed = 1234;
};

// Step 2a (--tokenizer-model): learn BPE/Unigram/WordPiece tokens over the REMI tokens of the
// corpus, as MidiTok's tokenizer.train does.
std::shared_ptr<const tokenizer::Tokenizer> train_corpus_tokenizer(const DemoOptions& o, const tokenizer::Tokenizer& remi,
                                                                   const std::vector<std::string>& files) {
  tokenizer::TokenizerTrainingOptions opt;
  if (!tokenizer::subword_kind_from_name(o.tokenizer_model, opt.kind))
    throw std::runtime_error("--tokenizer-model must be none, bpe, unigram or wordpiece");
  opt.vocab_size = o.tokenizer_vocab;
  tokenizer::TokenizerTrainingStats stats;
  std::shared_ptr<const tokenizer::Tokenizer> trained = tokenizer::train_tokenizer(remi, files, opt, &stats);
  const double seconds = stats.read_seconds + stats.train_seconds;
  std::cout << "2a. Tokenizer: " << tokenizer::subword_kind_name(opt.kind) << " with " << trained->model_vocab_size()
            << " tokens learned over " << remi.vocab_size() << " REMI tokens from " << stats.files - stats.failed
            << " files in " << seconds << " s (" << static_cast<int64_t>(double(stats.base_tokens) / std::max(seconds, 1e-9))
            << " REMI tokens/s)\n";
  return trained;
}

// Base tokens per model token over the dataset: 1 for plain REMI, more with a trained
// tokenizer; the validation loss per base token (nats) is comparable across tokenizers.
double base_tokens_per_token(const std::filesystem::path& dataset_dir) {
  const auto dataset = data::TokenDataset::open(dataset_dir.string());
  const auto& tok = dataset->tokenizer();
  if (!tok.is_trained()) return 1.0;
  size_t base = 0, learned = 0;
  for (const auto& file : dataset->files())
    for (const auto& seq : file.sequences) {
      const int32_t* ids = dataset->ids(seq);
      learned += seq.steps;
      for (size_t i = 0; i < seq.steps; ++i) base += tok.subword()->base_ids(ids[i]).size();
    }
  return learned ? double(base) / double(learned) : 1.0;
}

// Step 2: tokenize into an on-disk dataset: REMI over whole arrangements (programs, tempos,
// time signatures), scores tidied of long silences first.
bool import_corpus(const DemoOptions& o, const std::string& corpus_dir, const std::vector<std::string>& files,
                   const std::filesystem::path& out) {
  std::shared_ptr<const tokenizer::Tokenizer> remi =
      tokenizer::Tokenizer::create("REMI", generate::arrangement_tokenizer_config());
  if (o.tokenizer_model != "none") remi = train_corpus_tokenizer(o, *remi, files);
  data::ImportOptions options;
  options.input_dir = corpus_dir;
  options.dataset_dir = (out / "dataset").string();
  options.tidy = generate::training_tidy_options();
  const auto report = data::import_dataset(remi, options);
  std::cout << "2. Dataset (REMI" << (remi->is_trained() ? " + " + std::string(tokenizer::subword_kind_name(remi->subword()->kind())) : "")
            << ", one stream with programs, tempos and time signatures): " << report.files_in_dataset
            << " files, " << report.total_tokens << " tokens in " << report.seconds << " s (" << report.tokenized
            << " tokenized, " << report.reused << " reused from the cache, " << report.skipped.size() << " skipped) -> "
            << options.dataset_dir << "\n";
  if (report.tokenized > 0)
    std::cout << "   silence removed before tokenizing: " << report.tidied.leading_bars << " leading, "
              << report.tidied.trailing_bars << " trailing and " << report.tidied.empty_bars
              << " empty bars inside pieces (" << report.tidied.bars_kept << " bars kept)\n";
  for (const auto& s : report.skipped) std::cout << "   skipped " << s.path << ": " << s.reason << "\n";
  const auto dataset = data::TokenDataset::open(options.dataset_dir);
  const auto stats = data::compute_stats(*dataset, 5);
  if (remi->is_trained())
    std::cout << "   " << base_tokens_per_token(options.dataset_dir) << " REMI tokens per learned token\n";
  std::cout << "   most frequent tokens:";
  for (const auto& [token, count] : stats.top_tokens) std::cout << " " << token << " (" << count << ")";
  std::cout << "\n";
  return report.files_in_dataset > 0;
}

// Step 3: the tiny preset (~0.86M parameters) for a fixed time budget, cosine over the budget.
bool train_model(const DemoOptions& o, const std::filesystem::path& out) {
  TrainArgs a;
  a.dataset = (out / "dataset").string();
  a.out = (out / "run").string();
  a.preset = o.preset;
  a.batch_size = o.batch_size;
  a.context = o.context;
  a.precision = o.precision;
  a.min_window_notes = generate::kMinWindowNotes;
  a.max_steps = 1000000;  // the time budget ends the run
  a.time_budget = o.train_seconds;
  a.schedule_over_time = true;
  a.warmup = 50;
  a.lr = 1e-3;
  a.log_every = 1;
  a.eval_batches = 16;
  a.seed = o.seed;
  std::filesystem::remove_all(a.out);  // a fresh run each time (the dataset cache is reused)
  std::cout << "3. Training the " << o.preset << " preset's model for " << o.train_seconds << " s -> " << a.out << "\n"
            << std::flush;
  const auto result = run_training(a);
  std::cout << "   " << result.steps << " steps, " << static_cast<int64_t>(result.tokens_per_s)
            << " tokens/s, train loss " << result.last_train_loss << ", validation loss " << result.last_val_loss
            << " (perplexity " << std::exp(result.last_val_loss) << ")\n";
  const double per_token = base_tokens_per_token(out / "dataset");
  if (per_token > 1.0)
    std::cout << "   validation loss per REMI token " << result.last_val_loss / per_token << " (" << per_token
              << " REMI tokens per learned token)\n";
  return result.steps > 0;
}

// Step 4: sample a piece from scratch with the trained model (core/generate, as `harmonia generate`).
std::filesystem::path generate_piece(const DemoOptions& o, const std::filesystem::path& out) {
  namespace gen = harmonia::generate;
  const auto bundle = gen::load_bundle(out / "run");
  gen::Generator generator(bundle.model, bundle.tokenizer);
  const auto settings = gen::piece_settings(o.bars, o.seed, bundle.music);
  const auto result = generator.generate({}, settings);
  tokenizer::DecodeReport report;
  auto score = gen::to_score(*bundle.tokenizer, result.sequences.at(0), 0, &report);
  gen::apply_music_defaults(bundle.music, score);
  if (score.note_count() == 0)
    throw std::runtime_error("the model generated no notes (" + std::to_string(result.new_tokens) +
                             " tokens, stop: " + result.stop_reasons.at(0) +
                             "); train longer (--train-seconds) or on more music (--corpus)");
  const auto path = out / "generated.mid";
  gen::write_generation(score, path, settings,
                        {{"model", bundle.paths.model_dir.string()}, {"stop_reason", result.stop_reasons.at(0)}});
  size_t tracks = 0;
  for (const auto& t : score.tracks) tracks += !t.notes.empty();
  std::cout << "4. Generated " << result.new_tokens << " tokens in " << result.seconds << " s: " << score.note_count()
            << " notes on " << tracks << " track" << (tracks == 1 ? "" : "s") << ", " << score.duration_seconds()
            << " s of music (stop: " << result.stop_reasons.at(0) << ") -> " << path.string() << "\n";
  return path;
}

// Step 5: render it with FluidSynth and the General MIDI SoundFont (no sound card needed).
void render_piece(const DemoOptions& o, const std::filesystem::path& midi, const std::filesystem::path& out) {
  audio::RenderOptions options;
  try {
    options.synth.soundfont = audio::find_soundfont(o.soundfont);
  } catch (const std::exception& e) {
    std::cout << "5. No audio: " << e.what() << "\n";
    return;
  }
  const auto wav = out / "generated.wav";
  const auto summary =
      audio::render_midi_file_to_wav(midi.string(), wav.string(), options, audio::SampleFormat::Int16);
  std::cout << "5. Rendered " << summary.seconds() << " s of audio with " << options.synth.soundfont.filename().string()
            << " -> " << wav.string() << "\n";
}

}  // namespace

void register_demo_command(CLI::App& app, CommandTable& table) {
  auto* demo = app.add_subcommand("demo", "Run the whole pipeline on the default corpus: import, train, generate, render");
  auto o = std::make_shared<DemoOptions>();
  demo->add_option("--corpus", o->corpus, "Use this folder instead of the default corpus");
  demo->add_option("--out", o->out, "Where the demo writes its dataset, run and results")->capture_default_str();
  demo->add_option("--train-seconds", o->train_seconds, "Training time budget (evaluation excluded)")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e6));
  demo->add_option("--bars", o->bars, "Length of the generated piece in bars")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(1), int64_t(1000)));
  demo->add_option("--preset", o->preset, "Model size (tiny, small, ...: harmonia model presets)")->capture_default_str();
  demo->add_option("--context", o->context, "Training window in tokens")->capture_default_str();
  demo->add_option("--batch-size", o->batch_size, "Windows per step")->capture_default_str();
  demo->add_option("--precision", o->precision, "auto (bf16 where the CPU has it), fp32 or bf16")
      ->check(CLI::IsMember({"auto", "fp32", "bf16"}))
      ->capture_default_str();
  demo->add_option("--seed", o->seed, "Seed for training and sampling")->capture_default_str();
  demo->add_option("--tokenizer-model", o->tokenizer_model,
                   "none (plain REMI), or learn bpe, unigram or wordpiece tokens from the corpus first")
      ->check(CLI::IsMember({"none", "bpe", "unigram", "wordpiece"}, CLI::ignore_case))
      ->capture_default_str();
  demo->add_option("--tokenizer-vocab", o->tokenizer_vocab, "Learned vocabulary size with --tokenizer-model")
      ->check(CLI::Range(size_t(300), size_t(100000)))
      ->capture_default_str();
  demo->add_option("--soundfont", o->soundfont, "SoundFont for the .wav (default: soundfonts/, then the system's GM font)");
  table.add(demo, [o] {
    const std::filesystem::path out_dir(o->out);
    std::vector<std::string> files;
    std::string corpus_dir = o->corpus;
    if (corpus_dir.empty()) {
      // The default corpus spans several package folders: gather it into one folder of links.
      files = data::default_corpus_files();
      corpus_dir = (out_dir / "corpus").string();
      std::filesystem::create_directories(corpus_dir);
      for (const auto& f : files) {
        const std::filesystem::path src(f);
        const auto link = std::filesystem::path(corpus_dir) / (src.parent_path().filename().string() + "-" + src.filename().string());
        std::error_code ec;
        if (!std::filesystem::exists(std::filesystem::symlink_status(link))) std::filesystem::create_symlink(src, link, ec);
      }
    } else {
      files = data::list_midi_files(corpus_dir);
    }
    if (files.empty()) {
      std::cerr << "harmonia demo: no MIDI files found. Install the default corpus with\n"
                   "  sudo apt-get install openttd-openmsx planetblupi-music-midi\n"
                   "or pass --corpus DIR.\n";
      return 1;
    }
    try {
      if (!summarise_corpus(files, o->corpus.empty() ? "the default corpus" : o->corpus)) return 1;
      if (!import_corpus(*o, corpus_dir, files, out_dir)) return 1;
      if (!train_model(*o, out_dir)) return 1;
      const auto midi = generate_piece(*o, out_dir);
      render_piece(*o, midi, out_dir);
    } catch (const std::exception& e) {
      std::cerr << "\nharmonia demo: " << e.what() << "\n";
      return 1;
    }
    std::cout << "Done. Listen to " << (out_dir / "generated.wav").string() << " (or play the MIDI with: harmonia play "
              << (out_dir / "generated.mid").string() << ")\n";
    return 0;
  });
}

}  // namespace harmonia::cli
