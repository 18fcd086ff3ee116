// Import: good files in, broken ones listed with a reason, duplicates once, cache reuse on a
// warm re-import, atomic replacement (cancel or damage never loads as a valid cache), one
// import at a time per dataset folder.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <chrono>
#include <set>
#include <thread>

#include "core/data/dataset_lock.hpp"
#include "core/data/import_job.hpp"
#include "core/data/token_dataset.hpp"
#include "core/tokenizer/score_loader.hpp"
#include "data_fixtures.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using namespace harmonia;
using namespace harmonia::data;

namespace {

std::shared_ptr<const tokenizer::Tokenizer> remi() { return tokenizer::Tokenizer::create("REMI"); }

ImportReport run_import(const fs::path& in, const fs::path& out, std::shared_ptr<const tokenizer::Tokenizer> tok = remi(),
                        int threads = 2) {
  ImportOptions o;
  o.input_dir = in.string();
  o.dataset_dir = out.string();
  o.threads = threads;
  return import_dataset(std::move(tok), o);
}

std::set<std::string> skipped_names(const ImportReport& r) {
  std::set<std::string> names;
  for (const auto& s : r.skipped) names.insert(fs::path(s.path).filename().string());
  return names;
}

std::string reason_of(const ImportReport& r, const std::string& name) {
  for (const auto& s : r.skipped)
    if (fs::path(s.path).filename() == name) return s.reason;
  return "";
}

}  // namespace

TEST(DataImport, BrokenFilesAreListedAndTheRestIsImported) {
  const auto dir = test::scratch_dir("data_import_broken");
  const auto in = dir / "in";
  const auto good = test::write_songs(in, 6);
  test::write_bytes(in / "empty.mid", "");
  test::write_bytes(in / "garbage.mid", "this is not a MIDI file at all, just text");
  const std::string whole = test::read_all(good[0]);
  test::write_bytes(in / "sub" / "truncated.midi", whole.substr(0, whole.size() / 2));
  test::write_bytes(in / "copy_of_song0.mid", whole);                     // duplicate content
  midi::write_midi_file(midi::Score{}, (in / "no_notes.kar").string());  // valid but silent
  test::write_bytes(in / "notes.txt", "ignored: not a MIDI extension");

  const auto report = run_import(in, dir / "ds");
  EXPECT_FALSE(report.cancelled);
  EXPECT_EQ(report.files_found, 11u);
  EXPECT_EQ(report.tokenized, 6u);
  EXPECT_EQ(report.files_in_dataset, 6u);
  EXPECT_EQ(skipped_names(report), (std::set<std::string>{"empty.mid", "garbage.mid", "truncated.midi", "no_notes.kar"}));
  EXPECT_EQ(reason_of(report, "empty.mid"), "empty file");
  EXPECT_NE(reason_of(report, "garbage.mid").find("not a valid MIDI file"), std::string::npos) << reason_of(report, "garbage.mid");
  EXPECT_FALSE(reason_of(report, "truncated.midi").empty());
  EXPECT_EQ(reason_of(report, "no_notes.kar"), "no notes");
  ASSERT_EQ(report.duplicates.size(), 1u);
  // Paths are sorted, so "copy_of_song0.mid" is seen first and kept; the song is the duplicate.
  EXPECT_EQ(fs::path(report.duplicates[0].same_as).filename(), "copy_of_song0.mid");

  auto ds = TokenDataset::open((dir / "ds").string());
  EXPECT_EQ(ds->num_files(), 6u);
  EXPECT_EQ(ds->manifest().rejected.size(), 3u);  // empty file has no hash worth remembering
  uint64_t steps = 0;
  for (const auto& f : ds->files()) steps += f.steps();
  EXPECT_EQ(steps, report.total_tokens);
}

