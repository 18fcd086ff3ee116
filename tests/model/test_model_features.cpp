// Behaviour that the parity fixtures do not cover: Qwen3, presets, padding and cache
// semantics for every architecture, compound tokens, bf16 checkpoints, bad checkpoints.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/compute/threads.hpp"
#include "core/model/causal_lm.hpp"
#include "core/model/presets.hpp"
#include "core/model/safetensors.hpp"
#include "fixture_helpers.hpp"

namespace hm = harmonia::model;
namespace ht = harmonia::test;

namespace {

// A small random model of each architecture (GQA for llama/qwen3, local window 3 for gpt_neo).
hm::ModelConfig small_config(const std::string& arch) {
  auto c = hm::preset_config("tiny", arch, 50);
  c.hidden_size = 32;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = arch == "llama" || arch == "qwen3" ? 2 : 4;
  c.head_dim = arch == "qwen3" ? 12 : 8;  // Qwen3's head_dim need not be hidden/heads
  c.intermediate_size = 64;
  c.max_position_embeddings = 32;
  c.window_size = 3;
  if (arch == "gpt_neo") c.attention_layers = {"global", "local"};
  return c;
}

std::shared_ptr<hm::CausalLM> random_model(const hm::ModelConfig& c, uint64_t seed = 7) {
  torch::manual_seed(seed);
  auto model = hm::create_model(c);
  // Perturb every parameter so norm weights and biases are not trivial (as the HF fixtures do).
  torch::NoGradGuard no_grad;
  for (auto& p : model->parameters()) p.add_(torch::randn_like(p) * 0.1);
  model->eval();
  return model;
}

class EveryArchitecture : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { harmonia::compute::set_compute_threads(2); }
};

TEST_P(EveryArchitecture, KVCacheStepsEqualTheFullForward) {
  auto model = random_model(small_config(GetParam()));
  torch::NoGradGuard no_grad;
  const auto ids = torch::randint(0, 50, {2, 10}, torch::kLong);
  const auto full = model->forward(ids);
  auto cache = model->make_cache();
  auto prefix = model->forward(ids.narrow(1, 0, 4), {}, &cache);
  EXPECT_LE(ht::max_abs_diff(prefix, full.narrow(1, 0, 4)), 1e-5);
  // Mixed step sizes: 1, 2, then 3 tokens at once.
  int64_t pos = 4;
  for (int64_t step : {1, 2, 3}) {
    auto part = model->forward(ids.narrow(1, pos, step), {}, &cache);
    EXPECT_LE(ht::max_abs_diff(part, full.narrow(1, pos, step)), 1e-5) << "at " << pos;
    pos += step;
  }
  EXPECT_EQ(cache.length(), 10);
}

TEST_P(EveryArchitecture, LeftPaddedRowMatchesTheSameRowAlone) {
  auto model = random_model(small_config(GetParam()));
  torch::NoGradGuard no_grad;
  const auto row = torch::randint(0, 50, {1, 7}, torch::kLong);
  const auto alone = model->forward(row);
  // Batch it with a longer row: 3 pad tokens (id 0) on the left.
  auto ids = torch::cat({torch::randint(0, 50, {1, 10}, torch::kLong), torch::cat({torch::zeros({1, 3}, torch::kLong), row}, 1)});
  auto mask = torch::ones({2, 10}, torch::kLong);
  mask.index_put_({1, torch::indexing::Slice(0, 3)}, 0);
  const auto batched = model->forward(ids, mask);
  EXPECT_LE(ht::max_abs_diff(batched[1].narrow(0, 3, 7), alone[0]), 1e-5);
  EXPECT_TRUE(torch::isfinite(batched).all().item<bool>());

  // And incrementally: prefill the padded batch, then decode 3 tokens with a growing mask.
  auto cache = model->make_cache();
  model->forward(ids, mask, &cache);
  auto next = torch::randint(0, 50, {2, 3}, torch::kLong);
  auto row_full = model->forward(torch::cat({row, next.narrow(0, 1, 1)}, 1));
  for (int64_t i = 0; i < 3; ++i) {
    mask = torch::cat({mask, torch::ones({2, 1}, torch::kLong)}, 1);
    auto step = model->forward(next.narrow(1, i, 1), mask, &cache);
    EXPECT_LE(ht::max_abs_diff(step[1][0], row_full[0][7 + i]), 1e-5) << "step " << i;
  }
}

