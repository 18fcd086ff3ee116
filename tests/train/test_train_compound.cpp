// Training on compound-token datasets (CPWord, Octuple): batches are [B, T, fields] with
// BOS/EOS in every field and -100 labels at padding; a compound model overfits a few windows;
// `harmonia train` on an imported corpus writes a model whose config.json records the field
// vocabularies, resumes to the uninterrupted weights, runs as 2 data-parallel ranks, and
// `harmonia generate` samples a MIDI file from the run.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/data/import_job.hpp"
#include "core/midi/midi_file.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"
#include "core/train/dataset_batch_source.hpp"
#include "core/train/model_setup.hpp"
#include "core/train/trainer.hpp"
#include "data/data_fixtures.hpp"
#include "test_paths.hpp"
#include "train_test_util.hpp"

using namespace harmonia;
namespace fs = std::filesystem;

namespace {

// Per-test folder: ctest runs every test as its own process, in parallel, and scratch_dir()
// empties the folder it returns.
fs::path test_folder(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = prefix + "_" + info->name();
  for (char& c : name)
    if (c == '/') c = '_';
  return test::scratch_dir(name);
}

// Synthetic songs (tests/data/data_fixtures.hpp) imported with `scheme`.
std::string import_songs(const fs::path& dir, const std::string& scheme, int count, int bars) {
  test::write_songs(dir / "in", count, bars);
  data::ImportOptions o;
  o.input_dir = (dir / "in").string();
  o.dataset_dir = (dir / "ds").string();
  data::import_dataset(tokenizer::Tokenizer::create(scheme), o);
  return o.dataset_dir;
}

std::shared_ptr<model::CausalLM> compound_model(const tokenizer::Tokenizer& tok, int64_t context, uint64_t seed) {
  auto config = model::preset_config("tiny", "gpt2", static_cast<int64_t>(tok.vocab_size()));
  config.num_hidden_layers = 2;
  config.hidden_size = 64;
  config.head_dim = 16;
  config.intermediate_size = 256;
  config.max_position_embeddings = context;
  for (const auto& v : tok.vocabs()) config.compound.field_vocab_sizes.push_back(static_cast<int64_t>(v.size()));
  torch::manual_seed(seed);
  return model::create_model(config);
}

bool all_fields_are(const torch::Tensor& step, const tokenizer::Tokenizer& tok, const char* text) {
  for (size_t f = 0; f < tok.num_fields(); ++f)
    if (step[static_cast<int64_t>(f)].item<int64_t>() != tok.vocab(f).id(text)) return false;
  return true;
}

class CompoundScheme : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(CompoundScheme, BatchesHaveAFieldsAxisBosEosAndIgnoredPadding) {
  const auto dir = test_folder("train_compound_batches");
  auto dataset = data::TokenDataset::open(import_songs(dir, GetParam(), 4, 6));
  const auto& tok = dataset->tokenizer();
  ASSERT_TRUE(tok.is_compound());
  const int64_t F = static_cast<int64_t>(tok.num_fields());
  data::ChunkOptions chunk;
  chunk.max_seq_len = 24;
  chunk.min_len = 4;
  std::vector<size_t> files(dataset->num_files());
  for (size_t i = 0; i < files.size(); ++i) files[i] = i;
  auto windows = data::chunk_files(*dataset, files, chunk);
  train::DatasetSourceOptions o;
  o.batch_size = 2;
  o.shuffle = false;
  o.pad_to_context = true;
  train::DatasetBatchSource source(dataset, windows, chunk, o);

