// The memory check before a run (core/train/memory_estimate): the estimate grows as the model
// and the batch do, with the square of the context for attention and not for Mamba; a run that
// cannot fit is refused with both figures; a small run on this machine is not.
#include <gtest/gtest.h>

#include "core/model/causal_lm.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "core/train/memory_estimate.hpp"
#include "core/train/model_setup.hpp"

namespace harmonia::train {
namespace {

model::ModelConfig tiny(const std::string& arch) {
  const auto tok = tokenizer::Tokenizer::create("REMI");
  return model_config_for("tiny", arch, *tok, 8192);
}

TEST(TrainingMemory, WhatTheMonkeyTypedIsRefusedWithTheFigures) {
  const auto c = tiny("");
  const auto e = estimate_training_memory(c, 900000, 512, 8192);
  EXPECT_GT(e.total(), 200e9);  // batch 512 x 8192^2 attention scores alone are hundreds of GB
  const std::string why = memory_refusal(e, 24ull << 30, 512, 8192);
  ASSERT_FALSE(why.empty());
  EXPECT_NE(why.find("batch 512 x context 8192"), std::string::npos) << why;
  EXPECT_NE(why.find("25.8 GB free"), std::string::npos) << why;
  EXPECT_NE(why.find("lower the batch"), std::string::npos) << why;
}

TEST(TrainingMemory, TheDemoSizedRunFitsOnASmallMachine) {
  const auto c = tiny("");
  // Measured: `harmonia train --preset tiny --batch-size 8 --context 1024 --precision fp32`
  // peaks at 1.41 GB resident (8 Dec 2026, LibTorch and the dataset included).
  const auto e = estimate_training_memory(c, 990000, 8, 1024);
  EXPECT_GT(e.total(), 1.41e9 * 0.8) << e.total();
  EXPECT_LT(e.total(), 1.41e9 * 1.5) << e.total();
  EXPECT_EQ(memory_refusal(e, 4ull << 30, 8, 1024), "");  // a 4 GB machine runs it
  EXPECT_GT(available_memory_bytes(), 0u);  // Linux: /proc/meminfo
  EXPECT_EQ(memory_refusal(e, 0, 8, 1024), "");  // unknown: nothing refused
}

TEST(TrainingMemory, AttentionGrowsWithTheSquareOfTheContextAStateSpaceModelDoesNot) {
  const auto gpt = tiny("gpt2");
  const double a1 = estimate_training_memory(gpt, 0, 4, 2048).activations;
  const double a2 = estimate_training_memory(gpt, 0, 4, 4096).activations;
  EXPECT_GT(a2 / a1, 3.0);  // mostly the s^2 scores at this size
  const auto mamba = tiny("mamba");
  const double m1 = estimate_training_memory(mamba, 0, 4, 2048).activations;
  const double m2 = estimate_training_memory(mamba, 0, 4, 4096).activations;
  EXPECT_NEAR(m2 / m1, 2.0, 1e-9);
  // Weights: fp32 weight, gradient and two AdamW moments.
  EXPECT_DOUBLE_EQ(estimate_training_memory(gpt, 1000000, 1, 16).weights_and_optimizer, 16e6);
}

}  // namespace
}  // namespace harmonia::train
