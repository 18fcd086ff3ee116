// Small models, data and process helpers shared by the training tests.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/model/causal_lm.hpp"
#include "core/train/batch_source.hpp"

namespace harmonia::train::test {

// A 2-layer, 32-wide GPT-2 (a few thousand parameters) seeded with `seed`.
std::shared_ptr<model::CausalLM> micro_model(uint64_t seed, double dropout = 0.0, int64_t vocab = 24);
// `count` random windows of `length` tokens in [1, vocab).
std::vector<std::vector<int64_t>> random_windows(int count, int length, uint64_t seed, int64_t vocab = 24);
// Largest absolute difference between two models' weights.
double max_weight_difference(const model::CausalLM& a, const model::CausalLM& b);
bool weights_identical(const model::CausalLM& a, const model::CausalLM& b);

// Starts this test binary again running only `gtest_filter`, with extra environment variables.
int spawn_self(const std::string& gtest_filter, const std::map<std::string, std::string>& env);
int wait_exit_code(int pid);  // exit status, or 128 + signal
int free_tcp_port();

// The real command line: `harmonia --threads N ARGS`, stdout dropped, stderr into `err`;
// the exit code, -1 if it did not exit.
int run_cli(const std::string& args, const std::filesystem::path& err, int threads = 1);
// A path in single quotes for those command lines.
std::string quoted(const std::filesystem::path& p);
// The train_loss column of RUN/train_log.csv, in step order (validation rows have none).
std::vector<double> train_losses(const std::filesystem::path& run);

}  // namespace harmonia::train::test