  // With no shuffling the epoch reads the windows in order: every window that starts a
  // sequence begins with BOS in every field, every one that ends it finishes with EOS.
  size_t bos_expected = 0, eos_expected = 0, bos_seen = 0, eos_seen = 0, real = 0;
  const size_t read = static_cast<size_t>(source.batches_per_epoch() * o.batch_size);
  for (size_t w = 0; w < read; ++w) {
    bos_expected += windows[w].begin == 0;
    eos_expected += windows[w].end == dataset->sequence(windows[w].ref).steps + 2;
    real += windows[w].length();
  }
  ASSERT_GT(bos_expected, 0u);
  for (int64_t b = 0; b < source.batches_per_epoch(); ++b) {
    const auto batch = source.next();
    ASSERT_EQ(batch.input_ids.dim(), 3);
    EXPECT_EQ(batch.input_ids.size(0), o.batch_size);
    EXPECT_EQ(batch.input_ids.size(1), static_cast<int64_t>(chunk.max_seq_len));
    EXPECT_EQ(batch.input_ids.size(2), F);
    EXPECT_EQ(batch.labels.sizes(), batch.input_ids.sizes());
    EXPECT_EQ(batch.attention_mask.dim(), 2);
    for (int64_t f = 0; f < F; ++f) {
      const auto ids = batch.input_ids.select(2, f);
      EXPECT_GE(ids.min().item<int64_t>(), 0);
      EXPECT_LT(ids.max().item<int64_t>(), static_cast<int64_t>(tok.vocab(static_cast<size_t>(f)).size()));
      // Labels: the ids where the mask is 1, -100 (ignored) in every field where it is 0.
      const auto lab = batch.labels.select(2, f);
      const auto on = batch.attention_mask.eq(1);
      EXPECT_TRUE(lab.masked_select(on).equal(ids.masked_select(on)));
      EXPECT_TRUE(lab.masked_select(on.logical_not()).eq(train::kIgnoreLabel).all().item<bool>());
    }
    for (int64_t r = 0; r < o.batch_size; ++r) {
      const int64_t len = batch.attention_mask[r].sum().item<int64_t>();
      bos_seen += all_fields_are(batch.input_ids[r][0], tok, "BOS_None");
      eos_seen += all_fields_are(batch.input_ids[r][len - 1], tok, "EOS_None");
    }
  }
  EXPECT_EQ(bos_seen, bos_expected);
  EXPECT_EQ(eos_seen, eos_expected);
  EXPECT_GT(real, 0u);
}

TEST_P(CompoundScheme, ATinyCompoundModelOverfitsAFewWindows) {
  const auto dir = test_folder("train_compound_overfit");
  auto dataset = data::TokenDataset::open(import_songs(dir, GetParam(), 2, 8));
  data::ChunkOptions chunk;
  chunk.max_seq_len = 32;
  chunk.min_len = 8;
  auto windows = data::chunk_files(*dataset, {0, 1}, chunk);
  ASSERT_GE(windows.size(), 4u);
  windows.resize(4);
  train::DatasetSourceOptions o;
  o.batch_size = 4;
  o.shuffle = false;
  train::DatasetBatchSource source(dataset, windows, chunk, o);
  auto lm = compound_model(dataset->tokenizer(), 32, 11);

  const double before = train::evaluate(*lm, source, 0, false);
  train::TrainConfig config;
  config.max_steps = 60;
  config.lr = 1e-2;
  config.schedule = "constant";
  config.weight_decay = 0.0;
  config.seed = 11;
  const auto result = train::train(config, *lm, source);
  source.rewind();
  const double after = train::evaluate(*lm, source, 0, false);
  std::cout << "[" << GetParam() << " overfit] mean field loss " << before << " -> " << after << " in "
            << result.steps << " steps\n";
  ASSERT_TRUE(std::isfinite(before) && std::isfinite(after));
  EXPECT_EQ(result.steps, 60);
  EXPECT_GT(before, 1.5);         // untrained: about the mean log of the field vocabularies
  EXPECT_LT(after, 0.25 * before);  // it learned these four windows
}

// MIDI files tokenized in memory (the GUI's training page) give the windows an import gives,
// and [B, T, fields] batches.
TEST_P(CompoundScheme, FileSourcesCutTheSameWindowsAsAnImport) {
  const auto dir = test_folder("train_compound_files");
  auto dataset = data::TokenDataset::open(import_songs(dir, GetParam(), 6, 6));
  const auto& tok = dataset->tokenizer();
  data::ChunkOptions chunk;
  chunk.max_seq_len = 24;
  chunk.min_len = 4;
  std::vector<size_t> all(dataset->num_files());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::vector<std::vector<int64_t>> imported;
  for (const auto& w : data::chunk_files(*dataset, all, chunk)) {
    const auto v = data::window_ids(*dataset, w, chunk);
    imported.emplace_back(v.begin(), v.end());
  }
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir / "in"))
    if (e.is_regular_file()) files.push_back(e.path().string());
  auto mem = train::tokenize_files(files, tok, chunk, 0.0);
  EXPECT_TRUE(mem.skipped.empty());
  EXPECT_EQ(mem.fields, static_cast<int64_t>(tok.num_fields()));
  std::sort(imported.begin(), imported.end());
  std::sort(mem.train.begin(), mem.train.end());
  EXPECT_EQ(imported, mem.train);

  const auto tok_json = (dir / "tokenizer.json").string();
  tok.save(tok_json);
  train::InMemoryOptions o;
  o.batch_size = 4;
  auto sources = train::make_file_sources(files, tok_json, chunk, o, 0.2);
  ASSERT_TRUE(sources.train && sources.validation);
  const auto batch = sources.train->next();
  const int64_t F = static_cast<int64_t>(tok.num_fields());
  EXPECT_EQ(batch.input_ids.sizes(), (std::vector<int64_t>{4, 24, F}));
  EXPECT_EQ(batch.labels.sizes(), batch.input_ids.sizes());
  for (int64_t f = 0; f < F; ++f) {
    const auto ids = batch.input_ids.select(2, f);
    const auto pad = tok.vocab(static_cast<size_t>(f)).id("PAD_None");
    EXPECT_LT(ids.max().item<int64_t>(), static_cast<int64_t>(tok.vocab(static_cast<size_t>(f)).size()));
    const auto off = batch.attention_mask.eq(0);
    EXPECT_TRUE(ids.masked_select(off).eq(pad).all().item<bool>());
    EXPECT_TRUE(batch.labels.select(2, f).masked_select(off).eq(train::kIgnoreLabel).all().item<bool>());
  }
  // A compound model trains on them.
  auto lm = model::create_model(train::model_config_for("tiny", "gpt2", tok, 24));
  train::TrainConfig config;
  config.max_steps = 2;
  const auto result = train::train(config, *lm, *sources.train, sources.validation.get());
  EXPECT_EQ(result.steps, 2);
  EXPECT_TRUE(std::isfinite(result.last_train_loss) && std::isfinite(result.last_val_loss));
}

