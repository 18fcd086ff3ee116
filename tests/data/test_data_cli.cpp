// `harmonia dataset import` and `harmonia dataset stats` through the real binary.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "data_fixtures.hpp"
#include "cli_runner.hpp"
#include "test_paths.hpp"

using namespace harmonia;
namespace fs = std::filesystem;

namespace {

int run(const std::string& args, const fs::path& out, const fs::path& err) { return test::run_harmonia(args, out, err); }

}  // namespace

TEST(DataCli, ImportThenStats) {
  const auto dir = test::scratch_dir("data_cli");
  test::write_songs(dir / "in", 4);
  test::write_bytes(dir / "in" / "broken.mid", "MThd garbage");
  const auto ds = dir / "ds";
  ASSERT_EQ(run("dataset import '" + (dir / "in").string() + "' --tokenizer tsd --out '" + ds.string() + "' --quiet",
                dir / "out.json", dir / "err.txt"),
            0)
      << test::read_all(dir / "err.txt");
  const auto report = nlohmann::json::parse(test::read_all(dir / "out.json"));
  EXPECT_EQ(report["files_found"], 5);
  EXPECT_EQ(report["files_in_dataset"], 4);
  ASSERT_EQ(report["skipped"].size(), 1u);
  EXPECT_NE(report["skipped"][0]["path"].get<std::string>().find("broken.mid"), std::string::npos);
  EXPECT_NE(test::read_all(dir / "err.txt").find("broken.mid"), std::string::npos);
  EXPECT_EQ(report["tokenized"], 4);
  EXPECT_EQ(report["from_quick_index"], false);

  // The same folder again: answered by the quick index, nothing tokenized, the same report.
  ASSERT_EQ(run("dataset import '" + (dir / "in").string() + "' --tokenizer tsd --out '" + ds.string() + "' --quiet",
                dir / "again.json", dir / "err_again.txt"),
            0)
      << test::read_all(dir / "err_again.txt");
  const auto again = nlohmann::json::parse(test::read_all(dir / "again.json"));
  EXPECT_EQ(again["from_quick_index"], true);
  EXPECT_EQ(again["tokenized"], 0);
  EXPECT_EQ(again["files_in_dataset"], 4);
  EXPECT_EQ(again["tokens"], report["tokens"]);
  EXPECT_EQ(again["skipped"], report["skipped"]);

  ASSERT_EQ(run("dataset stats '" + ds.string() + "'", dir / "stats.json", dir / "err2.txt"), 0)
      << test::read_all(dir / "err2.txt");
  const auto stats = nlohmann::json::parse(test::read_all(dir / "stats.json"));
  EXPECT_EQ(stats["files"], 4);
  EXPECT_EQ(stats["tokenizer"], "TSD");
  EXPECT_EQ(stats["rejected_files"], 1);
  // synthetic_song: 4 beats per bar, bars = 8 + i % 3, a piano and a drum note per beat.
  EXPECT_EQ(stats["notes"], 2 * 4 * (8 + 9 + 10 + 8));
  EXPECT_EQ(stats["pitch_histogram"][36].get<int>() >= 4 * (8 + 9 + 10 + 8), true);
  EXPECT_EQ(stats["pitch_histogram"].size(), 128u);
  ASSERT_FALSE(stats["top_tokens"].empty());
  bool drums = false;
  for (const auto& p : stats["programs"]) drums |= p["drums"].get<bool>();
  EXPECT_TRUE(drums);

  EXPECT_EQ(run("dataset stats '" + (dir / "nothing").string() + "'", dir / "o3", dir / "e3"), 1);
  EXPECT_NE(test::read_all(dir / "e3").find("manifest.json missing"), std::string::npos) << test::read_all(dir / "e3");
}
