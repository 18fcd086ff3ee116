// A Mamba through the same command line as the transformers: `harmonia train --arch mamba`
// on a small imported corpus lowers the loss and writes a MambaForCausalLM directory, and
// `harmonia generate` samples decodable music from it through the recurrent state.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/midi/midi_file.hpp"
#include "core/model/causal_lm.hpp"
#include "data/data_fixtures.hpp"
#include "test_paths.hpp"
#include "train_test_util.hpp"

using namespace harmonia;
namespace fs = std::filesystem;

// Two threads: the Mamba scan is the code under test and runs threaded in the studio.
int run_cli(const std::string& args, const fs::path& err) { return train::test::run_cli(args, err, 2); }
using train::test::quoted;
using train::test::train_losses;

TEST(TrainMamba, TrainsOnASmallCorpusAndGeneratesMusic) {
  const auto dir = test::scratch_dir("train_mamba_cli");
  test::write_songs(dir / "in", 6, 8);
  ASSERT_EQ(run_cli("dataset import " + quoted(dir / "in") + " --tokenizer remi --out " + quoted(dir / "ds"),
                    dir / "import.txt"),
            0)
      << test::read_all(dir / "import.txt");
  ASSERT_EQ(run_cli("train --dataset " + quoted(dir / "ds") +
                        " --arch mamba --preset tiny --context 64 --batch-size 4 --max-steps 20 --lr 3e-3 "
                        "--warmup 3 --log-every 1 --seed 1 --out " + quoted(dir / "run"),
                    dir / "train.txt"),
            0)
      << test::read_all(dir / "train.txt");

  const auto losses = train_losses(dir / "run");
  ASSERT_GE(losses.size(), 10u) << test::read_all(dir / "train.txt");
  const double first = losses.front(), last = losses.back();
  EXPECT_LT(last, first * 0.8) << first << " -> " << last;

  const auto model = model::load_model(dir / "run" / "model");
  EXPECT_EQ(model->config().model_type, "mamba");
  EXPECT_EQ(model->config().num_hidden_layers, 8);  // tiny's 4 layers, doubled for a Mamba

  ASSERT_EQ(run_cli("generate --model " + quoted(dir / "run") + " --out " + quoted(dir / "gen.mid") +
                        " --max-new-tokens 96 --min-new-tokens 32 --seed 3",
                    dir / "gen.txt"),
            0)
      << test::read_all(dir / "gen.txt");
  const auto score = midi::read_midi_file((dir / "gen.mid").string());
  std::cout << "[mamba cli] losses " << first << " -> " << last << ", generated " << score.note_count()
            << " notes\n";
  EXPECT_GT(score.note_count(), 0u) << test::read_all(dir / "gen.txt");
}

// Without --arch a preset trains its own architecture: mamba-mini is a Mamba, tiny a GPT-2.
TEST(TrainMamba, APresetWithoutArchTrainsItsOwnArchitecture) {
  const auto dir = test::scratch_dir("train_mamba_preset");
  test::write_songs(dir / "in", 6, 8);
  ASSERT_EQ(run_cli("dataset import " + quoted(dir / "in") + " --tokenizer remi --out " + quoted(dir / "ds"),
                    dir / "import.txt"),
            0)
      << test::read_all(dir / "import.txt");
  for (const auto& [preset, type] : {std::pair<std::string, std::string>{"mamba-mini", "mamba"}, {"tiny", "gpt2"}}) {
    const auto run = dir / preset;
    ASSERT_EQ(run_cli("train --dataset " + quoted(dir / "ds") + " --preset " + preset +
                          " --context 64 --batch-size 2 --max-steps 1 --warmup 1 --out " + quoted(run),
                      dir / (preset + ".txt")),
              0)
        << test::read_all(dir / (preset + ".txt"));
    EXPECT_EQ(model::load_model(run / "model")->config().model_type, type) << preset;
    EXPECT_NE(test::read_all(dir / (preset + ".txt")).find("training " + type + "/" + preset), std::string::npos)
        << test::read_all(dir / (preset + ".txt"));
  }
}
