// `harmonia eval` through the real binary: per-file metrics, and --reference's band per metric.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/midi/midi_file.hpp"
#include "cli_runner.hpp"
#include "test_paths.hpp"

using namespace harmonia;
namespace fs = std::filesystem;

namespace {

int run(const std::string& args, const fs::path& out, const fs::path& err) { return test::run_harmonia(args, out, err); }
std::string read_all(const fs::path& p) { return test::read_text(p); }

// `count` equal notes filling 4 quarters (2 s at the default 120 qpm): count / 2 notes per second.
void write_notes(const fs::path& path, int count) {
  midi::Score s;
  midi::Track t;
  const midi::Tick step = 4 * 480 / count;
  for (int i = 0; i < count; ++i) t.notes.push_back({i * step, step, 60 + i % 12, 80});
  s.tracks.push_back(t);
  midi::write_midi_file(s, path.string());
}

}  // namespace

TEST(EvalCli, ReferenceBandAndMedian) {
  const auto dir = test::scratch_dir("eval_cli");
  fs::create_directories(dir / "ref");
  write_notes(dir / "ref" / "a.mid", 4);   // 2 notes/s
  write_notes(dir / "ref" / "b.mid", 8);   // 4 notes/s
  write_notes(dir / "ref" / "c.mid", 16);  // 8 notes/s
  std::ofstream(dir / "ref" / "broken.mid") << "MThd garbage";
  write_notes(dir / "sample.mid", 8);

  ASSERT_EQ(run("eval '" + (dir / "sample.mid").string() + "'", dir / "plain.json", dir / "err.txt"), 0)
      << read_all(dir / "err.txt");
  const auto plain = nlohmann::json::parse(read_all(dir / "plain.json"));
  EXPECT_DOUBLE_EQ(plain.at((dir / "sample.mid").string()).at("notes_per_second").get<double>(), 4.0);

  ASSERT_EQ(run("eval '" + (dir / "sample.mid").string() + "' --reference '" + (dir / "ref").string() + "'",
                dir / "out.json", dir / "err.txt"),
            0)
      << read_all(dir / "err.txt");
  EXPECT_NE(read_all(dir / "err.txt").find("broken.mid"), std::string::npos);
  const auto out = nlohmann::json::parse(read_all(dir / "out.json"));
  EXPECT_EQ(out.at("reference").at("files"), 3);
  EXPECT_EQ(out.at("reference").at("skipped").size(), 1u);
  EXPECT_EQ(out.at("of"), 8);
  const auto& nps = out.at("metrics").at(0);
  EXPECT_EQ(nps.at("metric"), "notes_per_second");
  // Over {2, 4, 8}: P10 at h = 0.2 -> 2.4, P90 at h = 1.8 -> 4 + 0.8 * 4 = 7.2; median 4: in band.
  EXPECT_NEAR(nps.at("reference_p10").get<double>(), 2.4, 1e-12);
  EXPECT_NEAR(nps.at("reference_p90").get<double>(), 7.2, 1e-12);
  EXPECT_DOUBLE_EQ(nps.at("median").get<double>(), 4.0);
  EXPECT_EQ(nps.at("in_band"), true);

  // A sample at 16 notes/s lies above the band.
  write_notes(dir / "dense.mid", 32);
  ASSERT_EQ(run("eval '" + (dir / "dense.mid").string() + "' --reference '" + (dir / "ref").string() + "'",
                dir / "dense.json", dir / "err.txt"),
            0);
  EXPECT_EQ(nlohmann::json::parse(read_all(dir / "dense.json")).at("metrics").at(0).at("in_band"), false);
}
