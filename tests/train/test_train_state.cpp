// trainer_state.json: what the trainer writes reads back exactly, and damage (a hand edit, a
// bad disk) is a TrainerStateError naming the file — never a JSON library exception, a negative
// step or a data position BatchSource::restore cannot use.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/train/checkpoint.hpp"
#include "core/train/optimizer.hpp"
#include "core/train/trainer_state.hpp"
#include "test_paths.hpp"
#include "train_test_util.hpp"

namespace ht = harmonia::train;

namespace {

std::string good_text() {
  ht::TrainerState s;
  s.step = 12;
  s.epoch = 1;
  s.data = {{"kind", "dataset"}, {"epoch", 1}, {"batch_index", 3}, {"seed", 7}, {"windows", 40}};
  s.best_val_loss = 2.5;
  s.evals_without_improvement = 2;
  s.elapsed_s = 4.25;
  s.tokens = 9000;
  s.config = {{"lr", 0.001}};
  return ht::trainer_state_to_json(s).dump(2);
}

// Replaces `from` (once) in the good text and expects the parse to fail naming the file and `problem`.
void expect_refused(const std::string& from, const std::string& to, const std::string& problem) {
  std::string text = good_text();
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  try {
    (void)ht::parse_trainer_state(text, "run/trainer_state.json");
    ADD_FAILURE() << "accepted: " << to;
  } catch (const ht::TrainerStateError& e) {
    EXPECT_NE(std::string(e.what()).find("run/trainer_state.json: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(problem), std::string::npos) << e.what();
  }
}

TEST(TrainerState, WhatIsWrittenReadsBackExactly) {
  const auto s = ht::parse_trainer_state(good_text(), "t.json");
  EXPECT_EQ(s.step, 12);
  EXPECT_EQ(s.epoch, 1);
  EXPECT_EQ(s.data.at("batch_index").get<int64_t>(), 3);
  EXPECT_DOUBLE_EQ(s.best_val_loss, 2.5);
  EXPECT_EQ(s.evals_without_improvement, 2);
  EXPECT_DOUBLE_EQ(s.elapsed_s, 4.25);
  EXPECT_EQ(s.tokens, 9000);
  EXPECT_EQ(s.config.at("lr").get<double>(), 0.001);
  // Before any validation best_val_loss is infinity: written as null, read back as infinity.
  ht::TrainerState fresh;
  fresh.data = {{"kind", "in_memory"}, {"epoch", 0}, {"batch_index", 0}, {"seed", 1}};
  EXPECT_TRUE(std::isinf(ht::parse_trainer_state(ht::trainer_state_to_json(fresh).dump(), "t.json").best_val_loss));
}

TEST(TrainerStateHostile, DamageIsAClearErrorNamingTheFile) {
  expect_refused("\"step\": 12", "\"step\": \"12\"", "\"step\" is not a non-negative integer");
  expect_refused("\"step\": 12", "\"step\": -3", "\"step\" is not a non-negative integer");
  expect_refused("\"step\": 12", "\"step\": 18446744073709551615", "\"step\" is not a non-negative integer");
  expect_refused("\"step\": 12", "\"stop\": 12", "missing \"step\"");
  expect_refused("\"tokens\": 9000", "\"tokens\": 1.5", "\"tokens\" is not a non-negative integer");
  expect_refused("\"elapsed_s\": 4.25", "\"elapsed_s\": -1", "\"elapsed_s\" is not a non-negative number");
  expect_refused("\"best_val_loss\": 2.5", "\"best_val_loss\": \"low\"", "neither null nor a finite number");
  expect_refused("\"batch_index\": 3", "\"batch_index\": -1", "\"data.batch_index\" is not a non-negative integer");
  expect_refused("\"batch_index\": 3,", "", "missing \"data.batch_index\"");
  expect_refused("\"kind\": \"dataset\"", "\"kind\": 5", "\"data.kind\" is not a string");
  expect_refused("\"windows\": 40", "\"windows\": -40", "\"data.windows\" is not a non-negative integer");
  expect_refused("\"config\": {", "\"config\": [{", "not valid JSON");
  expect_refused("{", "[", "not valid JSON");
}

TEST(TrainerStateHostile, NotAnObjectOrNotJson) {
  EXPECT_THROW(ht::parse_trainer_state("[1, 2]", "t.json"), ht::TrainerStateError);
  EXPECT_THROW(ht::parse_trainer_state("", "t.json"), ht::TrainerStateError);
  EXPECT_THROW(ht::parse_trainer_state("{\"step\": 1", "t.json"), ht::TrainerStateError);
}

// A 2 MB "trainer state" is refused by its size before it is read or parsed.
TEST(TrainerStateHostile, OversizedFileIsRefusedBeforeReading) {
  const auto path = harmonia::test::scratch_dir("trainer_state_big") / "trainer_state.json";
  { std::ofstream(path) << "{}"; }
  std::filesystem::resize_file(path, 2u << 20);
  try {
    (void)ht::read_trainer_state(path.string());
    FAIL() << "accepted a 2 MB trainer state";
  } catch (const ht::TrainerStateError& e) {
    EXPECT_NE(std::string(e.what()).find("larger than any trainer state"), std::string::npos) << e.what();
  }
}

// Resuming from a checkpoint whose trainer_state.json was damaged: a TrainerStateError naming
// that file (before the split it was nlohmann's type_error, with no file name).
TEST(TrainerStateHostile, ResumeFromADamagedCheckpointNamesTheFile) {
  const auto dir = harmonia::test::scratch_dir("trainer_state_resume");
  auto model = ht::test::micro_model(1);
  ht::TrainConfig config;
  auto optimizer = ht::make_adamw(*model, config);
  ht::TrainerState state;
  state.data = {{"kind", "in_memory"}, {"epoch", 0}, {"batch_index", 0}, {"seed", 1}};
  const auto saved = ht::save_checkpoint(dir, "step-00000001", *model, *optimizer, state);
  { std::ofstream(saved / "trainer_state.json") << R"({"step": "one", "epoch": 0})"; }
  try {
    (void)ht::load_checkpoint(saved, *model, *optimizer);
    FAIL() << "resumed from a damaged trainer state";
  } catch (const ht::TrainerStateError& e) {
    EXPECT_NE(std::string(e.what()).find((saved / "trainer_state.json").string()), std::string::npos) << e.what();
  }
}

}  // namespace
