// `harmonia generate` samples with the demo's musical recipe (music_recipe.hpp) unless a flag
// says otherwise: with no flag, a piece of kPieceBars bars; with a length in tokens, that
// length and the recipe's sampling; every flag given wins over the recipe's value. Read back
// from the settings the command records in OUT.json, through the real binary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "core/generate/music_recipe.hpp"
#include "generate_test_model.hpp"

using namespace harmonia;
namespace fs = std::filesystem;

namespace {

// The settings `generate ARGS --out DIR/NAME.mid` recorded, after checking the command ran.
nlohmann::json settings_of(const fs::path& dir, const std::string& name, const std::string& args) {
  const auto out = dir / (name + ".mid");
  const int rc = test::run_harmonia("--threads 1 generate --model '" + (dir / "model").string() + "' --out '" +
                                        out.string() + "' --quiet " + args,
                                    dir / (name + ".txt"));
  EXPECT_TRUE(rc == 0 || rc == 1) << test::read_text(dir / (name + ".txt"));  // 1: a sample with no note
  const auto text = test::read_text(dir / (name + ".json"));
  EXPECT_FALSE(text.empty()) << "no " << name << ".json: " << test::read_text(dir / (name + ".txt"));
  return text.empty() ? nlohmann::json::object() : nlohmann::json::parse(text)["settings"];
}

}  // namespace

TEST(GenerateCliDefaults, WithoutFlagsItSamplesTheRecipesPiece) {
  const auto dir = test::scratch_dir("generate_cli_defaults_none");
  auto tok = test::remi_tokenizer();
  generate::save_bundle(*test::random_tiny_model(*tok), *tok, dir / "model");
  const auto recipe = generate::piece_settings(generate::kPieceBars, 3);
  const auto s = settings_of(dir, "plain", "--seed 3");
  EXPECT_FLOAT_EQ(s.value("temperature", -1.0f), recipe.sampling.temperature);
  EXPECT_EQ(s.value("top_k", -1), recipe.sampling.top_k);
  EXPECT_FLOAT_EQ(s.value("top_p", -1.0f), recipe.sampling.top_p);
  EXPECT_EQ(s.value("top_p_on", std::string()), "pitch");
  EXPECT_FLOAT_EQ(s.value("repetition_penalty", -1.0f), recipe.sampling.repetition_penalty);
  EXPECT_EQ(s.value("max_bars", -1), generate::kPieceBars);
  EXPECT_EQ(s.value("min_bars", -1), recipe.min_bars);
  EXPECT_EQ(s.value("max_new_tokens", -1), recipe.max_new_tokens);
  EXPECT_DOUBLE_EQ(s.value("max_music_seconds", -1.0), recipe.max_music_seconds);
  EXPECT_EQ(s.value("max_empty_bars", -2), recipe.max_empty_bars);
  EXPECT_EQ(s.value("max_empty_beats", -2), recipe.max_empty_beats);
  EXPECT_EQ(s.value("max_onset_notes", -1), recipe.max_onset_notes);
  EXPECT_EQ(s.value("keep_time_signature", false), recipe.keep_time_signature);
  EXPECT_EQ(s.value("seed", 0), 3);
}

TEST(GenerateCliDefaults, FlagsOverrideTheRecipeFieldByField) {
  const auto dir = test::scratch_dir("generate_cli_defaults_flags");
  auto tok = test::remi_tokenizer();
  generate::save_bundle(*test::random_tiny_model(*tok), *tok, dir / "model");
  const auto recipe = generate::piece_settings(generate::kPieceBars, 0);

  // A length in tokens is the user's own: no bar counts, no music-time cap; sampling and the
  // grammar's limits stay the recipe's except what was given.
  const auto tokens = settings_of(dir, "tokens", "--max-new-tokens 40 --temperature 0.7 --max-empty-beats 2");
  EXPECT_EQ(tokens.value("max_new_tokens", -1), 40);
  EXPECT_EQ(tokens.value("max_bars", -1), 0);
  EXPECT_EQ(tokens.value("min_bars", -1), 0);
  EXPECT_DOUBLE_EQ(tokens.value("max_music_seconds", -1.0), 0.0);
  EXPECT_FLOAT_EQ(tokens.value("temperature", -1.0f), 0.7f);
  EXPECT_FLOAT_EQ(tokens.value("top_p", -1.0f), recipe.sampling.top_p);
  EXPECT_EQ(tokens.value("max_empty_beats", -2), 2);
  EXPECT_EQ(tokens.value("max_onset_notes", -1), recipe.max_onset_notes);

  // --bars N is the recipe's piece of N bars; a token cap and a sampling flag given beside it win.
  const auto bars = settings_of(dir, "bars", "--bars 6 --max-new-tokens 300 --top-k 5");
  EXPECT_EQ(bars.value("max_bars", -1), 6);
  EXPECT_EQ(bars.value("min_bars", -1), 4);
  EXPECT_EQ(bars.value("max_new_tokens", -1), 300);
  EXPECT_DOUBLE_EQ(bars.value("max_music_seconds", -1.0), recipe.max_music_seconds);
  EXPECT_EQ(bars.value("top_k", -1), 5);
  EXPECT_EQ(settings_of(dir, "all", "--bars 2 --top-p-on all").value("top_p_on", std::string()), "all");
  EXPECT_FLOAT_EQ(bars.value("repetition_penalty", -1.0f), recipe.sampling.repetition_penalty);

  // --max-bars alone is a length too: the recipe's two-thirds minimum does not apply.
  const auto max_bars = settings_of(dir, "max_bars", "--max-bars 3");
  EXPECT_EQ(max_bars.value("max_bars", -1), 3);
  EXPECT_EQ(max_bars.value("min_bars", -1), 0);
  EXPECT_EQ(max_bars.value("max_new_tokens", -1), recipe.max_new_tokens);
}
