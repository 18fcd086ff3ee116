// The training loop in one process: real learning, exact resume, control, schedule.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "core/compute/threads.hpp"
#include "core/train/checkpoint.hpp"
#include "core/train/lr_schedule.hpp"
#include "core/train/trainer.hpp"
#include "test_paths.hpp"
#include "train_test_util.hpp"

using namespace harmonia::train;
using harmonia::train::test::micro_model;
using harmonia::train::test::random_windows;

namespace {

InMemoryOptions options(int64_t batch, int64_t context = 16) {
  InMemoryOptions o;
  o.batch_size = batch;
  o.context = context;
  o.seed = 7;
  return o;
}

// Cancels the run from inside the data stream once `after` batches were handed out, so the
// stop point is exact (the trainer sees the request before the next step).
class CancelAfter : public BatchSource {
 public:
  CancelAfter(BatchSource& inner, TrainControl& control, int after) : inner_(inner), control_(control), after_(after) {}
  Batch next() override {
    Batch b = inner_.next();
    if (++served_ == after_) control_.cancel();
    return b;
  }
  int64_t batches_per_epoch() const override { return inner_.batches_per_epoch(); }
  nlohmann::json state() const override { return inner_.state(); }
  void restore(const nlohmann::json& s) override { inner_.restore(s); }
  void rewind() override { inner_.rewind(); }

 private:
  BatchSource& inner_;
  TrainControl& control_;
  int after_, served_ = 0;
};

}  // namespace

TEST(TrainSchedule, WarmupThenCosineToMinimum) {
  EXPECT_DOUBLE_EQ(learning_rate_at(0, 100, 10, 1e-3, 1e-4, "cosine"), 1e-4);
  EXPECT_DOUBLE_EQ(learning_rate_at(9, 100, 10, 1e-3, 1e-4, "cosine"), 1e-3);
  EXPECT_NEAR(learning_rate_at(10, 100, 10, 1e-3, 1e-4, "cosine"), 1e-3, 1e-12);
  EXPECT_NEAR(learning_rate_at(55, 100, 10, 1e-3, 1e-4, "cosine"), 5.5e-4, 1e-12);
  EXPECT_NEAR(learning_rate_at(100, 100, 10, 1e-3, 1e-4, "cosine"), 1e-4, 1e-12);
  EXPECT_DOUBLE_EQ(learning_rate_at(70, 100, 10, 1e-3, 1e-4, "constant"), 1e-3);
}

TEST(TrainLoop, OverfitsAFewSequences) {
  harmonia::compute::set_compute_threads(2);
  auto model = micro_model(1);
  InMemoryBatchSource data(random_windows(4, 16, 3), options(4));
  TrainConfig config;
  config.max_steps = 200;
  config.lr = 1e-2;
  config.schedule = "constant";
  config.weight_decay = 0.0;
  const double initial = evaluate(*model, data, 0, false);
  auto result = train(config, *model, data);
  const double final_loss = evaluate(*model, data, 0, false);
  EXPECT_GT(initial, 2.5);  // ~ln(23) for random tokens
  EXPECT_LT(final_loss, 0.05) << "initial " << initial;
  EXPECT_EQ(result.steps, 200);
  EXPECT_EQ(result.stop_reason, "max_steps");
}

TEST(TrainLoop, GradientAccumulationMatchesTheLargerBatch) {
  auto a = micro_model(2), b = micro_model(2);
  TrainConfig config;
  config.max_steps = 4;
  InMemoryBatchSource data_a(random_windows(16, 16, 5), options(4));
  InMemoryBatchSource data_b(random_windows(16, 16, 5), options(2));
  train(config, *a, data_a);
  config.grad_accum = 2;
  train(config, *b, data_b);
  EXPECT_LT(harmonia::train::test::max_weight_difference(*a, *b), 1e-4);  // float reduction order
  EXPECT_FALSE(harmonia::train::test::weights_identical(*a, *micro_model(2)));  // it did train
}

