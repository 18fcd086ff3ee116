// Batches: deterministic for (seed, epoch), padded with mask and -100 labels, compound
// shapes, rank sharding, resume from a saved position; file-level split.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "core/data/batch_iterator.hpp"
#include "core/data/import_job.hpp"
#include "data_fixtures.hpp"
#include "test_paths.hpp"

using namespace harmonia;
using namespace harmonia::data;

namespace {

std::string import_songs(const std::string& name, const std::string& scheme, int songs) {
  const auto dir = test::scratch_dir(name);
  test::write_songs(dir / "in", songs, 6);
  ImportOptions o;
  o.input_dir = (dir / "in").string();
  o.dataset_dir = (dir / "ds").string();
  import_dataset(tokenizer::Tokenizer::create(scheme), o);
  return o.dataset_dir;
}

const std::string& remi_dataset() {
  // One folder per test: ctest runs each test as its own process, in parallel, and
  // scratch_dir() empties the folder it returns.
  static const std::string dir =
      import_songs(std::string("data_batches_remi_") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
                   "REMI", 12);
  return dir;
}

ChunkOptions small_windows() {
  ChunkOptions c;
  c.max_seq_len = 48;
  c.min_len = 4;
  return c;
}

std::unique_ptr<BatchIterator> make_iterator(uint64_t seed, size_t rank = 0, size_t world = 1, size_t batch = 4) {
  auto ds = TokenDataset::open(remi_dataset());
  std::vector<size_t> all(ds->num_files());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  BatchOptions b;
  b.batch_size = batch;
  b.seed = seed;
  b.rank = rank;
  b.world_size = world;
  return std::make_unique<BatchIterator>(ds, chunk_files(*ds, all, small_windows()), small_windows(), b);
}

std::vector<Batch> epoch_batches(BatchIterator& it, uint64_t epoch) {
  it.set_epoch(epoch);
  std::vector<Batch> out;
  while (auto b = it.next()) out.push_back(*b);
  return out;
}

bool same(const std::vector<Batch>& a, const std::vector<Batch>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!a[i].input_ids.sizes().equals(b[i].input_ids.sizes()) || !torch::equal(a[i].input_ids, b[i].input_ids) ||
        !torch::equal(a[i].labels, b[i].labels) || !torch::equal(a[i].attention_mask, b[i].attention_mask))
      return false;
  return true;
}

}  // namespace

TEST(DataBatches, SameSeedAndEpochGiveIdenticalBatches) {
  auto a = make_iterator(7), b = make_iterator(7);
  ASSERT_GT(a->batches_per_epoch(), 4u);
  const auto first = epoch_batches(*a, 0);
  epoch_batches(*b, 3);  // history must not matter
  EXPECT_TRUE(same(first, epoch_batches(*b, 0)));
  EXPECT_FALSE(same(first, epoch_batches(*a, 1))) << "epochs must reshuffle";
  auto c = make_iterator(8);
  EXPECT_NE(a->batch_windows(0, 0), c->batch_windows(0, 0)) << "different seeds, same order";
  EXPECT_FALSE(same(first, epoch_batches(*c, 0)));
}

TEST(DataBatches, PaddingMaskAndLabels) {
  auto it = make_iterator(1);
  size_t padded = 0;
  for (const auto& b : epoch_batches(*it, 0)) {
    ASSERT_EQ(b.input_ids.dim(), 2);
    ASSERT_EQ(b.input_ids.scalar_type(), torch::kLong);
    EXPECT_TRUE(b.attention_mask.sizes().equals(b.input_ids.sizes()));
    EXPECT_LE(b.input_ids.size(1), 48);
    const auto real = b.attention_mask == 1;
    EXPECT_TRUE(torch::equal(b.labels.masked_select(real), b.input_ids.masked_select(real)));
    EXPECT_TRUE((b.labels.masked_select(~real) == -100).all().item<bool>());
    EXPECT_TRUE((b.input_ids.masked_select(~real) == 0).all().item<bool>());  // PAD_None is id 0
    EXPECT_EQ(size_t(b.attention_mask.sum().item<int64_t>()), b.real_tokens);
    // Padding only at the end of a row.
    const auto m = b.attention_mask.to(torch::kFloat);
    EXPECT_TRUE((m.slice(1, 1) <= m.slice(1, 0, -1)).all().item<bool>());
    padded += size_t((~real).sum().item<int64_t>());
  }
  EXPECT_GT(padded, 0u) << "the fixture should have windows shorter than the batch";
}

