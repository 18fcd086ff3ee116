// `harmonia demo`: the README's main job. It runs the pipeline as far as the engine goes on
// the default corpus (the MIDI files of Debian packages): parse every file, import it into a
// REMI token cache in parallel, and print what the dataset holds.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/cli_commands.hpp"
#include "core/data/dataset_stats.hpp"
#include "core/data/default_corpus.hpp"
#include "core/data/import_job.hpp"
#include "core/data/token_dataset.hpp"
#include "core/midi/midi_file.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::cli {

namespace {

// Step 1: parse every file and summarise the corpus.
bool summarise_corpus(const std::vector<std::string>& files) {
  const auto start = std::chrono::steady_clock::now();
  size_t ok = 0, notes = 0, tracks = 0;
  double seconds = 0;
  for (const auto& path : files) {
    try {
      const auto score = midi::read_midi_file(path);
      ++ok;
      notes += score.note_count();
      tracks += score.tracks.size();
      seconds += score.duration_seconds();
    } catch (const std::exception& e) {
      std::cerr << "skipped: " << e.what() << "\n";
    }
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "1. Corpus: " << ok << " of " << files.size() << " MIDI files parsed in " << elapsed << " s: " << tracks
            << " tracks, " << notes << " notes, " << seconds / 60.0 << " minutes of music.\n";
  return ok > 0;
}

// Step 2: tokenize into an on-disk dataset (REMI, MidiTok's defaults).
bool import_corpus(const std::string& corpus_dir, const std::filesystem::path& out) {
  std::shared_ptr<const tokenizer::Tokenizer> remi = tokenizer::Tokenizer::create("REMI");
  data::ImportOptions options;
  options.input_dir = corpus_dir;
  options.dataset_dir = (out / "dataset").string();
  const auto report = data::import_dataset(remi, options);
  std::cout << "2. Dataset (REMI): " << report.files_in_dataset << " files, " << report.total_tokens
            << " tokens in " << report.seconds << " s (" << report.tokenized << " tokenized, " << report.reused
            << " reused from the cache, " << report.skipped.size() << " skipped) -> " << options.dataset_dir << "\n";
  for (const auto& s : report.skipped) std::cout << "   skipped " << s.path << ": " << s.reason << "\n";
  const auto dataset = data::TokenDataset::open(options.dataset_dir);
  const auto stats = data::compute_stats(*dataset, 5);
  std::cout << "   most frequent tokens:";
  for (const auto& [token, count] : stats.top_tokens) std::cout << " " << token << " (" << count << ")";
  std::cout << "\n";
  return report.files_in_dataset > 0;
}

}  // namespace

void register_demo_command(CLI::App& app, CommandTable& table) {
  auto* demo = app.add_subcommand("demo", "Run the pipeline on the default corpus (Debian's packaged MIDI files)");
  auto dir = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>("harmonia-demo");
  demo->add_option("--corpus", *dir, "Use this folder instead of the default corpus");
  demo->add_option("--out", *out, "Where the demo writes its dataset and results")->capture_default_str();
  table.add(demo, [dir, out] {
    const std::filesystem::path out_dir(*out);
    std::vector<std::string> files;
    std::string corpus_dir = *dir;
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
    if (!summarise_corpus(files)) return 1;
    const bool ok = import_corpus(corpus_dir, out_dir);
    return ok ? 0 : 1;
  });
}

}  // namespace harmonia::cli
