// The trainer's batch sources over real music: a dataset folder (DatasetBatchSource) and
// MIDI files tokenized in memory (make_file_sources). Batches are well formed, sharded like
// InMemoryBatchSource (2 ranks x B == 1 rank x 2B), reshuffled per epoch, resumable, and
// the in-memory path cuts the same windows as an import.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <set>

#include "core/data/import_job.hpp"
#include "core/train/dataset_batch_source.hpp"
#include "data/data_fixtures.hpp"
#include "test_paths.hpp"

using namespace harmonia;
using namespace harmonia::train;

namespace {

struct Corpus {
  std::filesystem::path dir;
  std::vector<std::string> files;
  std::string dataset;
};

const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus out;
    // One folder per test: ctest runs each test as its own process, in parallel, and
    // scratch_dir() empties the folder it returns.
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    out.dir = test::scratch_dir(std::string("train_dataset_source_") + info->test_suite_name() + "_" + info->name());
    for (const auto& p : test::write_songs(out.dir / "in", 12, 6)) out.files.push_back(p.string());
    data::ImportOptions o;
    o.input_dir = (out.dir / "in").string();
    o.dataset_dir = (out.dir / "ds").string();
    data::import_dataset(tokenizer::Tokenizer::create("REMI"), o);
    out.dataset = o.dataset_dir;
    return out;
  }();
  return c;
}

data::ChunkOptions small_windows() {
  data::ChunkOptions c;
  c.max_seq_len = 48;
  c.min_len = 4;
  return c;
}

data::SplitOptions split(double validation) {
  data::SplitOptions s;
  s.validation = validation;
  s.seed = 7;
  return s;
}

DatasetSources open_sources(int64_t batch, int rank = 0, int world = 1, bool pad = true, uint64_t seed = 3) {
  DatasetSourceOptions o;
  o.batch_size = batch;
  o.rank = rank;
  o.world_size = world;
  o.pad_to_context = pad;
  o.seed = seed;
  return open_dataset_sources(corpus().dataset, split(0.2), small_windows(), o);
}

bool same_batch(const Batch& a, const Batch& b) {
  return a.input_ids.equal(b.input_ids) && a.attention_mask.equal(b.attention_mask) && a.labels.equal(b.labels) &&
         a.epoch == b.epoch;
}

}  // namespace

TEST(TrainDatasetSource, BatchesAreWellFormed) {
  auto s = open_sources(4, 0, 1, /*pad=*/false);
  ASSERT_TRUE(s.train && s.validation);
  const int64_t vocab = static_cast<int64_t>(s.dataset->tokenizer().vocab_size());
  const int bos = s.dataset->tokenizer().vocab().id("BOS_None");
  EXPECT_GT(s.train->batches_per_epoch(), 2);
  bool saw_bos = false, saw_padding = false;
  for (int64_t i = 0; i < s.train->batches_per_epoch(); ++i) {
    Batch b = s.train->next();
    ASSERT_EQ(b.input_ids.dim(), 2);
    EXPECT_EQ(b.input_ids.size(0), 4);
    EXPECT_LE(b.input_ids.size(1), 48);
    EXPECT_EQ(b.epoch, 0);
    const auto real = b.attention_mask.to(torch::kBool);
    // Labels are the ids where real, -100 at padding; ids are in the vocabulary.
    EXPECT_TRUE(b.labels.masked_select(real).equal(b.input_ids.masked_select(real)));
    EXPECT_TRUE((b.labels.masked_select(~real) == kIgnoreLabel).all().item<bool>());
    EXPECT_TRUE(((b.input_ids >= 0) & (b.input_ids < vocab)).all().item<bool>());
    // Padded to the longest window of the batch: some row is full length.
    EXPECT_EQ(b.attention_mask.sum(1).max().item<int64_t>(), b.input_ids.size(1));
    saw_padding |= (b.attention_mask == 0).any().item<bool>();
    saw_bos |= (b.input_ids.select(1, 0) == bos).any().item<bool>();
  }
  EXPECT_TRUE(saw_bos);
  (void)saw_padding;  // depends on the songs' lengths; shapes are checked above
  EXPECT_EQ(s.train->next().epoch, 1);  // rolls over into the next epoch
}

