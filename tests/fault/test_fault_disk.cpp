// Faults injected from outside, as a user meets them: the disk fills up while a checkpoint, a
// dataset cache or a WAV is written, and the output folder is read-only. Each scenario runs
// the real `harmonia` in a private mount namespace on a small tmpfs (`unshare --mount`, which
// needs root or user namespaces; skipped with a message where it is refused). Expected: a clear
// error naming the file, exit code 1 (never a crash), the previous good file intact, nothing
// half-written left that a later run would trust.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "cli_runner.hpp"

namespace fs = std::filesystem;
using namespace harmonia;

namespace {

bool can_mount_tmpfs() {
  static const bool ok = [] {
    const fs::path dir = test::scratch_dir("fault-probe");
    fs::create_directories(dir / "m");
    const std::string cmd = "unshare --mount sh -c 'mount -t tmpfs -o size=1m tmpfs \"" + (dir / "m").string() +
                            "\"' > /dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  }();
  return ok;
}

// Runs `body` (sh) in a new mount namespace with a tmpfs of `size` on $D; $H is harmonia,
// $OUT a folder outside the tmpfs. `fill` = "fill K": a helper that leaves K KiB free.
// Lines "key=value" the script appends to $OUT/results come back as a map.
std::map<std::string, std::string> run_scenario(const fs::path& dir, const std::string& size, const std::string& body) {
  fs::create_directories(dir / "disk");
  fs::create_directories(dir / "out");
  const fs::path script = dir / "scenario.sh";
  std::ofstream(script) << "H='" << (test::bin_dir() / "harmonia").string() << "'\n"
                        << "D='" << (dir / "disk").string() << "'\n"
                        << "OUT='" << (dir / "out").string() << "'\n"
                        << "mount -t tmpfs -o size=" << size << " tmpfs \"$D\" || exit 99\n"
                        << "fill() { avail=$(df -k --output=avail \"$D\" | tail -1); "
                           "dd if=/dev/zero of=\"$D/filler\" bs=1k count=$((avail - $1)) 2>/dev/null; }\n"
                        << "note() { echo \"$1=$2\" >> \"$OUT/results\"; }\n"
                        << body;
  const std::string cmd =
      "unshare --mount sh '" + script.string() + "' > '" + (dir / "log.txt").string() + "' 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << test::read_text(dir / "log.txt");
  std::map<std::string, std::string> results;
  std::ifstream in(dir / "out" / "results");
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) results[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return results;
}

fs::path song(const char* name) { return test::shared_dir() / "data" / "midi" / "pop909" / name; }

#define SKIP_WITHOUT_TMPFS()                                                                        \
  if (!test::have_shared()) GTEST_SKIP() << "needs ../shared/data";                                  \
  if (!can_mount_tmpfs()) GTEST_SKIP() << "cannot mount a tmpfs in a private namespace (unshare --mount)"

}  // namespace

// A checkpoint that does not fit: before the fix LibTorch's archive writer threw from its
// destructor and the run died with SIGABRT (exit 134), leaving a .tmp folder.
TEST(FaultDisk, FullDiskWhileCheckpointingKeepsTheEarlierCheckpoints) {
  SKIP_WITHOUT_TMPFS();
  const fs::path dir = test::scratch_dir("fault-checkpoint");
  std::string songs;
  for (const char* s : {"001.mid", "002.mid", "003.mid", "004.mid"}) songs += " '" + song(s).string() + "'";
  const auto r = run_scenario(dir, "200m", R"(
mkdir -p "$OUT/in"; cp)" + songs + R"( "$OUT/in/"
"$H" dataset import "$OUT/in" --out "$OUT/ds" > /dev/null 2>&1; note import $?
TRAIN="--threads 1 train --batch-size 2 --context 64 --checkpoint-every 2 --quiet"
"$H" $TRAIN --dataset "$OUT/ds" --out "$D/run" --max-steps 2 2> "$OUT/first.txt"; note first $?
C="$D/run/checkpoints/step-00000002"
cp "$C/trainer_state.json" "$OUT/state-before.json"; md5sum < "$C/optimizer.pt" > "$OUT/opt-before"
# Room for the model but not for the optimizer's moments.
fill $(( $(stat -c %s "$C/model/model.safetensors") / 1024 + 64 ))
"$H" $TRAIN --resume "$D/run" --max-steps 4 2> "$OUT/full.txt"; note full $?
ls -a "$D/run/checkpoints" > "$OUT/after-full.txt"
cmp -s "$C/trainer_state.json" "$OUT/state-before.json"; note state_same $?
md5sum < "$C/optimizer.pt" | cmp -s - "$OUT/opt-before"; note opt_same $?
rm "$D/filler"
"$H" $TRAIN --resume "$D/run" --max-steps 4 2> "$OUT/again.txt"; note again $?
ls "$D/run/checkpoints" > "$OUT/after-again.txt"
)");
  ASSERT_EQ(r.at("import"), "0");
  ASSERT_EQ(r.at("first"), "0") << test::read_text(dir / "out" / "first.txt");
  const std::string err = test::read_text(dir / "out" / "full.txt");
  EXPECT_EQ(r.at("full"), "1") << err;
  EXPECT_NE(err.find("not saved, the earlier ones are intact"), std::string::npos) << err;
  EXPECT_NE(err.find("No space left on device"), std::string::npos) << err;
  const std::string listing = test::read_text(dir / "out" / "after-full.txt");
  EXPECT_EQ(listing.find(".tmp-"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("step-00000004"), std::string::npos) << listing;
  EXPECT_EQ(r.at("state_same"), "0");
  EXPECT_EQ(r.at("opt_same"), "0");
  EXPECT_EQ(r.at("again"), "0") << test::read_text(dir / "out" / "again.txt");
  EXPECT_NE(test::read_text(dir / "out" / "after-again.txt").find("step-00000004"), std::string::npos);
}

TEST(FaultDisk, FullDiskWhileImportingKeepsTheOldCache) {
  SKIP_WITHOUT_TMPFS();
  const fs::path dir = test::scratch_dir("fault-import");
  const auto r = run_scenario(dir, "2m", R"(
mkdir -p "$D/in"; cp ')" + song("001.mid").string() + "' '" + song("002.mid").string() + R"(' "$D/in/"
"$H" dataset import "$D/in" --out "$D/ds" > /dev/null 2>&1; note first $?
cp ')" + song("003.mid").string() + "' '" + song("004.mid").string() + "' '" + song("005.mid").string() + R"(' "$D/in/"
fill 8
"$H" dataset import "$D/in" --out "$D/ds" > /dev/null 2> "$OUT/full.txt"; note full $?
"$H" dataset stats "$D/ds" > "$OUT/stats.json" 2>&1; note stats $?
ls -a "$D/ds" > "$OUT/listing.txt"
)");
  ASSERT_EQ(r.at("first"), "0");
  const std::string err = test::read_text(dir / "out" / "full.txt");
  EXPECT_EQ(r.at("full"), "1") << err;
  EXPECT_NE(err.find("No space left on device"), std::string::npos) << err;
  EXPECT_NE(err.find((dir / "disk" / "ds").string()), std::string::npos) << err;  // names the file
  EXPECT_EQ(r.at("stats"), "0") << test::read_text(dir / "out" / "stats.json");
  EXPECT_NE(test::read_text(dir / "out" / "stats.json").find("\"files\": 2,"), std::string::npos)
      << test::read_text(dir / "out" / "stats.json");
  EXPECT_EQ(test::read_text(dir / "out" / "listing.txt").find(".tmp"), std::string::npos)
      << test::read_text(dir / "out" / "listing.txt");
}

TEST(FaultDisk, FullDiskWhileRenderingKeepsTheOldWav) {
  SKIP_WITHOUT_TMPFS();
  const fs::path dir = test::scratch_dir("fault-render");
  const auto r = run_scenario(dir, "120m", R"(
"$H" render ')" + song("001.mid").string() + R"(' --out "$D/a.wav" > /dev/null 2>&1; note first $?
md5sum < "$D/a.wav" > "$OUT/before"
fill 1000
"$H" render ')" + song("002.mid").string() + R"(' --out "$D/a.wav" > "$OUT/full.txt" 2>&1; note full $?
md5sum < "$D/a.wav" | cmp -s - "$OUT/before"; note same $?
ls -a "$D" > "$OUT/listing.txt"
)");
  ASSERT_EQ(r.at("first"), "0");
  const std::string err = test::read_text(dir / "out" / "full.txt");
  EXPECT_EQ(r.at("full"), "1") << err;
  EXPECT_NE(err.find("a.wav"), std::string::npos) << err;
  EXPECT_EQ(r.at("same"), "0");
  EXPECT_EQ(test::read_text(dir / "out" / "listing.txt").find(".tmp"), std::string::npos);
}

TEST(FaultDisk, ReadOnlyOutputFolderGetsAClearError) {
  SKIP_WITHOUT_TMPFS();
  const fs::path dir = test::scratch_dir("fault-readonly");
  const auto r = run_scenario(dir, "8m", R"(
mkdir -p "$OUT/in"; cp ')" + song("001.mid").string() + "' '" + song("002.mid").string() + R"(' "$OUT/in/"
"$H" dataset import "$OUT/in" --out "$OUT/ds" > /dev/null 2>&1; note prepare $?
mount -o remount,ro "$D"
"$H" render "$OUT/in/001.mid" --out "$D/a.wav" > "$OUT/render.txt" 2>&1; note render $?
"$H" dataset import "$OUT/in" --out "$D/ds" > /dev/null 2> "$OUT/import.txt"; note import $?
"$H" --threads 1 train --dataset "$OUT/ds" --out "$D/run" --max-steps 1 --quiet 2> "$OUT/train.txt"; note train $?
)");
  ASSERT_EQ(r.at("prepare"), "0");
  for (const char* what : {"render", "import", "train"}) {
    const std::string err = test::read_text(dir / "out" / (std::string(what) + ".txt"));
    EXPECT_EQ(r.at(what), "1") << what << ": " << err;
    EXPECT_NE(err.find((dir / "disk").string()), std::string::npos) << what << ": " << err;
    EXPECT_NE(err.find("Read-only file system"), std::string::npos) << what << ": " << err;
  }
}