TEST(DataImport, CachedTokensEqualDirectEncoding) {
  const auto dir = test::scratch_dir("data_import_tokens");
  test::write_songs(dir / "in", 4);
  auto tok = remi();
  run_import(dir / "in", dir / "ds", tok, 1);
  auto ds = TokenDataset::open((dir / "ds").string());
  ASSERT_EQ(ds->num_files(), 4u);
  for (const auto& f : ds->files()) {
    const auto enc = tok->encode(tokenizer::load_score_file_for_tokenizer(f.source));
    ASSERT_EQ(enc.sequences.size(), f.sequences.size()) << f.source;
    for (size_t s = 0; s < f.sequences.size(); ++s) {
      const auto& cs = f.sequences[s];
      std::vector<int32_t> cached(ds->ids(cs), ds->ids(cs) + cs.steps);
      EXPECT_EQ(cached, enc.sequences[s].ids) << f.source << " sequence " << s;
      EXPECT_EQ(cs.is_drum, enc.programs[s].second);
    }
    EXPECT_GT(f.notes, 0u);
    EXPECT_GT(f.duration_s, 0.0);
  }
}

TEST(DataImport, WarmReimportReusesTheCacheAndOnlyTokenizesChanges) {
  const auto dir = test::scratch_dir("data_import_warm");
  const auto songs = test::write_songs(dir / "in", 5);
  const auto first = run_import(dir / "in", dir / "ds");
  EXPECT_EQ(first.tokenized, 5u);
  const auto manifest_before = test::read_all(dir / "ds" / "manifest.json");

  const auto warm = run_import(dir / "in", dir / "ds");
  EXPECT_EQ(warm.tokenized, 0u);
  EXPECT_EQ(warm.reused, 5u);
  EXPECT_EQ(test::read_all(dir / "ds" / "manifest.json"), manifest_before);  // nothing rewritten

  // One changed, one new: only those two are tokenized; the rest keep their tokens.
  midi::write_midi_file(test::synthetic_song(100, 5), songs[2].string());
  test::write_songs(dir / "in" / "more", 1, 8, 50);
  const auto third = run_import(dir / "in", dir / "ds");
  EXPECT_EQ(third.tokenized, 2u);
  EXPECT_EQ(third.reused, 4u);
  auto ds = TokenDataset::open((dir / "ds").string());
  EXPECT_EQ(ds->num_files(), 6u);
  // The old tokens file was removed once the new manifest took over.
  size_t token_files = 0;
  for (const auto& e : fs::directory_iterator(dir / "ds"))
    if (e.path().extension() == ".bin" && e.path().filename().string().rfind("tokens-", 0) == 0) ++token_files;
  EXPECT_EQ(token_files, 1u);

  // Another tokenizer config invalidates every cached file.
  auto tsd = std::shared_ptr<const tokenizer::Tokenizer>(tokenizer::Tokenizer::create("TSD"));
  const auto other = run_import(dir / "in", dir / "ds", tsd);
  EXPECT_EQ(other.tokenized, 6u);
  EXPECT_EQ(other.reused, 0u);
  EXPECT_EQ(TokenDataset::open((dir / "ds").string())->tokenizer().name(), "TSD");
}

TEST(DataImport, CancelLeavesThePreviousCacheIntact) {
  const auto dir = test::scratch_dir("data_import_cancel");
  test::write_songs(dir / "in", 3);
  run_import(dir / "in", dir / "ds");
  const auto manifest_before = test::read_all(dir / "ds" / "manifest.json");
  test::write_songs(dir / "in" / "new", 30, 16, 200);

  ImportOptions o;
  o.input_dir = (dir / "in").string();
  o.dataset_dir = (dir / "ds").string();
  o.threads = 2;
  std::atomic<int> calls{0};
  ImportJob* self = nullptr;
  o.on_progress = [&](const ImportProgress& p) {
    ++calls;
    if (p.tokenized >= 2 && self) self->cancel();  // cancel from the worker's own callback
  };
  ImportJob job(remi(), o);
  self = &job;
  job.start();
  const auto report = job.wait();
  EXPECT_TRUE(report.cancelled);
  EXPECT_GT(calls.load(), 0);
  EXPECT_LT(report.tokenized, 30u);
  EXPECT_EQ(test::read_all(dir / "ds" / "manifest.json"), manifest_before);
  EXPECT_EQ(TokenDataset::open((dir / "ds").string())->num_files(), 3u);
  for (const auto& e : fs::directory_iterator(dir / "ds"))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << "left a temporary file: " << e.path();
}

