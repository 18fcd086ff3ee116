// `harmonia train` through the real binary on a small imported dataset: a short run leaves
// the model, logs and checkpoints; a run stopped and resumed ends with the weights of an
// uninterrupted one; --nproc 2 (two local ranks over Gloo) matches one rank with the
// double batch.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/data/import_job.hpp"
#include "core/model/causal_lm.hpp"
#include "data/data_fixtures.hpp"
#include "test_paths.hpp"
#include "train_test_util.hpp"

using namespace harmonia;
namespace fs = std::filesystem;

namespace {

const fs::path& dataset() {
  static const fs::path ds = [] {
    // One folder per test: ctest runs each test as its own process, in parallel, and
    // scratch_dir() empties the folder it returns.
    const auto dir = test::scratch_dir(std::string("train_cli_data_") +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    test::write_songs(dir / "in", 10, 6);
    data::ImportOptions o;
    o.input_dir = (dir / "in").string();
    o.dataset_dir = (dir / "ds").string();
    data::import_dataset(tokenizer::Tokenizer::create("REMI"), o);
    return dir / "ds";
  }();
  return ds;
}

// Runs `harmonia train` on the dataset with 64-token windows; stderr goes to `err`.
int run_train(const fs::path& run, const std::string& extra, const fs::path& err) {
  const std::string cmd = "'" + (test::bin_dir() / "harmonia").string() + "' --threads 1 train --dataset '" +
                          dataset().string() + "' --out '" + run.string() +
                          "' --context 64 --seed 5 " + extra + " 2> '" + err.string() + "'";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// Runs `harmonia --threads 1 train ARGS` as given (no dataset or run folder added).
int run_harmonia_train(const std::string& args, const fs::path& err) {
  const std::string cmd = "'" + (test::bin_dir() / "harmonia").string() + "' --threads 1 train " + args + " 2> '" +
                          err.string() + "'";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

std::shared_ptr<model::CausalLM> final_model(const fs::path& run) { return model::load_model(run / "model"); }

}  // namespace

TEST(TrainCli, ShortRunLeavesModelLogsAndCheckpoints) {
  const auto dir = test::scratch_dir("train_cli_short");
  ASSERT_EQ(run_train(dir / "run", "--batch-size 4 --warmup 2 --max-steps 6 --eval-every 3 --checkpoint-every 3", dir / "err.txt"), 0)
      << test::read_all(dir / "err.txt");
  const auto err = test::read_all(dir / "err.txt");
  EXPECT_NE(err.find("step 6/6"), std::string::npos) << err;
  EXPECT_NE(err.find("tok/s"), std::string::npos);
  EXPECT_NE(err.find("ETA"), std::string::npos);
  EXPECT_NE(err.find("validation at step 3"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "run" / "model" / "config.json"));
  EXPECT_TRUE(fs::exists(dir / "run" / "model" / "model.safetensors"));
  EXPECT_TRUE(fs::exists(dir / "run" / "model" / "tokenizer.json"));  // ready for `harmonia generate`
  EXPECT_TRUE(fs::exists(dir / "run" / "checkpoints" / "step-00000006"));
  EXPECT_TRUE(fs::exists(dir / "run" / "checkpoints" / "best"));
  const auto csv = test::read_all(dir / "run" / "train_log.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 6 + 2);  // header, 6 steps, 2 validations
}

TEST(TrainCli, ResumedRunEndsWithTheUninterruptedWeights) {
  const auto dir = test::scratch_dir("train_cli_resume");
  // Constant schedule: the first half of a 6-step run is then exactly a 3-step run.
  const std::string common = "--batch-size 4 --schedule constant --warmup 0 --lr 3e-3 ";
  ASSERT_EQ(run_train(dir / "full", common + "--max-steps 6", dir / "full.txt"), 0) << test::read_all(dir / "full.txt");
  ASSERT_EQ(run_train(dir / "part", common + "--max-steps 3", dir / "part1.txt"), 0) << test::read_all(dir / "part1.txt");
  ASSERT_EQ(run_train(dir / "part", common + "--max-steps 6 --resume '" + (dir / "part").string() + "'", dir / "part2.txt"),
            0)
      << test::read_all(dir / "part2.txt");
  const auto full = final_model(dir / "full"), resumed = final_model(dir / "part"),
             half = model::load_model(dir / "part" / "checkpoints" / "step-00000003" / "model");
  EXPECT_TRUE(train::test::weights_identical(*full, *resumed))
      << "max difference " << train::test::max_weight_difference(*full, *resumed);
  EXPECT_GT(train::test::max_weight_difference(*full, *half), 0.0);  // it did train further
}

// `harmonia runs` reads a real run folder: the figures equal the run's own files (weights'
// element count, the CSV's last step and smallest validation loss); a damaged log names itself.
TEST(TrainCli, RunsListsARunFromItsFiles) {
  const auto dir = test::scratch_dir("train_cli_runs");
  ASSERT_EQ(run_train(dir / "runs" / "a", "--batch-size 4 --warmup 2 --max-steps 4 --eval-every 2", dir / "a.txt"), 0)
      << test::read_all(dir / "a.txt");
  ASSERT_EQ(std::system(("'" + (test::bin_dir() / "harmonia").string() + "' runs --curves '" + (dir / "runs").string() +
                         "' > '" + (dir / "runs.json").string() + "'")
                            .c_str()),
            0);
  const auto j = nlohmann::json::parse(test::read_all(dir / "runs.json"));
  ASSERT_EQ(j.size(), 1u);
  const auto& r = j[0];
  EXPECT_EQ(r.at("architecture"), "gpt2");
  EXPECT_EQ(r.at("preset"), "tiny");
  EXPECT_EQ(r.at("parameters").get<int64_t>(), final_model(dir / "runs" / "a")->num_parameters());
  EXPECT_EQ(r.at("steps"), 4);
  EXPECT_EQ(r.at("status"), "finished");
  EXPECT_EQ(r.at("tokenizer"), "REMI");
  EXPECT_EQ(r.at("train_curve").size(), 4u);
  ASSERT_EQ(r.at("validation_curve").size(), 2u);
  const double best = std::min(r.at("validation_curve")[0][2].get<double>(), r.at("validation_curve")[1][2].get<double>());
  EXPECT_DOUBLE_EQ(r.at("best_val_loss").get<double>(), best);
  EXPECT_GT(r.at("tokens_per_second").get<double>(), 0);
  // A damaged log and a folder without runs: exit 1 and the file named.
  std::ofstream(dir / "runs" / "a" / "train_log.csv") << "garbage\n";
  ASSERT_EQ(std::system(("'" + (test::bin_dir() / "harmonia").string() + "' runs '" + (dir / "runs" / "a").string() +
                         "' 2> '" + (dir / "bad.txt").string() + "' > /dev/null")
                            .c_str()) >> 8,
            1);
  EXPECT_NE(test::read_all(dir / "bad.txt").find("train_log.csv: not a training log"), std::string::npos)
      << test::read_all(dir / "bad.txt");
}

// Tokens seen per point, from a log written by hand: each train row adds its tokens/s times
// the training seconds since the row before; a resume's redone rows are replaced and counted
// once; a validation point has the tokens of the step it follows.
TEST(TrainCli, RunsCurvesCountTokensSeen) {
  const auto dir = test::scratch_dir("train_cli_runs_tokens");
  fs::create_directories(dir / "r");
  std::ofstream(dir / "r" / "train_log.csv") << "step,epoch,train_loss,val_loss,lr,grad_norm,tokens_per_s,elapsed_s\n"
                                                "1,0,5,,0.001,1,100,1\n"
                                                "2,0,4,,0.001,1,200,1.5\n"
                                                "2,0,,4.5,0.001,0,0,1.5\n"
                                                "3,0,3.5,,0.001,1,400,2\n"
                                                // resumed from step 2: step 3 again, then 4
                                                "3,0,3.4,,0.001,1,300,2.5\n"
                                                "4,0,3,,0.001,1,300,3.5\n"
                                                "4,0,,3.2,0,0,0,3.5\n";
  ASSERT_EQ(std::system(("'" + (test::bin_dir() / "harmonia").string() + "' runs --curves '" + (dir / "r").string() +
                         "' > '" + (dir / "runs.json").string() + "'")
                            .c_str()),
            0);
  const auto j = nlohmann::json::parse(test::read_all(dir / "runs.json"));
  ASSERT_EQ(j.size(), 1u);
  const auto& train = j[0].at("train_curve");
  ASSERT_EQ(train.size(), 4u);
  EXPECT_EQ(train[0][3], 100);  // 100/s over 1 s
  EXPECT_EQ(train[1][3], 200);  // + 200/s over 0.5 s
  EXPECT_EQ(train[2][3], 500);  // the resumed step 3: + 300/s over 1 s (the first step 3 is gone)
  EXPECT_EQ(train[3][3], 800);
  const auto& val = j[0].at("validation_curve");
  ASSERT_EQ(val.size(), 2u);
  EXPECT_EQ(val[0][3], 200);
  EXPECT_EQ(val[1][3], 800);
}

// `--resume RUN` alone: the run's saved options (train_args.json) give the dataset, context,
// seed, schedule..., so the continuation equals the uninterrupted run; an option given on the
// resuming line (--max-steps) wins over the saved one.
TEST(TrainCli, ResumeWithTheRunFolderAloneContinuesIt) {
  const auto dir = test::scratch_dir("train_cli_resume_alone");
  const std::string common = "--batch-size 4 --schedule constant --warmup 0 --lr 3e-3 ";
  ASSERT_EQ(run_train(dir / "full", common + "--max-steps 6", dir / "full.txt"), 0) << test::read_all(dir / "full.txt");
  ASSERT_EQ(run_train(dir / "part", common + "--max-steps 3", dir / "part1.txt"), 0) << test::read_all(dir / "part1.txt");
  ASSERT_TRUE(fs::exists(dir / "part" / "train_args.json"));
  ASSERT_EQ(run_harmonia_train("--resume " + quoted(dir / "part") + " --max-steps 6", dir / "part2.txt"), 0)
      << test::read_all(dir / "part2.txt");
  EXPECT_NE(test::read_all(dir / "part2.txt").find("step 6/6"), std::string::npos) << test::read_all(dir / "part2.txt");
  const auto full = final_model(dir / "full"), resumed = final_model(dir / "part");
  EXPECT_TRUE(train::test::weights_identical(*full, *resumed))
      << "max difference " << train::test::max_weight_difference(*full, *resumed);
  // The saved options now say 6 steps: resuming again from a checkpoint path has nothing left to do
  // and writes into the run folder, not into the checkpoint.
  ASSERT_EQ(run_harmonia_train("--resume " + quoted(dir / "part" / "checkpoints" / "step-00000006"), dir / "part3.txt"), 0)
      << test::read_all(dir / "part3.txt");
  EXPECT_FALSE(fs::exists(dir / "part" / "checkpoints" / "step-00000006" / "train_args.json"));
  EXPECT_TRUE(fs::exists(dir / "part" / "checkpoints" / "step-00000006" / "trainer_state.json"));
}

// A run folder that does not say what it trained on, a folder that does not exist, a damaged
// train_args.json: each a clear message naming the problem.
TEST(TrainCli, ResumeWithoutSavedOptionsSaysWhatIsMissing) {
  const auto dir = test::scratch_dir("train_cli_resume_errors");
  fs::create_directories(dir / "bare");
  ASSERT_EQ(run_harmonia_train("--resume " + quoted(dir / "bare"), dir / "bare.txt"), 1);
  EXPECT_NE(test::read_all(dir / "bare.txt").find("give --dataset"), std::string::npos) << test::read_all(dir / "bare.txt");
  ASSERT_EQ(run_harmonia_train("--resume " + quoted(dir / "nowhere"), dir / "nowhere.txt"), 1);
  EXPECT_NE(test::read_all(dir / "nowhere.txt").find("no such folder"), std::string::npos);
  fs::create_directories(dir / "damaged");
  std::ofstream(dir / "damaged" / "train_args.json") << "{\"options\": [1, 2";
  ASSERT_EQ(run_harmonia_train("--resume " + quoted(dir / "damaged"), dir / "damaged.txt"), 1);
  const auto err = test::read_all(dir / "damaged.txt");
  EXPECT_NE(err.find("train_args.json: not valid JSON"), std::string::npos) << err;
  ASSERT_EQ(run_harmonia_train("--out " + quoted(dir / "x"), dir / "nodata.txt"), 1);
  EXPECT_NE(test::read_all(dir / "nodata.txt").find("--dataset is required"), std::string::npos);
}

// A run the studio started (run.json, no train_args.json) continues from the command line with
// the studio's dataset cache and settings.
TEST(TrainCli, ResumesAStudioRunFromItsRunJson) {
  const auto dir = test::scratch_dir("train_cli_resume_studio");
  ASSERT_EQ(run_train(dir / "run", "--batch-size 4 --warmup 0 --max-steps 2 --lr 2e-3", dir / "one.txt"), 0)
      << test::read_all(dir / "one.txt");
  fs::remove(dir / "run" / "train_args.json");
  std::ofstream(dir / "run" / "run.json") << "{\"preset\": \"tiny\", \"architecture\": \"gpt2\", \"max_steps\": 4, "
                                             "\"batch_size\": 4, \"seq_len\": 64, \"lr\": 0.002, \"warmup_steps\": 0, "
                                             "\"seed\": 5, \"validation\": 0.1, \"dataset_dir\": \""
                                          << dataset().string() << "\", \"chunks\": {\"min_notes\": 0}}";
  ASSERT_EQ(run_harmonia_train("--resume " + quoted(dir / "run"), dir / "two.txt"), 0) << test::read_all(dir / "two.txt");
  EXPECT_NE(test::read_all(dir / "two.txt").find("step 4/4"), std::string::npos) << test::read_all(dir / "two.txt");
  EXPECT_TRUE(fs::exists(dir / "run" / "checkpoints" / "step-00000004"));
}

// --seed alone also picks the validation files; --split-seed fixes them, so runs with other
// seeds (init, shuffling, dropout) report validation losses on the same files. The run lists
// them in validation_files.txt, and train_args.json keeps the split seed for --resume.
TEST(TrainCli, SplitSeedKeepsTheValidationFilesAcrossSeeds) {
  const auto dir = test::scratch_dir("train_cli_split_seed");
  const auto train = [&](const std::string& name, const std::string& seeds) {
    const std::string args = "--dataset " + quoted(dataset()) + " --out " + quoted(dir / name) +
                             " --context 64 --batch-size 4 --max-steps 1 --warmup 0 " + seeds;
    EXPECT_EQ(run_harmonia_train(args, dir / (name + ".txt")), 0) << test::read_all(dir / (name + ".txt"));
    return test::read_all(dir / name / "validation_files.txt");
  };
  const auto seed5 = train("seed5", "--seed 5"), seed6 = train("seed6", "--seed 6"),
             seed6_split5 = train("seed6_split5", "--seed 6 --split-seed 5");
  ASSERT_FALSE(seed5.empty());
  ASSERT_NE(seed5, seed6);        // without --split-seed the seed moves the split (else this test proves nothing)
  EXPECT_EQ(seed6_split5, seed5);  // with it, the same files
  EXPECT_NE(test::read_all(dir / "seed6_split5" / "train_args.json").find("\"--split-seed\": \"5\""), std::string::npos);
}

TEST(TrainCli, TwoLocalRanksMatchOneRankWithDoubleBatch) {
  const auto dir = test::scratch_dir("train_cli_ddp");
  // fp32: the equivalence is exact up to summation order only there (the default precision
  // is bf16 on CPUs that have it, where the two orders differ by ~2e-3).
  ASSERT_EQ(run_train(dir / "one", "--precision fp32 --max-steps 3 --warmup 2 --batch-size 4", dir / "one.txt"), 0)
      << test::read_all(dir / "one.txt");
  // --batch-size is per rank: 2 ranks x 2 = the same global batch of 4.
  ASSERT_EQ(run_train(dir / "two", "--precision fp32 --max-steps 3 --warmup 2 --nproc 2 --batch-size 2", dir / "two.txt"),
            0)
      << test::read_all(dir / "two.txt");
  const auto err = test::read_all(dir / "two.txt");
  EXPECT_NE(err.find("2 ranks"), std::string::npos) << err;
  const double diff = train::test::max_weight_difference(*final_model(dir / "one"), *final_model(dir / "two"));
  EXPECT_LT(diff, 1e-4);
}