TEST_P(EveryArchitecture, CacheSelectBatchKeepsTheChosenRow) {
  auto model = random_model(small_config(GetParam()));
  torch::NoGradGuard no_grad;
  const auto ids = torch::randint(0, 50, {3, 6}, torch::kLong);
  auto cache = model->make_cache();
  model->forward(ids.narrow(1, 0, 5), {}, &cache);
  cache.select_batch(torch::tensor({2, 0}, torch::kLong));
  EXPECT_EQ(cache.batch_size(), 2);
  const auto step = model->forward(torch::stack({ids[2].narrow(0, 5, 1), ids[0].narrow(0, 5, 1)}), {}, &cache);
  const auto full = model->forward(ids);
  EXPECT_LE(ht::max_abs_diff(step.select(1, 0)[0], full[2][5]), 1e-5);
  EXPECT_LE(ht::max_abs_diff(step.select(1, 0)[1], full[0][5]), 1e-5);
}

TEST_P(EveryArchitecture, SaveLoadRoundTripIsExactInFp32AndBf16) {
  const auto config = small_config(GetParam());
  auto model = random_model(config);
  const auto dir = ht::scratch_dir("model_roundtrip_" + GetParam());
  model->save(dir);
  auto again = hm::load_model(dir);
  const auto ours = model->hf_state_dict(), theirs = again->hf_state_dict();
  ASSERT_EQ(ours.size(), theirs.size());
  for (const auto& [name, value] : ours) EXPECT_TRUE(torch::equal(value, theirs.at(name))) << name;
  EXPECT_EQ(again->num_parameters(), model->num_parameters());

  model->to(torch::kBFloat16);
  const auto bf16_dir = ht::scratch_dir("model_roundtrip_bf16_" + GetParam());
  model->save(bf16_dir);
  hm::SafetensorsReader reader(bf16_dir / "model.safetensors");
  for (const auto& name : reader.names()) EXPECT_EQ(reader.entry(name).dtype, "BF16") << name;
  EXPECT_EQ(hm::read_config(bf16_dir / "config.json").torch_dtype, "bfloat16");
  auto bf16 = hm::load_model(bf16_dir, {torch::kCPU, torch::kBFloat16});
  for (const auto& [name, value] : model->hf_state_dict())
    EXPECT_TRUE(torch::equal(value, bf16->hf_state_dict().at(name))) << name;
  torch::NoGradGuard no_grad;
  const auto logits = bf16->forward(torch::randint(0, 50, {1, 5}, torch::kLong));
  EXPECT_EQ(logits.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(torch::isfinite(logits.to(torch::kFloat)).all().item<bool>());
}

TEST_P(EveryArchitecture, CompoundTokensHaveOneEmbeddingAndHeadPerField) {
  for (const std::string mode : {"sum", "concat"}) {
    auto config = small_config(GetParam());
    config.compound.field_vocab_sizes = {5, 11, 7};
    config.compound.embedding_mode = mode;
    auto model = random_model(config);
    torch::NoGradGuard no_grad;
    auto ids = torch::stack({torch::randint(0, 5, {2, 6}), torch::randint(0, 11, {2, 6}), torch::randint(0, 7, {2, 6})},
                            -1)
                   .to(torch::kLong);
    const auto logits = model->forward(ids);
    EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, 6, 23}));
    const auto fields = model->split_field_logits(logits);
    ASSERT_EQ(fields.size(), 3u);
    EXPECT_EQ(fields[1].size(-1), 11);
    // Changing one field's id at the last position changes that position's logits only.
    auto changed = ids.clone();
    changed[0][5][1] = (ids[0][5][1].item<int64_t>() + 1) % 11;
    const auto other = model->forward(changed);
    EXPECT_TRUE(torch::equal(other.narrow(1, 0, 5), logits.narrow(1, 0, 5)));
    EXPECT_FALSE(torch::equal(other[0][5], logits[0][5]));
    // Cache path works for compound ids too.
    auto cache = model->make_cache();
    model->forward(ids.narrow(1, 0, 5), {}, &cache);
    EXPECT_LE(ht::max_abs_diff(model->forward(ids.narrow(1, 5, 1), {}, &cache).select(1, 0), logits.select(1, 5)),
              1e-5);

    const auto dir = ht::scratch_dir("model_compound_" + GetParam() + "_" + mode);
    model->save(dir);
    hm::SafetensorsReader reader(dir / "model.safetensors");
    EXPECT_TRUE(reader.contains("compound_embeddings.2.weight"));
    EXPECT_TRUE(reader.contains("compound_heads.1.weight"));
    EXPECT_EQ(reader.contains("compound_projection.weight"), mode == "concat");
    auto again = hm::load_model(dir);
    ASSERT_TRUE(again->config().compound.enabled());
    EXPECT_EQ(again->config().compound.embedding_mode, mode);
    EXPECT_TRUE(torch::equal(again->forward(ids), logits));
    EXPECT_THROW(model->forward(ids.select(2, 0)), std::exception);  // plain ids into a compound model
  }
}