INSTANTIATE_TEST_SUITE_P(Train, CompoundScheme, ::testing::Values("CPWord", "Octuple"));

TEST(TrainCompound, ModelConfigForATokenizerAndTheResumeCheck) {
  const auto cp = tokenizer::Tokenizer::create("CPWord");
  const auto remi = tokenizer::Tokenizer::create("REMI");
  const auto config = train::model_config_for("tiny", "gpt2", *cp, 512);
  ASSERT_EQ(config.compound.field_vocab_sizes.size(), cp->num_fields());
  for (size_t f = 0; f < cp->num_fields(); ++f)
    EXPECT_EQ(config.compound.field_vocab_sizes[f], static_cast<int64_t>(cp->vocab(f).size()));
  EXPECT_GE(config.max_position_embeddings, 512);
  EXPECT_FALSE(train::model_config_for("tiny", "gpt2", *remi, 64).compound.enabled());
  EXPECT_NO_THROW(train::check_model_fits(config, *cp));
  EXPECT_THROW(train::check_model_fits(config, *remi), std::invalid_argument);
  EXPECT_THROW(train::check_model_fits(train::model_config_for("tiny", "gpt2", *remi, 64), *cp), std::invalid_argument);
  auto narrow = config;
  narrow.compound.field_vocab_sizes[1] -= 1;
  EXPECT_THROW(train::check_model_fits(narrow, *cp), std::invalid_argument);
  auto fewer = config;
  fewer.compound.field_vocab_sizes.pop_back();
  EXPECT_THROW(train::check_model_fits(fewer, *cp), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------
// The command line on real music: a few files of ../shared/data/midi/pop909.

namespace {

using train::test::quoted;
using train::test::run_cli;
using train::test::train_losses;

class CompoundCli : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(CompoundCli, TrainsResumesAndGeneratesFromAPop909Import) {
  HARMONIA_REQUIRE_SHARED();
  const auto pop = test::shared_dir() / "data" / "midi" / "pop909";
  if (!fs::exists(pop / "001.mid")) GTEST_SKIP() << "no pop909 files under " << pop;
  const auto dir = test_folder("train_compound_cli");
  for (const char* name : {"001.mid", "002.mid", "003.mid", "004.mid"}) {
    fs::create_directories(dir / "in");
    fs::copy_file(pop / name, dir / "in" / name);
  }
  std::string scheme = GetParam();
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  ASSERT_EQ(run_cli("dataset import " + quoted(dir / "in") + " --tokenizer " + scheme + " --out " + quoted(dir / "ds"),
                    dir / "import.txt"),
            0)
      << test::read_all(dir / "import.txt");
  const auto tok = data::TokenDataset::open((dir / "ds").string())->tokenizer_ptr();
  ASSERT_TRUE(tok->is_compound());

  // Constant schedule: the first half of an 8-step run is exactly a 4-step run.
  const std::string common = "train --dataset " + quoted(dir / "ds") +
                             " --context 64 --batch-size 4 --schedule constant --warmup 0 --lr 3e-3 --seed 5"
                             " --val-fraction 0.25 ";
  ASSERT_EQ(run_cli(common + "--max-steps 8 --out " + quoted(dir / "full"), dir / "full.txt"), 0)
      << test::read_all(dir / "full.txt");
  ASSERT_EQ(run_cli(common + "--max-steps 4 --out " + quoted(dir / "part"), dir / "part1.txt"), 0)
      << test::read_all(dir / "part1.txt");
  ASSERT_EQ(run_cli(common + "--max-steps 8 --resume " + quoted(dir / "part"), dir / "part2.txt"), 0)
      << test::read_all(dir / "part2.txt");
  EXPECT_NE(test::read_all(dir / "full.txt").find("validation at step 8"), std::string::npos)
      << test::read_all(dir / "full.txt");

  // The losses are finite and fall.
  const auto losses = train_losses(dir / "full");
  ASSERT_EQ(losses.size(), 8u);
  for (double l : losses) EXPECT_TRUE(std::isfinite(l));
  EXPECT_LT(losses.back(), losses.front());

  // config.json records one vocabulary size per field: what generation needs.
  const auto config = model::read_config(dir / "full" / "model" / "config.json");
  ASSERT_TRUE(config.compound.enabled());
  ASSERT_EQ(config.compound.field_vocab_sizes.size(), tok->num_fields());
  for (size_t f = 0; f < tok->num_fields(); ++f)
    EXPECT_EQ(config.compound.field_vocab_sizes[f], static_cast<int64_t>(tok->vocab(f).size()));

  const auto full = model::load_model(dir / "full" / "model");
  const auto resumed = model::load_model(dir / "part" / "model");
  EXPECT_TRUE(train::test::weights_identical(*full, *resumed))
      << "max difference " << train::test::max_weight_difference(*full, *resumed);

  // A single-stream model cannot resume on this compound dataset: a clear error, not a crash.
  ASSERT_EQ(run_cli("dataset import " + quoted(dir / "in") + " --tokenizer remi --out " + quoted(dir / "remi"),
                    dir / "remi_import.txt"),
            0);
  ASSERT_EQ(run_cli("train --dataset " + quoted(dir / "remi") + " --context 64 --batch-size 4 --max-steps 1 --out " +
                        quoted(dir / "remi_run"),
                    dir / "remi_train.txt"),
            0)
      << test::read_all(dir / "remi_train.txt");
  EXPECT_NE(run_cli("train --dataset " + quoted(dir / "ds") + " --context 64 --batch-size 4 --max-steps 2 --resume " +
                        quoted(dir / "remi_run"),
                    dir / "mismatch.txt"),
            0);
  EXPECT_NE(test::read_all(dir / "mismatch.txt").find("single-stream"), std::string::npos)
      << test::read_all(dir / "mismatch.txt");

  // `harmonia generate --model RUN` loads the compound model and writes a MIDI file.
  ASSERT_EQ(run_cli("generate --model " + quoted(dir / "full") + " --out " + quoted(dir / "gen.mid") +
                        " --max-new-tokens 48 --min-new-tokens 24 --seed 3",
                    dir / "gen.txt"),
            0)
      << test::read_all(dir / "gen.txt");
  const auto score = midi::read_midi_file((dir / "gen.mid").string());
  size_t notes = 0;
  for (const auto& t : score.tracks) notes += t.notes.size();
  std::cout << "[" << GetParam() << " cli] losses " << losses.front() << " -> " << losses.back() << ", generated "
            << notes << " notes\n";
  EXPECT_GT(notes, 0u);

  // A length in bars (the recipe's piece, as `generate` without flags): Octuple's bar numbers
  // are absolute, and an early model's first note must not land past the bars asked for.
  ASSERT_EQ(run_cli("generate --model " + quoted(dir / "full") + " --out " + quoted(dir / "bars.mid") +
                        " --bars 4 --seed 3",
                    dir / "bars.txt"),
            0)
      << test::read_all(dir / "bars.txt");
  EXPECT_GT(midi::read_midi_file((dir / "bars.mid").string()).note_count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Train, CompoundCli, ::testing::Values("CPWord", "Octuple"));

// Data parallelism sees the fields axis too: 2 local ranks x batch 2 end where 1 rank x batch 4
// ends (synthetic songs, so this runs without ../shared).
TEST(TrainCompoundCli, TwoLocalRanksMatchOneRankWithDoubleBatch) {
  const auto dir = test_folder("train_compound_ddp");
  const fs::path ds = import_songs(dir, "CPWord", 10, 6);
  // fp32: exact up to summation order (bf16, the default on CPUs with it, differs by ~2e-3).
  const std::string common =
      "train --dataset " + quoted(ds) + " --context 48 --seed 5 --max-steps 3 --warmup 2 --precision fp32 ";
  ASSERT_EQ(run_cli(common + "--batch-size 4 --checkpoint-every 1 --out " + quoted(dir / "one"), dir / "one.txt"), 0)
      << test::read_all(dir / "one.txt");
  ASSERT_EQ(run_cli(common + "--batch-size 2 --nproc 2 --out " + quoted(dir / "two"), dir / "two.txt"), 0)
      << test::read_all(dir / "two.txt");
  EXPECT_NE(test::read_all(dir / "two.txt").find("2 ranks"), std::string::npos) << test::read_all(dir / "two.txt");
  const auto one = model::load_model(dir / "one" / "model"), two = model::load_model(dir / "two" / "model");
  ASSERT_TRUE(two->config().compound.enabled());
  EXPECT_LT(train::test::max_weight_difference(*one, *two), 1e-4);
  // It did train: the weights moved between step 2 and step 3.
  const auto step2 = model::load_model(dir / "one" / "checkpoints" / "step-00000002" / "model");
  EXPECT_GT(train::test::max_weight_difference(*one, *step2), 1e-6);
}
