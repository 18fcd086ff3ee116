// config.json: reading what transformers writes for each architecture, writing it back, and
// clear errors for configs we cannot run.
#include <gtest/gtest.h>

#include "core/model/model_config.hpp"
#include "fixture_helpers.hpp"

namespace hm = harmonia::model;
namespace ht = harmonia::test;

namespace {

std::string error_of(const nlohmann::json& json) {
  try {
    hm::config_from_json(json, "test-config.json");
  } catch (const hm::ModelConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ModelConfig, ReadsTheGpt2FixtureConfig) {
  HARMONIA_REQUIRE_SHARED();
  const auto c = hm::read_config(ht::hf_fixture_dir("gpt2") / "config.json");
  EXPECT_EQ(c.model_type, "gpt2");
  EXPECT_EQ(c.vocab_size, 300);
  EXPECT_EQ(c.max_position_embeddings, 64);
  EXPECT_EQ(c.hidden_size, 64);
  EXPECT_EQ(c.num_hidden_layers, 2);
  EXPECT_EQ(c.num_attention_heads, 4);
  EXPECT_EQ(c.head_dim, 16);
  EXPECT_EQ(c.intermediate_size, 256);  // n_inner null -> 4 * n_embd
  EXPECT_EQ(c.activation, "gelu_new");
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_EQ(c.bos_token_id, 1);
  EXPECT_EQ(c.eos_token_id, 2);
  EXPECT_FALSE(c.pad_token_id.has_value());
  EXPECT_DOUBLE_EQ(c.attention_dropout, 0.1);
  EXPECT_DOUBLE_EQ(c.residual_dropout, 0.1);
  EXPECT_DOUBLE_EQ(c.embedding_dropout, 0.1);
}

TEST(ModelConfig, ReadsTheGptNeoFixtureConfigWithAttentionTypes) {
  HARMONIA_REQUIRE_SHARED();
  const auto c = hm::read_config(ht::hf_fixture_dir("gpt_neo") / "config.json");
  EXPECT_EQ(c.model_type, "gpt_neo");
  EXPECT_EQ(c.attention_layers, (std::vector<std::string>{"global", "local"}));
  EXPECT_EQ(c.window_size, 4);
  EXPECT_EQ(c.num_hidden_layers, 2);
  EXPECT_EQ(c.num_attention_heads, 4);
}

TEST(ModelConfig, ReadsTheLlamaFixtureConfigWithGroupedQueryAttention) {
  HARMONIA_REQUIRE_SHARED();
  const auto c = hm::read_config(ht::hf_fixture_dir("llama") / "config.json");
  EXPECT_EQ(c.num_key_value_heads, 2);
  EXPECT_EQ(c.kv_dim(), 32);
  EXPECT_EQ(c.intermediate_size, 172);
  EXPECT_DOUBLE_EQ(c.rms_norm_eps, 1e-6);
  EXPECT_DOUBLE_EQ(c.rope_theta, 10000.0);
  EXPECT_FALSE(c.tie_word_embeddings);
}

TEST(ModelConfig, WriteThenReadKeepsEveryFieldAndUnknownOnes) {
  for (const std::string arch : {"gpt2", "gpt_neo", "llama", "qwen3"}) {
    nlohmann::json json = {{"model_type", arch},       {"vocab_size", 99},  {"hidden_size", 48},
                           {"n_embd", 48},             {"n_head", 4},       {"num_heads", 4},
                           {"num_attention_heads", 4}, {"n_layer", 3},      {"num_layers", 3},
                           {"num_hidden_layers", 3},   {"eos_token_id", 5}, {"my_extra_field", "kept"},
                           {"attention_layers", {"global", "local", "global"}}};
    if (arch == "qwen3") json["head_dim"] = 16;
    auto first = hm::config_from_json(json, arch);
    first.attention_dropout = 0.25;
    const auto path = ht::scratch_dir("model_config_" + arch) / "config.json";
    hm::write_config(first, path);
    const auto second = hm::read_config(path);
    EXPECT_EQ(second.model_type, arch);
    EXPECT_EQ(second.vocab_size, 99);
    EXPECT_EQ(second.hidden_size, 48);
    EXPECT_EQ(second.num_hidden_layers, 3);
    EXPECT_EQ(second.num_attention_heads, 4);
    EXPECT_EQ(second.head_dim, arch == "qwen3" ? 16 : 12);
    EXPECT_EQ(second.intermediate_size, first.intermediate_size);
    EXPECT_EQ(second.eos_token_id, 5);
    EXPECT_EQ(second.tie_word_embeddings, first.tie_word_embeddings);
    EXPECT_EQ(second.attention_layers, first.attention_layers);
    EXPECT_DOUBLE_EQ(second.attention_dropout, 0.25);
    EXPECT_EQ(second.original.value("my_extra_field", ""), "kept") << arch;
  }
}

TEST(ModelConfig, CompoundSectionRoundTrips) {
  nlohmann::json json = {{"model_type", "gpt2"}, {"vocab_size", 10}, {"n_embd", 32}, {"n_head", 2}, {"n_layer", 1},
                         {"harmonia_compound",
                          {{"field_vocab_sizes", {5, 7, 9}}, {"field_names", {"Pitch", "Velocity", "Duration"}},
                           {"embedding_mode", "concat"}}}};
  const auto c = hm::config_from_json(json);
  ASSERT_TRUE(c.compound.enabled());
  EXPECT_EQ(c.compound.field_vocab_sizes, (std::vector<int64_t>{5, 7, 9}));
  EXPECT_EQ(c.compound.embedding_mode, "concat");
  const auto again = hm::config_from_json(hm::config_to_json(c));
  EXPECT_EQ(again.compound.field_vocab_sizes, c.compound.field_vocab_sizes);
  EXPECT_EQ(again.compound.field_names, c.compound.field_names);
}

TEST(ModelConfigErrors, UnknownModelTypeListsTheSupportedOnes) {
  const auto message = error_of({{"model_type", "bert"}, {"vocab_size", 10}});
  EXPECT_NE(message.find("test-config.json"), std::string::npos) << message;
  EXPECT_NE(message.find("\"bert\""), std::string::npos) << message;
  for (const auto& type : hm::supported_model_types()) EXPECT_NE(message.find(type), std::string::npos) << message;
}

TEST(ModelConfigErrors, MissingOrMistypedFields) {
  EXPECT_NE(error_of({{"vocab_size", 10}}).find("model_type"), std::string::npos);
  EXPECT_NE(error_of({{"model_type", "gpt2"}}).find("vocab_size"), std::string::npos);
  EXPECT_NE(error_of({{"model_type", "gpt2"}, {"vocab_size", "ten"}}).find("integer"), std::string::npos);
  EXPECT_NE(error_of(nlohmann::json::array()).find("not a JSON object"), std::string::npos);
}

TEST(ModelConfigErrors, InconsistentShapes) {
  EXPECT_NE(error_of({{"model_type", "gpt2"}, {"vocab_size", 10}, {"n_embd", 30}, {"n_head", 4}}).find("divisible"),
            std::string::npos);
  EXPECT_NE(error_of({{"model_type", "llama"},
                      {"vocab_size", 10},
                      {"hidden_size", 32},
                      {"num_attention_heads", 4},
                      {"num_key_value_heads", 3}})
                .find("multiple"),
            std::string::npos);
  EXPECT_NE(error_of({{"model_type", "gpt_neo"},
                      {"vocab_size", 10},
                      {"hidden_size", 32},
                      {"num_heads", 4},
                      {"num_layers", 3},
                      {"attention_layers", {"global"}}})
                .find("attention_types"),
            std::string::npos);
  EXPECT_NE(error_of({{"model_type", "llama"}, {"vocab_size", 10}, {"rope_scaling", {{"type", "linear"}}}})
                .find("rope_scaling"),
            std::string::npos);
  EXPECT_NE(error_of({{"model_type", "gpt2"}, {"vocab_size", 0}}).find("vocab_size"), std::string::npos);
  EXPECT_NE(error_of({{"model_type", "gpt2"}, {"vocab_size", 10}, {"attn_pdrop", 1.5}}).find("dropout"),
            std::string::npos);
}

}  // namespace

// A full disk (/dev/full: every write fails with ENOSPC) shows only when an ofstream's buffer
// is flushed at close; config.json's writer checked before that and reported success.
TEST(ModelConfig, WritingToAFullDiskThrows) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  const auto config = hm::config_from_json({{"model_type", "gpt2"}, {"vocab_size", 99}}, "gpt2");
  EXPECT_THROW(hm::write_config(config, "/dev/full"), hm::ModelConfigError);
}