// One import at a time per dataset folder: while the folder is locked (here by the test, as
// another page or process would), an import waits, reads and writes nothing, and can still be
// cancelled; two imports started together both finish, one after the other, into one
// consistent cache (without the lock they would pick the same tokens file name).
TEST(DataImport, OneImportAtATimePerDatasetFolder) {
  const auto dir = test::scratch_dir("data_import_lock");
  test::write_songs(dir / "in", 12, 8, 60);
  fs::create_directories(dir / "ds");
  ImportOptions o;
  o.input_dir = (dir / "in").string();
  o.dataset_dir = (dir / "ds").string();
  o.threads = 2;
  {
    DatasetLock held(o.dataset_dir);
    ASSERT_TRUE(held.owns_lock());
    ImportJob waiting(remi(), o);
    waiting.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(waiting.finished());
    EXPECT_EQ(waiting.progress().done, 0u);
    EXPECT_FALSE(fs::exists(dir / "ds" / "manifest.json"));
    const auto t0 = std::chrono::steady_clock::now();
    waiting.cancel();
    const auto report = waiting.wait();
    EXPECT_TRUE(report.cancelled);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    EXPECT_FALSE(fs::exists(dir / "ds" / "manifest.json"));
  }
  ImportJob a(remi(), o), b(remi(), o);
  a.start();
  b.start();
  const auto ra = a.wait(), rb = b.wait();
  EXPECT_FALSE(ra.cancelled);
  EXPECT_FALSE(rb.cancelled);
  EXPECT_EQ(ra.tokenized + rb.tokenized, 12u);  // the second one found the first's cache
  EXPECT_EQ(ra.total_tokens, rb.total_tokens);
  const auto ds = TokenDataset::open((dir / "ds").string());
  EXPECT_EQ(ds->num_files(), 12u);
  const auto fresh = run_import(dir / "in", dir / "fresh");
  EXPECT_EQ(fresh.total_tokens, ra.total_tokens);
  size_t token_files = 0;
  for (const auto& e : fs::directory_iterator(dir / "ds"))
    if (e.path().filename().string().rfind("tokens-", 0) == 0) ++token_files;
  EXPECT_EQ(token_files, 1u);
}