TEST(TrainDatasetSource, SplitKeepsFilesApart) {
  auto s = open_sources(4);
  std::set<size_t> train(s.split.train.begin(), s.split.train.end());
  for (size_t f : s.split.validation) EXPECT_EQ(train.count(f), 0u);
  EXPECT_FALSE(s.split.validation.empty());
  // Validation: never shuffled, so two passes read the same batches.
  Batch first = s.validation->next();
  s.validation->rewind();
  EXPECT_TRUE(same_batch(first, s.validation->next()));
}

TEST(TrainDatasetSource, TwoRanksSeeWhatOneRankWithDoubleBatchSees) {
  auto one = open_sources(4, 0, 1);
  auto r0 = open_sources(2, 0, 2);
  auto r1 = open_sources(2, 1, 2);
  ASSERT_EQ(one.train->batches_per_epoch(), r0.train->batches_per_epoch());
  ASSERT_EQ(r0.train->batches_per_epoch(), r1.train->batches_per_epoch());
  for (int64_t i = 0; i < one.train->batches_per_epoch() + 2; ++i) {  // into epoch 1 too
    Batch a = one.train->next(), b0 = r0.train->next(), b1 = r1.train->next();
    EXPECT_TRUE(a.input_ids.equal(torch::cat({b0.input_ids, b1.input_ids}))) << "batch " << i;
    EXPECT_TRUE(a.labels.equal(torch::cat({b0.labels, b1.labels})));
    EXPECT_TRUE(a.attention_mask.equal(torch::cat({b0.attention_mask, b1.attention_mask})));
  }
}

TEST(TrainDatasetSource, SameOrderAsInMemorySourceOverTheSameWindows) {
  auto s = open_sources(4);
  auto windows = data::chunk_files(*s.dataset, s.split.train, small_windows());
  std::vector<std::vector<int64_t>> ids;
  for (const auto& w : windows) {
    auto v = data::window_ids(*s.dataset, w, small_windows());
    ids.emplace_back(v.begin(), v.end());
  }
  InMemoryOptions o;
  o.batch_size = 4;
  o.context = 48;
  o.pad_id = s.dataset->tokenizer().vocab().id("PAD_None");
  o.seed = 3;
  InMemoryBatchSource mem(ids, o);
  ASSERT_EQ(mem.batches_per_epoch(), s.train->batches_per_epoch());
  for (int64_t i = 0; i < 2 * mem.batches_per_epoch(); ++i) EXPECT_TRUE(same_batch(mem.next(), s.train->next()));
}

TEST(TrainDatasetSource, SeededShufflePerEpoch) {
  auto a = open_sources(4, 0, 1, true, 3), b = open_sources(4, 0, 1, true, 3), c = open_sources(4, 0, 1, true, 4);
  const int64_t n = a.train->batches_per_epoch();
  std::vector<Batch> epoch0, epoch1;
  bool differs_from_other_seed = false;
  for (int64_t i = 0; i < n; ++i) {
    epoch0.push_back(a.train->next());
    EXPECT_TRUE(same_batch(epoch0.back(), b.train->next()));
    differs_from_other_seed |= !same_batch(epoch0.back(), c.train->next());
  }
  for (int64_t i = 0; i < n; ++i) epoch1.push_back(a.train->next());
  EXPECT_TRUE(differs_from_other_seed);
  bool reshuffled = false;
  for (int64_t i = 0; i < n; ++i) reshuffled |= !epoch0[i].input_ids.equal(epoch1[i].input_ids);
  EXPECT_TRUE(reshuffled);
}

TEST(TrainDatasetSource, ResumesAtTheSavedPosition) {
  auto a = open_sources(4);
  const int64_t n = a.train->batches_per_epoch();
  for (int64_t i = 0; i < n - 1; ++i) a.train->next();  // stop one batch before the epoch ends
  const auto state = a.train->state();
  auto b = open_sources(4);
  b.train->restore(nlohmann::json::parse(state.dump()));  // through text, as checkpoints store it
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(same_batch(a.train->next(), b.train->next())) << i;
  // Another dataset layout (here: another context) is refused instead of read wrongly.
  DatasetSourceOptions o;
  o.batch_size = 4;
  auto chunk = small_windows();
  chunk.max_seq_len = 32;
  auto other = open_dataset_sources(corpus().dataset, split(0.2), chunk, o);
  EXPECT_THROW(other.train->restore(state), std::runtime_error);
  // A position saved by the in-memory source (older GUI runs) is refused, not applied.
  auto in_memory = state;
  in_memory["kind"] = "in_memory";
  in_memory.erase("windows");
  EXPECT_THROW(b.train->restore(in_memory), std::runtime_error);
}