TEST(DataBatches, CompoundSchemesGiveFieldsDimension) {
  const auto dir = import_songs("data_batches_cpword", "CPWord", 3);
  ChunkOptions c = small_windows();
  BatchOptions o;
  o.batch_size = 2;
  auto loaders = make_data_loaders(dir, SplitOptions{0.0, 0.0, 1}, c, o);
  const size_t fields = loaders.dataset->fields();
  ASSERT_GT(fields, 1u);
  loaders.train->set_epoch(0);
  auto b = loaders.train->next();
  ASSERT_TRUE(b);
  ASSERT_EQ(b->input_ids.dim(), 3);
  EXPECT_EQ(size_t(b->input_ids.size(2)), fields);
  EXPECT_TRUE(b->labels.sizes().equals(b->input_ids.sizes()));
  EXPECT_EQ(b->attention_mask.dim(), 2);
  const int bos = loaders.dataset->tokenizer().vocab(1).id("BOS_None");
  EXPECT_GE(bos, 0);
}

TEST(DataBatches, RanksGetDisjointShards) {
  auto r0 = make_iterator(5, 0, 2), r1 = make_iterator(5, 1, 2), whole = make_iterator(5);
  ASSERT_EQ(r0->batches_per_epoch(), r1->batches_per_epoch());
  std::set<size_t> seen;
  for (size_t i = 0; i < r0->batches_per_epoch(); ++i) {
    for (size_t w : r0->batch_windows(0, i)) EXPECT_TRUE(seen.insert(w).second) << "window " << w << " twice";
    for (size_t w : r1->batch_windows(0, i)) EXPECT_TRUE(seen.insert(w).second) << "window " << w << " twice";
    EXPECT_EQ(r0->batch_windows(0, i), whole->batch_windows(0, 2 * i));
    EXPECT_EQ(r1->batch_windows(0, i), whole->batch_windows(0, 2 * i + 1));
  }
  EXPECT_GE(seen.size() + 2 * 4, whole->num_windows());  // at most the uneven tail is left out
  EXPECT_THROW(make_iterator(5, 2, 2), DatasetError);
}

TEST(DataBatches, ResumeFromSavedPosition) {
  auto a = make_iterator(11);
  a->set_epoch(2);
  for (int i = 0; i < 3; ++i) a->next();
  const LoaderState saved = a->state();
  EXPECT_EQ(saved.epoch, 2u);
  EXPECT_EQ(saved.next_batch, 3u);
  std::vector<Batch> rest_a;
  while (auto b = a->next()) rest_a.push_back(*b);

  auto b = make_iterator(11);  // as after a restart
  b->restore(saved);
  std::vector<Batch> rest_b;
  while (auto x = b->next()) rest_b.push_back(*x);
  EXPECT_TRUE(same(rest_a, rest_b));
  EXPECT_THROW(b->restore({0, 100000}), DatasetError);
}

TEST(DataBatches, AugmentedBatchesAreSeeded) {
  auto ds = TokenDataset::open(remi_dataset());
  std::vector<size_t> all(ds->num_files());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  BatchOptions o;
  o.batch_size = 4;
  o.seed = 3;
  o.augment.pitch_shift = 5;
  o.augment.velocity_offset = 10;
  const auto windows = chunk_files(*ds, all, small_windows());
  BatchIterator a(ds, windows, small_windows(), o), b(ds, windows, small_windows(), o);
  const auto ea = epoch_batches(a, 0);
  EXPECT_TRUE(same(ea, epoch_batches(b, 0)));
  o.augment = {};
  BatchIterator plain(ds, windows, small_windows(), o);
  EXPECT_FALSE(same(ea, epoch_batches(plain, 0))) << "augmentation changed nothing";
}

TEST(DataSplit, FileLevelSeededAndReproducible) {
  auto ds = TokenDataset::open(remi_dataset());
  const SplitOptions o{0.25, 0.1, 42};
  const auto s = split_files(*ds, o);
  EXPECT_EQ(s.validation.size(), 3u);
  EXPECT_EQ(s.test.size(), 1u);
  EXPECT_EQ(s.train.size(), 8u);
  std::set<size_t> all(s.train.begin(), s.train.end());
  for (size_t f : s.validation) EXPECT_TRUE(all.insert(f).second);
  for (size_t f : s.test) EXPECT_TRUE(all.insert(f).second);
  EXPECT_EQ(all.size(), ds->num_files());
  const auto again = split_files(*ds, o);
  EXPECT_EQ(again.validation, s.validation);
  EXPECT_EQ(again.test, s.test);
  bool differs = false;
  for (uint64_t seed = 0; seed < 5 && !differs; ++seed)
    differs = split_files(*ds, {0.25, 0.1, seed}).validation != s.validation;
  EXPECT_TRUE(differs);
  EXPECT_THROW(split_files(*ds, {0.6, 0.5, 0}), DatasetError);
  // Windows of a validation file never appear in training.
  auto loaders = make_data_loaders(remi_dataset(), o, small_windows(), BatchOptions{});
  ASSERT_TRUE(loaders.validation);
  ASSERT_TRUE(loaders.test);
}
