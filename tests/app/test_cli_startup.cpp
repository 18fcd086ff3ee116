// `harmonia` starts at once for commands that need no tensors: the binary does not link
// LibTorch (issue 21: 0.6-0.9 s before, for every command and for --help), and it hands the
// tensor commands to harmonia-engine with the same arguments and exit code.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using namespace harmonia;

namespace {

TEST(CliStartup, HarmoniaDoesNotLinkLibTorch) {
  const fs::path out = test::scratch_dir("cli-startup") / "needed.txt";
  const std::string cmd = "readelf -d '" + (test::bin_dir() / "harmonia").string() + "' > '" + out.string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string needed = test::read_text(out);
  EXPECT_NE(needed.find("NEEDED"), std::string::npos) << needed;
  EXPECT_EQ(needed.find("libtorch"), std::string::npos) << needed;
  EXPECT_EQ(needed.find("libc10"), std::string::npos) << needed;
}

TEST(CliStartup, HelpListsEveryCommandAndTensorCommandsReachTheEngine) {
  const fs::path dir = test::scratch_dir("cli-startup-forward");
  ASSERT_EQ(test::run_harmonia("--help", dir / "help.txt"), 0);
  const std::string help = test::read_text(dir / "help.txt");
  for (const char* c : {"midi", "tokenize", "tokenizer", "render", "demo", "dataset", "model", "train", "generate", "eval"})
    EXPECT_NE(help.find(std::string("  ") + c + " "), std::string::npos) << c << " missing from:\n" << help;
  // The engine's own help for `train`, through harmonia.
  ASSERT_EQ(test::run_harmonia("train --help", dir / "train.txt"), 0);
  EXPECT_NE(test::read_text(dir / "train.txt").find("--dataset"), std::string::npos) << test::read_text(dir / "train.txt");
  // Global options before the command travel too; the engine's exit code comes back.
  EXPECT_EQ(test::run_harmonia("--threads 1 model info '" + (dir / "missing").string() + "'", dir / "err.txt"), 1);
  EXPECT_NE(test::read_text(dir / "err.txt").find("missing"), std::string::npos) << test::read_text(dir / "err.txt");
}

// Commands that need no tensors run in `harmonia` itself: a copy of it with no harmonia-engine
// beside it still answers `eval` (music metrics) and `midi info`, while `train` cannot start.
TEST(CliStartup, LightCommandsRunWithoutTheEngine) {
  if (!test::have_shared()) GTEST_SKIP() << "needs ../shared/data";
  const fs::path dir = test::scratch_dir("cli-startup-alone");
  fs::copy_file(test::bin_dir() / "harmonia", dir / "harmonia");
  const fs::path song = test::shared_dir() / "data" / "midi" / "pop909" / "001.mid";
  auto run = [&](const std::string& args, const fs::path& out) {
    const std::string cmd = "'" + (dir / "harmonia").string() + "' " + args + " > '" + out.string() + "' 2>&1";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  ASSERT_EQ(run("eval '" + song.string() + "'", dir / "eval.txt"), 0) << test::read_text(dir / "eval.txt");
  EXPECT_NE(test::read_text(dir / "eval.txt").find("\"polyphony\""), std::string::npos) << test::read_text(dir / "eval.txt");
  ASSERT_EQ(run("midi info '" + song.string() + "'", dir / "info.txt"), 0) << test::read_text(dir / "info.txt");
  EXPECT_NE(run("train --help", dir / "train.txt"), 0);
  // A file that is not MIDI: the message names it.
  std::ofstream(dir / "bad.mid") << "not a MIDI file";
  EXPECT_EQ(run("eval '" + (dir / "bad.mid").string() + "'", dir / "bad.txt"), 1);
  EXPECT_NE(test::read_text(dir / "bad.txt").find("bad.mid"), std::string::npos) << test::read_text(dir / "bad.txt");
}

TEST(CliStartup, MidiInfoStartsFast) {
  const fs::path dir = test::scratch_dir("cli-startup-fast");
  // The median of 9 runs of `harmonia --help`, process start included. LibTorch alone took
  // 0.6 s to load; 0.3 s leaves room for a busy CI machine.
  std::vector<double> seconds;
  for (int i = 0; i < 9; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(test::run_harmonia("--help", dir / "out.txt"), 0);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(seconds.begin(), seconds.end());
  std::cout << "[startup] harmonia --help median " << seconds[4] << " s\n";
  EXPECT_LT(seconds[4], 0.3);
}

}  // namespace
