// A data-parallel run loses a rank: killed (its connections close) or hung (SIGSTOP, nothing
// closes). The other ranks must stop with a message that says what to do, within the timeout
// for a hung one (HARMONIA_DIST_TIMEOUT_S), and `--resume RUN` alone must continue the run from
// its last checkpoint with as many ranks as before.
#include <gtest/gtest.h>

#include <fstream>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using namespace harmonia;

namespace {

// Four pop909 songs imported once per test into DIR/ds.
bool import_songs(const fs::path& dir) {
  fs::create_directories(dir / "in");
  for (const char* s : {"001.mid", "002.mid", "003.mid", "004.mid"})
    fs::copy_file(test::shared_dir() / "data" / "midi" / "pop909" / s, dir / "in" / s, fs::copy_options::overwrite_existing);
  return test::run_harmonia("dataset import '" + (dir / "in").string() + "' --out '" + (dir / "ds").string() + "'",
                            dir / "import.txt") == 0;
}

int run_script(const fs::path& dir, const std::string& body) {
  std::ofstream(dir / "scenario.sh") << "H='" << (test::bin_dir() / "harmonia").string() << "'\ncd '" << dir.string()
                                     << "'\n" << body;
  const std::string cmd = "sh '" + (dir / "scenario.sh").string() + "' > '" + (dir / "log.txt").string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// The rank's pid among PARENT's children: its environment says RANK=N.
const char* kFindRank = R"SH(
rank_pid() { for p in $(pgrep -P "$1"); do tr '\0' '\n' < /proc/$p/environ | grep -qx "RANK=$2" && echo $p; done; }
wait_for() { n=0; while [ ! -e "$1" ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n+1)); done; }
)SH";

}  // namespace

TEST(FaultDdp, KilledRankStopsTheOthersAndTheRunResumes) {
  if (!test::have_shared()) GTEST_SKIP() << "needs ../shared/data";
  const fs::path dir = test::scratch_dir("fault-ddp-kill");
  ASSERT_TRUE(import_songs(dir)) << test::read_text(dir / "import.txt");
  const int rc = run_script(dir, std::string(kFindRank) + R"SH(
"$H" --threads 2 train --dataset ds --out run --nproc 2 --max-steps 100000 --batch-size 2 --context 64 \
    --checkpoint-every 5 --quiet 2> first.txt &
L=$!
wait_for run/checkpoints/step-00000010
R1=$(rank_pid $L 1)
[ -n "$R1" ] || { kill $L; echo "no rank 1 under $L"; exit 3; }
start=$(date +%s)
kill -9 $R1
wait $L; echo "launcher=$?" > results
echo "seconds=$(( $(date +%s) - start ))" >> results
last=$(ls run/checkpoints | grep step- | tail -1)
echo "last=$last" >> results
"$H" --threads 2 train --resume run --max-steps $(( ${last#step-} + 5 )) 2> again.txt; echo "again=$?" >> results
)SH");
  ASSERT_EQ(rc, 0) << test::read_text(dir / "log.txt");
  const std::string results = test::read_text(dir / "results"), first = test::read_text(dir / "first.txt");
  EXPECT_NE(results.find("launcher=137"), std::string::npos) << results << first;
  EXPECT_NE(first.find("rank 1 was killed by signal 9"), std::string::npos) << first;
  EXPECT_NE(first.find("continue it from its last checkpoint with: harmonia train --resume run"), std::string::npos)
      << first;
  const auto seconds = std::stoi(results.substr(results.find("seconds=") + 8));
  EXPECT_LT(seconds, 30) << results;
  const std::string again = test::read_text(dir / "again.txt");
  EXPECT_NE(results.find("again=0"), std::string::npos) << results << again;
  EXPECT_NE(again.find("2 ranks"), std::string::npos) << again;  // --nproc came from train_args.json
}

TEST(FaultDdp, HungRankIsGivenUpOnWithinTheTimeout) {
  if (!test::have_shared()) GTEST_SKIP() << "needs ../shared/data";
  const fs::path dir = test::scratch_dir("fault-ddp-hang");
  ASSERT_TRUE(import_songs(dir)) << test::read_text(dir / "import.txt");
  // Two ranks started by hand, as another launcher would (torchrun's variables).
  const int rc = run_script(dir, std::string(kFindRank) + R"SH(
export HARMONIA_DIST_TIMEOUT_S=4 WORLD_SIZE=2 LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1
export MASTER_PORT=$(( 20000 + $$ % 20000 ))
ARGS="--threads 1 train --dataset ds --out run --max-steps 100000 --batch-size 2 --context 64 --checkpoint-every 5 --quiet"
RANK=0 LOCAL_RANK=0 "$H" $ARGS 2> rank0.txt &
R0=$!
RANK=1 LOCAL_RANK=1 "$H" $ARGS 2> rank1.txt &
R1=$!
wait_for run/checkpoints/step-00000010
kill -STOP $R1
start=$(date +%s)
wait $R0; echo "rank0=$?" > results
echo "seconds=$(( $(date +%s) - start ))" >> results
kill -9 $R1; kill -CONT $R1
)SH");
  ASSERT_EQ(rc, 0) << test::read_text(dir / "log.txt");
  const std::string results = test::read_text(dir / "results"), rank0 = test::read_text(dir / "rank0.txt");
  EXPECT_NE(results.find("rank0=1"), std::string::npos) << results << rank0;
  EXPECT_NE(rank0.find("another rank stopped or did not answer in time"), std::string::npos) << rank0;
  const auto seconds = std::stoi(results.substr(results.find("seconds=") + 8));
  EXPECT_LT(seconds, 30) << results << rank0;  // Gloo's own default would have waited 30 minutes
}