// Stopped at step 6 and resumed, a run ends bitwise identical to an uninterrupted one (CPU,
// fp32, same seed and thread count; dropout on, so the RNG state must be restored too).
TEST(TrainLoop, CancelledAndResumedRunEqualsUninterruptedRun) {
  harmonia::compute::set_compute_threads(2);
  const auto windows = random_windows(24, 16, 11);
  TrainConfig config;
  config.max_steps = 12;
  config.warmup_steps = 3;
  config.seed = 99;

  auto whole = micro_model(5, 0.1);
  InMemoryBatchSource whole_data(windows, options(4));
  train(config, *whole, whole_data);

  const auto run_dir = harmonia::test::scratch_dir("train_resume");
  config.out_dir = run_dir;
  auto first = micro_model(5, 0.1);
  InMemoryBatchSource first_data(windows, options(4));
  TrainControl control;
  CancelAfter cancelling(first_data, control, 6);
  EventQueue events;
  auto stopped = train(config, *first, cancelling, nullptr, {&events, &control});
  EXPECT_EQ(stopped.stop_reason, "cancelled");
  EXPECT_EQ(stopped.steps, 6);
  ASSERT_TRUE(latest_checkpoint(run_dir).has_value());
  EXPECT_EQ(latest_checkpoint(run_dir)->filename().string(), checkpoint_name(6));

  auto resumed = micro_model(77, 0.1);  // different init: the checkpoint must replace it
  InMemoryBatchSource resumed_data(windows, options(4));
  auto done = train(config, *resumed, resumed_data, nullptr, {}, nullptr, run_dir);
  EXPECT_EQ(done.steps, 12);
  EXPECT_TRUE(harmonia::train::test::weights_identical(*whole, *resumed))
      << "max difference " << harmonia::train::test::max_weight_difference(*whole, *resumed);

  // The CSV continues across the resume: a header and 12 step rows.
  std::ifstream csv(run_dir / "train_log.csv");
  int lines = 0;
  for (std::string line; std::getline(csv, line);) ++lines;
  EXPECT_EQ(lines, 13);
}

TEST(TrainLoop, PauseHoldsTheTrainingThreadUntilResumed) {
  auto model = micro_model(3);
  InMemoryBatchSource data(random_windows(8, 16, 2), options(4));
  TrainConfig config;
  config.max_steps = 3;
  EventQueue events;
  TrainControl control;
  control.pause();
  std::thread worker([&] { train(config, *model, data, nullptr, {&events, &control}); });
  std::vector<TrainEvent::Kind> seen;
  auto wait_for = [&](TrainEvent::Kind kind) {
    for (int i = 0; i < 200; ++i)
      if (auto e = events.pop_for(std::chrono::milliseconds(50))) {
        seen.push_back(e->kind);
        if (e->kind == kind) return true;
      }
    return false;
  };
  ASSERT_TRUE(wait_for(TrainEvent::Kind::Paused));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(events.size(), 0u) << "no step may run while paused";
  control.resume();
  ASSERT_TRUE(wait_for(TrainEvent::Kind::Finished));
  worker.join();
  EXPECT_EQ(std::count(seen.begin(), seen.end(), TrainEvent::Kind::Step), 3);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), TrainEvent::Kind::Resumed), 1);
}

TEST(TrainLoop, ValidationWritesBestCheckpointAndCsv) {
  auto model = micro_model(4);
  InMemoryBatchSource data(random_windows(8, 16, 2), options(4));
  InMemoryBatchSource validation(random_windows(8, 16, 2), options(4));  // same data: val falls
  TrainConfig config;
  config.max_steps = 20;
  config.lr = 1e-2;
  config.eval_every = 5;
  config.out_dir = harmonia::test::scratch_dir("train_validation");
  auto result = train(config, *model, data, &validation);
  EXPECT_GT(result.last_val_loss, 0);
  EXPECT_LT(result.best_val_loss, 2.5);
  EXPECT_TRUE(std::filesystem::exists(config.out_dir / "checkpoints" / "best" / "model" / "model.safetensors"));
  auto reloaded = harmonia::model::load_model(config.out_dir / "checkpoints" / "best" / "model");
  EXPECT_EQ(reloaded->num_parameters(), model->num_parameters());
}