TEST_P(EveryArchitecture, OutOfRangeIdsAndOverlongInputsAreClearErrors) {
  auto model = random_model(small_config(GetParam()));
  torch::NoGradGuard no_grad;
  try {
    model->forward(torch::tensor({{1, 50}}, torch::kLong));
    FAIL() << "id 50 accepted with vocab 50";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("vocab_size"), std::string::npos) << e.what();
  }
  if (GetParam() == "gpt2" || GetParam() == "gpt_neo")
    EXPECT_THROW(model->forward(torch::zeros({1, 33}, torch::kLong)), std::exception);  // 32 learned positions
}

TEST_P(EveryArchitecture, DropoutActsOnlyInTrainingMode) {
  auto config = small_config(GetParam());
  config.embedding_dropout = config.attention_dropout = config.residual_dropout = 0.3;
  auto model = random_model(config);
  const auto ids = torch::randint(0, 50, {2, 8}, torch::kLong);
  torch::NoGradGuard no_grad;
  const auto eval_a = model->forward(ids), eval_b = model->forward(ids);
  EXPECT_TRUE(torch::equal(eval_a, eval_b));
  model->train();
  const auto train_a = model->forward(ids), train_b = model->forward(ids);
  EXPECT_FALSE(torch::equal(train_a, train_b));
  EXPECT_FALSE(torch::equal(train_a, eval_a));

  config.embedding_dropout = config.attention_dropout = config.residual_dropout = 0.0;
  auto plain = random_model(config);
  const auto plain_eval = plain->forward(ids);
  plain->train();
  EXPECT_TRUE(torch::equal(plain->forward(ids), plain_eval));
}

INSTANTIATE_TEST_SUITE_P(Models, EveryArchitecture, ::testing::Values("gpt2", "gpt_neo", "llama", "qwen3", "gpt_neox"));

TEST(GptNeoX, PythiaPresetAndTiedHeadsLoad) {
  const auto c = hm::preset_config("pythia-14m", "", 50304);
  EXPECT_EQ(c.model_type, "gpt_neox");
  EXPECT_EQ(hm::config_to_json(c)["architectures"][0], "GPTNeoXForCausalLM");
  // EleutherAI/pythia-14m has 14,067,712 parameters (6 x 128, vocab 50304, untied).
  EXPECT_EQ(hm::create_model(c)->num_parameters(), 14'067'712);
  auto tied_config = small_config("gpt_neox");
  tied_config.tie_word_embeddings = true;
  auto tied = random_model(tied_config);
  auto tensors = tied->hf_state_dict();
  EXPECT_FALSE(tensors.count("embed_out.weight"));
  tensors["embed_out.weight"] = tensors.at("gpt_neox.embed_in.weight").clone();  // a saved copy of the tied weight
  EXPECT_NO_THROW(tied->load_hf_state_dict(tensors, "tied.safetensors"));
}

TEST(Qwen3, PerHeadQkNormIsSavedUnderHfNamesAndChangesTheOutput) {
  auto model = random_model(small_config("qwen3"));
  const auto names = model->hf_state_dict();
  ASSERT_TRUE(names.count("model.layers.0.self_attn.q_norm.weight"));
  ASSERT_TRUE(names.count("model.layers.1.self_attn.k_norm.weight"));
  EXPECT_EQ(names.at("model.layers.0.self_attn.q_norm.weight").sizes(), (std::vector<int64_t>{12}));
  EXPECT_EQ(names.at("model.layers.0.self_attn.q_proj.weight").sizes(), (std::vector<int64_t>{48, 32}));
  EXPECT_EQ(names.at("model.layers.0.self_attn.k_proj.weight").sizes(), (std::vector<int64_t>{24, 32}));
  EXPECT_FALSE(names.count("lm_head.weight"));  // tied in the preset
  torch::NoGradGuard no_grad;
  const auto ids = torch::randint(0, 50, {1, 6}, torch::kLong);
  const auto before = model->forward(ids);
  names.at("model.layers.0.self_attn.q_norm.weight").mul_(3.0);  // the map holds views of the parameters
  EXPECT_GT(ht::max_abs_diff(model->forward(ids), before), 1e-3);
}

