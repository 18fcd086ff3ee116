// `harmonia model init|info|forward` end to end through the real binary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/torch.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/model/causal_lm.hpp"
#include "core/model/safetensors.hpp"
#include "fixture_helpers.hpp"

namespace hm = harmonia::model;
namespace ht = harmonia::test;
namespace fs = std::filesystem;

namespace {

struct Result {
  int code;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Result harmonia(const std::string& args, const fs::path& dir) {
  const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string cmd = "'" + (ht::bin_dir() / "harmonia").string() + "' --threads 2 " + args + " > '" +
                          out.string() + "' 2> '" + err.string() + "'";
  const int rc = std::system(cmd.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(out), slurp(err)};
}

TEST(ModelCli, InitInfoForwardAgreeWithTheLibrary) {
  const auto dir = ht::scratch_dir("model_cli");
  const auto model_dir = dir / "tiny-llama";
  auto r = harmonia("model init --arch llama --preset tiny --vocab 97 --seed 3 --out '" + model_dir.string() + "'", dir);
  ASSERT_EQ(r.code, 0) << r.err;

  r = harmonia("model info '" + model_dir.string() + "'", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto info = nlohmann::json::parse(r.out);
  EXPECT_EQ(info["model_type"], "llama");
  EXPECT_EQ(info["architecture"], "LlamaForCausalLM");
  EXPECT_EQ(info["vocab_size"], 97);
  EXPECT_EQ(info["context"], 256);
  const auto model = hm::load_model(model_dir);
  EXPECT_EQ(info["parameters"].get<int64_t>(), model->num_parameters());

  const auto ids_path = dir / "ids.json";
  std::ofstream(ids_path) << R"({"input_ids": [[5, 6, 7, 8], [0, 0, 9, 10]], "attention_mask": [[1, 1, 1, 1], [0, 0, 1, 1]]})";
  const auto logits_path = dir / "logits.safetensors";
  r = harmonia("model forward '" + model_dir.string() + "' --ids '" + ids_path.string() + "' --out '" +
                   logits_path.string() + "'",
               dir);
  ASSERT_EQ(r.code, 0) << r.err;
  hm::SafetensorsReader reader(logits_path);
  EXPECT_EQ(reader.names(), std::vector<std::string>{"logits"});
  EXPECT_EQ(reader.entry("logits").dtype, "F32");
  const auto logits = reader.tensor("logits");
  torch::NoGradGuard no_grad;
  const auto expected = model->forward(torch::tensor({{5, 6, 7, 8}, {0, 0, 9, 10}}, torch::kLong),
                                       torch::tensor({{1, 1, 1, 1}, {0, 0, 1, 1}}, torch::kLong));
  ASSERT_EQ(logits.sizes(), expected.sizes());
  EXPECT_LE(ht::max_abs_diff(logits, expected), 1e-5);

  r = harmonia("model forward '" + model_dir.string() + "' --ids '" + ids_path.string() + "' --out '" +
                   (dir / "bf16.safetensors").string() + "' --dtype bf16",
               dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto bf16 = hm::SafetensorsReader(dir / "bf16.safetensors").tensor("logits");
  EXPECT_EQ(bf16.scalar_type(), torch::kFloat);
  EXPECT_LE(ht::max_abs_diff(bf16, expected), 0.1);
}

TEST(ModelCli, ForwardMatchesTheTransformersFixture) {
  HARMONIA_REQUIRE_SHARED();
  const auto dir = ht::scratch_dir("model_cli_fixture");
  for (const auto& fixture : {ht::hf_fixture_dir("gpt2"), ht::hf_more_fixture_dir("gpt_neox")}) {
    const auto fixtures = ht::read_json(fixture / "fixtures.json");
    std::ofstream(dir / "ids.json") << nlohmann::json({{"input_ids", fixtures["input_ids"]}}).dump();
    const auto r = harmonia("model forward '" + fixture.string() + "' --ids '" + (dir / "ids.json").string() +
                                "' --out '" + (dir / "logits.safetensors").string() + "'",
                            dir);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto ours = hm::SafetensorsReader(dir / "logits.safetensors").tensor("logits");
    const auto theirs = hm::SafetensorsReader(fixture / "fixtures.safetensors").tensor("logits");
    EXPECT_LE(ht::max_abs_diff(ours, theirs), 1e-4) << fixture;
  }
}

TEST(ModelCli, InitAndInfoTakeGptNeoX) {
  const auto dir = ht::scratch_dir("model_cli_neox");
  const auto model_dir = dir / "pythia";
  auto r = harmonia("model init --arch gpt_neox --preset tiny --vocab 97 --out '" + model_dir.string() + "'", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  r = harmonia("model info '" + model_dir.string() + "'", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto info = nlohmann::json::parse(r.out);
  EXPECT_EQ(info["model_type"], "gpt_neox");
  EXPECT_EQ(info["architecture"], "GPTNeoXForCausalLM");
  EXPECT_EQ(info["parameters"].get<int64_t>(), hm::load_model(model_dir)->num_parameters());
  EXPECT_DOUBLE_EQ(info["rotary_pct"].get<double>(), 0.25);
  EXPECT_TRUE(info["use_parallel_residual"].get<bool>());
  if (ht::have_shared()) {
    r = harmonia("model info '" + ht::hf_more_fixture_dir("llama-rope-dynamic").string() + "'", dir);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto scaled = nlohmann::json::parse(r.out);
    EXPECT_EQ(scaled["rope_scaling"]["type"], "dynamic");
    EXPECT_DOUBLE_EQ(scaled["rope_scaling"]["factor"].get<double>(), 2.0);
  }
}

TEST(ModelCli, InitInfoAndForwardTakeMamba) {
  const auto dir = ht::scratch_dir("model_cli_mamba");
  const auto model_dir = dir / "mamba";
  auto r = harmonia("model init --preset mamba-mini --vocab 97 --out '" + model_dir.string() + "'", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  r = harmonia("model info '" + model_dir.string() + "'", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto info = nlohmann::json::parse(r.out);
  EXPECT_EQ(info["model_type"], "mamba");
  EXPECT_EQ(info["architecture"], "MambaForCausalLM");
  EXPECT_EQ(info["layers"], 12);
  EXPECT_EQ(info["state_size"], 16);
  EXPECT_TRUE(info["context"].is_null()) << "a recurrent model has no position limit";
  EXPECT_EQ(info["parameters"].get<int64_t>(), hm::load_model(model_dir)->num_parameters());
  // A padded batch through `model forward` (the mask reaches the mixer).
  std::ofstream(dir / "ids.json") << R"({"input_ids": [[5, 6, 7, 8], [0, 0, 7, 8]], "attention_mask": [[1, 1, 1, 1], [0, 0, 1, 1]]})";
  r = harmonia("model forward '" + model_dir.string() + "' --ids '" + (dir / "ids.json").string() + "' --out '" +
                   (dir / "logits.safetensors").string() + "'",
               dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto logits = hm::SafetensorsReader(dir / "logits.safetensors").tensor("logits");
  const auto model = hm::load_model(model_dir);
  torch::NoGradGuard no_grad;
  const auto alone = model->forward(torch::tensor({7, 8}, torch::kLong).view({1, 2}));
  EXPECT_LE(ht::max_abs_diff(logits[1].narrow(0, 2, 2), alone[0]), 1e-5);
}

TEST(ModelCli, BadInputsFailWithAMessage) {
  const auto dir = ht::scratch_dir("model_cli_errors");
  auto r = harmonia("model init --arch bert --vocab 10 --out '" + (dir / "m").string() + "'", dir);
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("gpt2, gpt_neo, llama, qwen3"), std::string::npos) << r.err;

  r = harmonia("model info '" + (dir / "nowhere").string() + "'", dir);
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("nowhere"), std::string::npos) << r.err;

  ASSERT_EQ(harmonia("model init --preset tiny --vocab 10 --out '" + (dir / "m").string() + "'", dir).code, 0);
  std::ofstream(dir / "ragged.json") << R"({"input_ids": [[1, 2, 3], [4]]})";
  r = harmonia("model forward '" + (dir / "m").string() + "' --ids '" + (dir / "ragged.json").string() + "' --out '" +
                   (dir / "x.safetensors").string() + "'",
               dir);
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("different lengths"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "x.safetensors"));
}

}  // namespace
