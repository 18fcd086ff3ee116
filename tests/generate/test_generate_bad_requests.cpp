// Requests that cannot give music get a clear message and no silent empty file (issue 15):
// a corpus of empty or drums-only files for the demo, a prompt with no notes, 0 bars.
// Through the real binary, as a user meets them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/midi/midi_file.hpp"
#include "generate_test_model.hpp"
#include "cli_runner.hpp"
#include "test_paths.hpp"

using namespace harmonia;
namespace fs = std::filesystem;

namespace {

int run(const std::string& args, const fs::path& log) { return test::run_harmonia(args, log); }
std::string read_all(const fs::path& p) { return test::read_text(p); }

void write_song(const fs::path& path, bool pitched, bool drums) {
  midi::Score s;
  midi::Track piano, kit;
  kit.is_drum = true;
  kit.channel = 9;
  for (int i = 0; i < 16; ++i) {
    if (pitched) piano.notes.push_back({midi::Tick(i * 480), 240, 60 + i % 7, 80});
    if (drums) kit.notes.push_back({midi::Tick(i * 480), 120, 36, 100});
  }
  if (pitched) s.tracks.push_back(piano);
  if (drums) s.tracks.push_back(kit);
  if (!pitched && !drums) s.tracks.push_back(piano);  // a track with no note at all
  fs::create_directories(path.parent_path());
  midi::write_midi_file(s, path.string());
}

}  // namespace

TEST(GenerateBadRequests, DemoRefusesACorpusWithoutPitchedNotes) {
  const auto dir = test::scratch_dir("bad_demo_corpus");
  for (int i = 0; i < 3; ++i) write_song(dir / "drums" / ("d" + std::to_string(i) + ".mid"), false, true);
  for (int i = 0; i < 3; ++i) write_song(dir / "empty" / ("e" + std::to_string(i) + ".mid"), false, false);
  EXPECT_EQ(run("demo --corpus '" + (dir / "drums").string() + "' --out '" + (dir / "out1").string() +
                    "' --train-seconds 1",
                dir / "drums.txt"),
            1);
  const auto drums = read_all(dir / "drums.txt");
  EXPECT_NE(drums.find("hold only drum notes"), std::string::npos) << drums;
  EXPECT_NE(drums.find((dir / "drums").string()), std::string::npos) << "the message names the corpus: " << drums;
  EXPECT_FALSE(fs::exists(dir / "out1" / "generated.mid"));
  EXPECT_EQ(run("demo --corpus '" + (dir / "empty").string() + "' --out '" + (dir / "out2").string() +
                    "' --train-seconds 1",
                dir / "empty.txt"),
            1);
  const auto empty = read_all(dir / "empty.txt");
  EXPECT_NE(empty.find("hold no notes at all"), std::string::npos) << empty;
}

TEST(GenerateBadRequests, GenerateRefusesZeroBarsAndAPromptWithoutNotes) {
  const auto dir = test::scratch_dir("bad_generate_requests");
  auto tok = test::remi_tokenizer();
  generate::save_bundle(*test::random_tiny_model(*tok), *tok, dir / "model");
  const std::string model = " --model '" + (dir / "model").string() + "'";
  EXPECT_NE(run("generate" + model + " --out '" + (dir / "zero.mid").string() + "' --bars 0", dir / "zero.txt"), 0);
  EXPECT_NE(read_all(dir / "zero.txt").find("--bars 0"), std::string::npos) << read_all(dir / "zero.txt");
  EXPECT_FALSE(fs::exists(dir / "zero.mid"));

  write_song(dir / "silent.mid", false, false);
  EXPECT_NE(run("generate" + model + " --out '" + (dir / "p.mid").string() + "' --prompt '" +
                    (dir / "silent.mid").string() + "'",
                dir / "prompt.txt"),
            0);
  const auto prompt = read_all(dir / "prompt.txt");
  EXPECT_NE(prompt.find("no notes"), std::string::npos) << prompt;
  EXPECT_NE(prompt.find("silent.mid"), std::string::npos) << "names the file: " << prompt;
  EXPECT_FALSE(fs::exists(dir / "p.mid"));

  // A prompt whose selected bars hold no note says so too: its notes start in bar 3.
  midi::Score late;
  midi::Track t;
  t.notes.push_back({midi::Tick(2 * 1920), 480, 60, 80});
  late.tracks.push_back(t);
  midi::write_midi_file(late, (dir / "late.mid").string());
  EXPECT_NE(run("generate" + model + " --out '" + (dir / "l.mid").string() + "' --prompt '" +
                    (dir / "late.mid").string() + "' --prompt-bars 1",
                dir / "late.txt"),
            0);
  EXPECT_NE(read_all(dir / "late.txt").find("in the selected part"), std::string::npos) << read_all(dir / "late.txt");

  // A good request still works, with a length in bars.
  EXPECT_EQ(run("generate" + model + " --out '" + (dir / "ok.mid").string() + "' --bars 2 --seed 4", dir / "ok.txt"),
            0)
      << read_all(dir / "ok.txt");
  EXPECT_TRUE(fs::exists(dir / "ok.mid"));
}