TEST(Presets, ParameterCountsMatchTheirNames) {
  auto count = [](const std::string& preset, const std::string& arch, int64_t vocab) {
    return hm::create_model(hm::preset_config(preset, arch, vocab))->num_parameters();
  };
  const int64_t tiny = count("tiny", "", 284);
  EXPECT_GT(tiny, 700'000);
  EXPECT_LT(tiny, 1'300'000);
  const int64_t small = count("small", "", 512);
  EXPECT_GT(small, 8'000'000);
  EXPECT_LT(small, 13'000'000);
  EXPECT_EQ(count("distilgpt2", "", 50257), 81'912'576);  // HF's distilgpt2
  const int64_t qwen = count("qwen3-30m", "", 1000);
  EXPECT_GT(qwen, 25'000'000);
  EXPECT_LT(qwen, 35'000'000);
  for (const auto& arch : hm::supported_model_types())
    EXPECT_NO_THROW(hm::preset_config("tiny", arch, 100)) << arch;
  EXPECT_THROW(hm::preset_config("huge", "", 100), hm::ModelConfigError);
  EXPECT_THROW(hm::preset_config("tiny", "bert", 100), hm::ModelConfigError);
}

TEST(CheckpointErrors, MissingUnexpectedAndMisshapedTensorsNameTheProblem) {
  auto model = random_model(small_config("llama"));
  auto tensors = model->hf_state_dict();
  auto expect_error = [&](std::map<std::string, torch::Tensor> t, const std::string& needle) {
    try {
      model->load_hf_state_dict(t, "ckpt.safetensors");
      ADD_FAILURE() << "accepted; expected " << needle;
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("ckpt.safetensors"), std::string::npos) << e.what();
    }
  };
  auto missing = tensors;
  missing.erase("model.layers.1.self_attn.v_proj.weight");
  expect_error(missing, "model.layers.1.self_attn.v_proj.weight");
  auto extra = tensors;
  extra["model.layers.9.mlp.up_proj.weight"] = torch::zeros({2, 2});
  expect_error(extra, "model.layers.9.mlp.up_proj.weight");
  auto misshaped = tensors;
  misshaped["model.norm.weight"] = torch::zeros({31});
  expect_error(misshaped, "shape [31]");
  // Known non-persistent buffers are ignored.
  auto buffers = tensors;
  buffers["model.layers.0.self_attn.rotary_emb.inv_freq"] = torch::zeros({4});
  EXPECT_NO_THROW(model->load_hf_state_dict(buffers, "ckpt.safetensors"));
}

TEST(CheckpointNames, Gpt2HubStyleNamesWithoutPrefixAndWithBuffersLoad) {
  auto model = random_model(small_config("gpt2"));
  std::map<std::string, torch::Tensor> hub;
  for (const auto& [name, value] : model->hf_state_dict()) hub[name.substr(std::string("transformer.").size())] = value.clone();
  hub["h.0.attn.bias"] = torch::ones({1, 1, 32, 32});
  hub["h.0.attn.masked_bias"] = torch::tensor(-1e4);
  auto other = random_model(small_config("gpt2"), 99);
  other->load_hf_state_dict(hub, "hub.safetensors");
  for (const auto& [name, value] : model->hf_state_dict()) EXPECT_TRUE(torch::equal(value, other->hf_state_dict().at(name))) << name;
}

TEST(ModelDirectory, ClearErrorsForMissingAndPickleOnlyDirectories) {
  const auto dir = ht::scratch_dir("model_dir_errors");
  EXPECT_THROW(hm::load_model(dir / "absent"), std::exception);
  EXPECT_THROW(hm::load_model(dir), hm::ModelConfigError);  // no config.json
  hm::write_config(small_config("gpt2"), dir / "config.json");
  std::ofstream(dir / "pytorch_model.bin") << "not really a pickle";
  try {
    hm::load_model(dir);
    FAIL() << "loaded a pickle-only directory";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("pickle"), std::string::npos) << e.what();
  }
}

}  // namespace