TEST(DataImport, ProgressIsThreadSafeAndEndsComplete) {
  const auto dir = test::scratch_dir("data_import_progress");
  test::write_songs(dir / "in", 8);
  ImportOptions o;
  o.input_dir = (dir / "in").string();
  o.dataset_dir = (dir / "ds").string();
  o.threads = 2;
  ImportJob job(remi(), o);
  job.start();
  size_t last_done = 0;
  while (!job.finished()) {  // poll like a GUI timer would
    const auto p = job.progress();
    EXPECT_GE(p.done, last_done);
    EXPECT_LE(p.done, 8u);
    last_done = p.done;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  job.wait();
  const auto p = job.progress();
  EXPECT_TRUE(p.finished);
  EXPECT_EQ(p.done, 8u);
  EXPECT_EQ(p.total, 8u);
  EXPECT_EQ(p.tokenized, 8u);
}

TEST(DataImport, DamagedCacheIsRefusedWithAClearError) {
  const auto dir = test::scratch_dir("data_import_damage");
  test::write_songs(dir / "in", 2);
  run_import(dir / "in", dir / "ds");
  const auto manifest = read_manifest((dir / "ds").string());
  const auto tokens = dir / "ds" / manifest.tokens_file;
  fs::resize_file(tokens, fs::file_size(tokens) - 4);  // as if a write had been cut short
  try {
    TokenDataset::open((dir / "ds").string());
    FAIL() << "a truncated tokens file loaded";
  } catch (const DatasetError& e) {
    EXPECT_NE(std::string(e.what()).find(manifest.tokens_file), std::string::npos) << e.what();
  }
  // A re-import repairs it: the damaged file is not trusted as a cache.
  const auto again = run_import(dir / "in", dir / "ds");
  EXPECT_EQ(again.tokenized, 2u);
  EXPECT_EQ(TokenDataset::open((dir / "ds").string())->num_files(), 2u);

  EXPECT_THROW(TokenDataset::open((dir / "missing").string()), DatasetError);
  EXPECT_THROW(run_import(dir / "no_such_folder", dir / "ds2"), DatasetError);
}

// A manifest.json larger than any real one (a sparse 4 GiB file here) is refused by its size
// before it is read: reading it whole allocated 4 GiB and then failed to parse.
TEST(DataImport, HugeManifestIsRefusedBeforeItIsRead) {
  const auto dir = test::scratch_dir("data_import_huge_manifest");
  test::write_songs(dir / "in", 1);
  run_import(dir / "in", dir / "ds");
  fs::resize_file(dir / "ds" / "manifest.json", uint64_t(4) << 30);
  try {
    read_manifest((dir / "ds").string());
    FAIL() << "a 4 GiB manifest.json was read";
  } catch (const DatasetError& e) {
    EXPECT_NE(std::string(e.what()).find("manifest.json: 4294967296 bytes, larger than any dataset manifest"),
              std::string::npos)
        << e.what();
  }
}

TEST(DataImport, SharedMiditokCorpus) {
  HARMONIA_REQUIRE_SHARED();
  const auto dir = test::scratch_dir("data_import_shared");
  const auto in = test::shared_dir() / "data" / "midi" / "miditok-tests";
  const auto report = run_import(in, dir / "ds");
  EXPECT_EQ(report.files_found, 30u);
  // The deliberately corrupted file and the empty one are listed; everything else imported.
  EXPECT_EQ(skipped_names(report), (std::set<std::string>{"ValueError_Control168.mid", "empty.mid"}));
  EXPECT_EQ(report.files_in_dataset + report.duplicates.size(), 28u);
  for (const auto& s : report.skipped) EXPECT_FALSE(s.reason.empty()) << s.path;
  auto ds = TokenDataset::open((dir / "ds").string());
  EXPECT_EQ(ds->num_files(), report.files_in_dataset);
}

TEST(DataImport, ExplicitFileListFromSeveralFolders) {
  // The GUI's default corpus spans several package folders: input_files imports exactly them.
  const auto dir = test::scratch_dir("data_import_file_list");
  auto a = test::write_songs(dir / "a", 2);
  const auto b = test::write_songs(dir / "b", 2, 8, 10);
  test::write_songs(dir / "b" / "not-listed", 1, 8, 20);
  a.insert(a.end(), b.begin(), b.end());
  ImportOptions o;
  for (const auto& p : a) o.input_files.push_back(p.string());
  o.dataset_dir = (dir / "ds").string();
  o.threads = 2;
  std::atomic<int> reported{0};
  o.on_file = [&](const ImportedFile& f) {
    EXPECT_EQ(f.outcome, FileOutcome::Kept) << f.path;
    ++reported;
  };
  const auto report = import_dataset(remi(), o);
  EXPECT_EQ(report.files_found, 4u);
  EXPECT_EQ(report.files_in_dataset, 4u);
  EXPECT_EQ(reported.load(), 4);
  EXPECT_EQ(TokenDataset::open((dir / "ds").string())->num_files(), 4u);
}
