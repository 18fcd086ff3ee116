// Training across processes: 2-rank DDP over c10d/Gloo, and a run killed with SIGKILL.
// The test binary re-runs itself as the worker (the *Worker tests skip unless their
// environment variable is set).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <random>
#include <thread>

#include "core/compute/threads.hpp"
#include "core/train/checkpoint.hpp"
#include "core/train/trainer.hpp"
#include "test_paths.hpp"
#include "train_test_util.hpp"

using namespace harmonia::train;
namespace util = harmonia::train::test;

namespace {
constexpr int kDdpSteps = 4;
constexpr int64_t kDdpBatchPerRank = 2;

TrainConfig ddp_config() {
  TrainConfig config;
  config.max_steps = kDdpSteps;
  config.warmup_steps = 1;
  config.seed = 3;
  return config;
}
std::vector<std::vector<int64_t>> ddp_windows() { return util::random_windows(32, 16, 21); }
}  // namespace

TEST(TrainDdpWorker, Run) {
  const char* out = std::getenv("HARMONIA_TRAIN_DDP_OUT");
  if (!out) GTEST_SKIP() << "worker of TrainDdp (started by it)";
  harmonia::compute::set_compute_threads(1);
  auto env = distributed_env_from_environment();
  ASSERT_TRUE(env.has_value());
  Distributed dist(*env);
  auto model = util::micro_model(8);
  InMemoryOptions o;
  o.batch_size = kDdpBatchPerRank;
  o.context = 16;
  o.rank = dist.rank();
  o.world_size = dist.world_size();
  InMemoryBatchSource data(ddp_windows(), o);
  train(ddp_config(), *model, data, nullptr, {}, &dist);
  model->save(std::filesystem::path(out) / ("rank" + std::to_string(dist.rank())));
}

TEST(TrainDdp, TwoRanksWithBatchBMatchOneRankWithBatch2B) {
  const auto dir = harmonia::test::scratch_dir("train_ddp");
  const int port = util::free_tcp_port();
  std::vector<int> pids;
  for (int rank = 0; rank < 2; ++rank)
    pids.push_back(util::spawn_self("TrainDdpWorker.Run", {{"HARMONIA_TRAIN_DDP_OUT", dir.string()},
                                                           {"WORLD_SIZE", "2"},
                                                           {"RANK", std::to_string(rank)},
                                                           {"LOCAL_RANK", std::to_string(rank)},
                                                           {"MASTER_ADDR", "127.0.0.1"},
                                                           {"MASTER_PORT", std::to_string(port)}}));
  for (int pid : pids) ASSERT_EQ(util::wait_exit_code(pid), 0);

  harmonia::compute::set_compute_threads(1);
  auto single = util::micro_model(8);
  InMemoryOptions o;
  o.batch_size = 2 * kDdpBatchPerRank;
  o.context = 16;
  InMemoryBatchSource data(ddp_windows(), o);
  train(ddp_config(), *single, data);

  auto rank0 = harmonia::model::load_model(dir / "rank0");
  auto rank1 = harmonia::model::load_model(dir / "rank1");
  EXPECT_TRUE(util::weights_identical(*rank0, *rank1)) << "ranks drifted apart";
  // Same sums in a different order: float noise, which Adam's normalisation can lift to
  // ~1e-6; a sharding or averaging mistake moves weights by ~lr (1e-3) per step.
  EXPECT_LT(util::max_weight_difference(*rank0, *single), 1e-4);
  EXPECT_GT(util::max_weight_difference(*single, *util::micro_model(8)), 1e-3);  // it trained
}

TEST(TrainKillWorker, Run) {
  const char* out = std::getenv("HARMONIA_TRAIN_KILL_OUT");
  if (!out) GTEST_SKIP() << "worker of TrainKill (started by it)";
  harmonia::compute::set_compute_threads(1);
  auto model = util::micro_model(9);
  InMemoryOptions o;
  o.batch_size = 4;
  o.context = 16;
  InMemoryBatchSource data(util::random_windows(16, 16, 4), o);
  TrainConfig config;
  config.max_steps = 100000;  // runs until killed
  config.checkpoint_every = 2;
  config.out_dir = out;
  train(config, *model, data);
}

TEST(TrainKill, KilledRunResumesFromItsNewestCheckpoint) {
  const auto dir = harmonia::test::scratch_dir("train_kill");
  const int pid = util::spawn_self("TrainKillWorker.Run", {{"HARMONIA_TRAIN_KILL_OUT", dir.string()}});
  std::mt19937 rng(std::random_device{}());
  const int wait_checkpoints = 2 + static_cast<int>(rng() % 4);
  // Wait for a few checkpoints, then kill at a random moment (often mid-checkpoint).
  for (int i = 0; i < 600; ++i) {
    auto latest = latest_checkpoint(dir);
    if (latest && latest->filename().string() >= checkpoint_name(2 * wait_checkpoints)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 50));
  kill(pid, SIGKILL);
  EXPECT_EQ(util::wait_exit_code(pid), 128 + SIGKILL);

  auto latest = latest_checkpoint(dir);
  ASSERT_TRUE(latest.has_value());
  auto model = util::micro_model(1);
  InMemoryOptions o;
  o.batch_size = 4;
  o.context = 16;
  InMemoryBatchSource data(util::random_windows(16, 16, 4), o);
  TrainConfig config;
  const int64_t step = std::stoll(latest->filename().string().substr(5));
  EXPECT_GE(step, 2 * wait_checkpoints);
  config.max_steps = step + 3;
  config.out_dir = dir;
  auto result = train(config, *model, data, nullptr, {}, nullptr, dir);
  EXPECT_EQ(result.steps, step + 3);
  EXPECT_EQ(latest_checkpoint(dir)->filename().string(), checkpoint_name(step + 3));
}