TEST(TrainDatasetSource, AugmentsTrainOnlyAndReproducibly) {
  DatasetSourceOptions o;
  o.batch_size = 4;
  o.pad_to_context = true;
  o.seed = 3;
  o.augment.pitch_shift = 5;
  auto plain = open_sources(4);
  auto a = open_dataset_sources(corpus().dataset, split(0.2), small_windows(), o);
  auto b = open_dataset_sources(corpus().dataset, split(0.2), small_windows(), o);
  bool changed = false;
  for (int64_t i = 0; i < a.train->batches_per_epoch(); ++i) {
    Batch x = a.train->next(), p = plain.train->next();
    EXPECT_TRUE(same_batch(x, b.train->next()));
    EXPECT_TRUE(x.attention_mask.equal(p.attention_mask));  // same windows, other pitches
    changed |= !x.input_ids.equal(p.input_ids);
  }
  EXPECT_TRUE(changed);
  EXPECT_TRUE(same_batch(a.validation->next(), plain.validation->next()));  // validation untouched
}

TEST(TrainDatasetSource, TooFewWindowsForABatchIsAnError) {
  DatasetSourceOptions o;
  o.batch_size = 100000;
  EXPECT_THROW(open_dataset_sources(corpus().dataset, split(0.2), small_windows(), o), std::invalid_argument);
}

TEST(TrainFileSources, CutsTheSameWindowsAsAnImport) {
  const auto& c = corpus();
  auto ds = data::TokenDataset::open(c.dataset);
  std::vector<size_t> all(ds->num_files());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::vector<std::vector<int64_t>> imported;
  for (const auto& w : data::chunk_files(*ds, all, small_windows())) {
    auto v = data::window_ids(*ds, w, small_windows());
    imported.emplace_back(v.begin(), v.end());
  }
  auto mem = tokenize_files(c.files, ds->tokenizer(), small_windows(), 0.0);
  EXPECT_TRUE(mem.validation.empty());
  EXPECT_TRUE(mem.skipped.empty());
  std::sort(imported.begin(), imported.end());
  std::sort(mem.train.begin(), mem.train.end());
  EXPECT_EQ(imported, mem.train);
}

TEST(TrainFileSources, FilesAndTokenizerJsonGiveTrainAndValidationSources) {
  const auto& c = corpus();
  const auto tok_json = (c.dir / "tokenizer.json").string();
  tokenizer::Tokenizer::create("REMI")->save(tok_json);
  auto files = c.files;
  files.push_back((c.dir / "missing.mid").string());
  InMemoryOptions o;
  o.batch_size = 4;
  auto s = make_file_sources(files, tok_json, small_windows(), o, 0.25);
  ASSERT_TRUE(s.train && s.validation);
  EXPECT_EQ(s.windows.skipped.size(), 1u);
  EXPECT_EQ(s.windows.validation_files.size() + s.windows.train_files.size(), c.files.size());
  EXPECT_GE(s.windows.validation_files.size(), 2u);
  for (const auto& f : s.windows.validation_files)
    EXPECT_EQ(std::count(s.windows.train_files.begin(), s.windows.train_files.end(), f), 0);
  Batch b = s.train->next();
  EXPECT_EQ(b.input_ids.sizes(), (std::vector<int64_t>{4, 48}));
  EXPECT_LT(b.input_ids.max().item<int64_t>(), s.windows.vocab_size);
  // The same files in another order split the same way.
  std::reverse(files.begin(), files.end());
  auto again = make_file_sources(files, tok_json, small_windows(), o, 0.25);
  EXPECT_EQ(again.windows.validation_files, s.windows.validation_files);
}
