// Filling bars inside a piece (core/generate/infill.hpp) with an untrained FIM model: whatever
// the model samples, the rules must give exactly the asked bars, a decodable result, the
// prefix unchanged and the suffix's notes at the same ticks (issue 18's 1,000 random fills).
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <tuple>

#include "core/generate/generation_output.hpp"
#include "core/generate/infill.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/generate/prompt.hpp"
#include "core/tokenizer/fim_tokens.hpp"
#include "cli_runner.hpp"
#include "core/midi/midi_file.hpp"
#include "generate_test_model.hpp"
#include <nlohmann/json.hpp>
#include "../data/data_fixtures.hpp"

namespace harmonia::generate {
namespace {

using NoteKey = std::tuple<int, bool, int64_t, int64_t, int, int>;  // program, drum, start, duration, pitch, velocity

std::multiset<NoteKey> notes_of(const tokenizer::Tokenizer& tok, const std::vector<int32_t>& ids,
                                size_t* dropped = nullptr) {
  tokenizer::DecodeReport report;
  const auto score = to_score(tok, ids, 0, &report);
  if (dropped) *dropped = report.tokens_dropped;
  std::multiset<NoteKey> out;
  for (const auto& t : score.tracks)
    for (const auto& n : t.notes) out.insert({t.program, t.is_drum, int64_t(n.time), int64_t(n.duration), n.pitch, n.velocity});
  return out;
}

std::multiset<NoteKey> minus(std::multiset<NoteKey> a, const std::multiset<NoteKey>& b) {
  for (const auto& k : b) {
    auto it = a.find(k);
    if (it != a.end()) a.erase(it);
  }
  return a;
}

// The music recipe's tokenizer (REMI, programs in one stream, Tempo and TimeSig tokens) with
// the FIM tokens, and a small random model over it.
struct Fixture {
  std::shared_ptr<tokenizer::Tokenizer> tok{
      tokenizer::with_fim_tokens(*tokenizer::Tokenizer::create("REMI", arrangement_tokenizer_config()))};
  std::shared_ptr<model::CausalLM> model = [this] {
    torch::manual_seed(3);
    auto config = model::preset_config("tiny", "", int64_t(tok->vocab_size()));
    config.num_hidden_layers = 1;
    config.hidden_size = 32;
    config.num_attention_heads = 2;
    config.num_key_value_heads = 2;
    config.head_dim = 16;
    config.intermediate_size = 64;
    config.max_position_embeddings = 256;
    auto m = model::create_model(config);
    m->eval();
    return m;
  }();
};

// A model that wants `target` above everything whenever the rules allow it: the final norm's
// bias pushes every hidden state along one direction and `target`'s (tied) output row points
// there. It tries every rule's edge: a Bar-loving model would add bars, an EOS-loving one end
// early.
std::shared_ptr<model::CausalLM> model_loving(const tokenizer::Tokenizer& tok, int32_t target) {
  Fixture f;
  torch::NoGradGuard no_grad;
  for (auto& p : f.model->named_parameters()) {
    if (p.key().find("ln_f.bias") != std::string::npos) p.value().fill_(3.0);
    if (p.key().find("wte.weight") != std::string::npos) p.value()[target].fill_(2.0);
  }
  (void)tok;
  return f.model;
}

int count_bars(const tokenizer::Tokenizer& tok, const std::vector<int32_t>& ids) {
  return int(bar_positions(tok, ids).size());
}

TEST(Infill, ThousandRandomFillsKeepEveryGuarantee) {
  Fixture f;
  const int32_t bar = f.tok->vocab().id(tokenizer::TokenType::Bar, -1);
  const int32_t eos = f.tok->vocab().id("EOS_None");
  // Plain random weights, and models that always want a Bar or always want to end.
  const std::vector<std::shared_ptr<model::CausalLM>> models{f.model, model_loving(*f.tok, bar), model_loving(*f.tok, eos)};
  std::mt19937 rng(11);
  InfillSettings settings;
  settings.num_candidates = 8;
  settings.max_tokens_per_bar = 24;  // short budgets: the forced ending is exercised often
  int fills = 0, by_model = 0, forced = 0;
  for (int call = 0; fills < 1000; ++call) {
    const int piece_bars = 5 + int(rng() % 10);
    const auto ids = prompt_tokens(*f.tok, test::synthetic_song(call, piece_bars, call % 2 == 0));
    const int have = count_bars(*f.tok, ids);
    ASSERT_GE(have, piece_bars);
    const int bars = 1 + int(rng() % 4);
    const int first = int(rng() % uint32_t(have - bars + 1));
    settings.seed = uint64_t(call);
    settings.max_tokens_per_bar = call % 3 == 0 ? 64 : 24;
    const auto r = infill_tokens(*models[size_t(call) % models.size()], *f.tok, ids, first, bars, settings);
    ASSERT_EQ(r.pieces.size(), 8u);
    const std::vector<int32_t> prefix(ids.begin(), ids.begin() + long(r.middle_begin));
    const std::vector<int32_t> suffix(ids.begin() + long(r.middle_end), ids.end());
    const auto original_suffix_notes = minus(notes_of(*f.tok, ids), notes_of(*f.tok, std::vector<int32_t>(ids.begin(), ids.begin() + long(r.middle_end))));
    for (size_t c = 0; c < r.pieces.size(); ++c, ++fills) {
      const auto& piece = r.pieces[c];
      const auto& middle = r.middles[c];
      ASSERT_FALSE(middle.empty());
      ASSERT_EQ(middle.front(), bar) << "the middle starts a bar";
      ASSERT_EQ(count_bars(*f.tok, middle), bars) << "call " << call << " candidate " << c;
      ASSERT_EQ(count_bars(*f.tok, piece), have);
      // Prefix and suffix are the piece's own tokens around the new bars.
      ASSERT_EQ(piece.size(), prefix.size() + middle.size() + suffix.size());
      ASSERT_TRUE(std::equal(prefix.begin(), prefix.end(), piece.begin()));
      ASSERT_TRUE(std::equal(middle.begin(), middle.end(), piece.begin() + long(prefix.size())));
      ASSERT_TRUE(std::equal(suffix.begin(), suffix.end(), piece.end() - long(suffix.size())));
      // It decodes with nothing dropped, and the suffix's notes are where they were.
      size_t dropped = 0;
      const auto all = notes_of(*f.tok, piece, &dropped);
      ASSERT_EQ(dropped, 0u) << "call " << call << " candidate " << c;
      const std::vector<int32_t> head(piece.begin(), piece.end() - long(suffix.size()));
      ASSERT_EQ(minus(all, notes_of(*f.tok, head)), original_suffix_notes) << "call " << call << " candidate " << c;
      (r.stop_reasons[c] == "eos" ? by_model : forced)++;
    }
  }
  EXPECT_GE(fills, 1000);
  EXPECT_GT(forced, 0);    // the budget rule ran
  EXPECT_GT(by_model, 0);  // and the model's own EOS, allowed once the bars are there
}

TEST(Infill, SeededCandidates) {
  Fixture f;
  const auto ids = prompt_tokens(*f.tok, test::synthetic_song(4, 8, false));
  InfillSettings s;
  s.num_candidates = 3;
  s.seed = 9;
  const auto a = infill_tokens(*f.model, *f.tok, ids, 2, 2, s);
  const auto b = infill_tokens(*f.model, *f.tok, ids, 2, 2, s);
  EXPECT_EQ(a.pieces, b.pieces);
  s.seed = 10;
  EXPECT_NE(infill_tokens(*f.model, *f.tok, ids, 2, 2, s).pieces, a.pieces);
}

TEST(Infill, BadRequestsSayWhy) {
  Fixture f;
  const auto ids = prompt_tokens(*f.tok, test::synthetic_song(1, 6, false));
  const int have = count_bars(*f.tok, ids);
  try {
    infill_tokens(*f.model, *f.tok, ids, have - 1, 2, {});
    FAIL() << "bars past the end were accepted";
  } catch (const InfillError& e) {
    EXPECT_NE(std::string(e.what()).find("outside the piece, which has " + std::to_string(have) + " bars"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(infill_tokens(*f.model, *f.tok, ids, 0, 0, {}), InfillError);
  EXPECT_THROW(infill_tokens(*f.model, *f.tok, ids, -1, 1, {}), InfillError);
  // A model trained without --fim-rate: its tokenizer has no FIM tokens.
  const auto plain = test::remi_tokenizer();
  const auto plain_model = test::random_tiny_model(*plain);
  const auto plain_ids = prompt_tokens(*plain, test::synthetic_song(1, 6, false));
  try {
    infill_tokens(*plain_model, *plain, plain_ids, 1, 1, {});
    FAIL() << "a model without FIM tokens was accepted";
  } catch (const InfillError& e) {
    EXPECT_NE(std::string(e.what()).find("--fim-rate"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace harmonia::generate

// `harmonia infill` through the real binary: candidates written, and the mistakes a user makes
// answered with what to do.
namespace harmonia::generate {
namespace {

namespace fs = std::filesystem;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

TEST(InfillCli, WritesCandidatesAndExplainsMistakes) {
  const auto dir = test::scratch_dir("infill_cli");
  Fixture f;
  save_bundle(*f.model, *f.tok, dir / "fim-model");
  const auto plain = test::remi_tokenizer();
  save_bundle(*test::random_tiny_model(*plain), *plain, dir / "plain-model");
  const auto song = dir / "song.mid";
  midi::write_midi_file(test::synthetic_song(3, 8, true), song.string());

  ASSERT_EQ(test::run_harmonia("infill --model " + q(dir / "fim-model") + " --in " + q(song) +
                                   " --bars 3-4 --candidates 2 --seed 5 --out " + q(dir / "out" / "fill.mid"),
                               dir / "ok.txt", dir / "ok.err"),
            0)
      << test::read_text(dir / "ok.err");
  EXPECT_TRUE(fs::exists(dir / "out" / "fill.mid"));
  EXPECT_TRUE(fs::exists(dir / "out" / "fill-2.mid"));
  const auto summary = nlohmann::json::parse(test::read_text(dir / "ok.txt"));
  EXPECT_EQ(summary["candidates"].size(), 2u);
  EXPECT_EQ(summary["bars"], nlohmann::json::array({3, 4}));
  // The filled file keeps the piece's bar count.
  const auto filled = midi::read_midi_file((dir / "out" / "fill.mid").string());
  EXPECT_EQ(count_bars(*f.tok, prompt_tokens(*f.tok, filled)), int(summary["piece_bars"].get<int64_t>()));

  auto fails_with = [&](const std::string& args, const std::string& expected) {
    const auto log = dir / "err.txt";
    EXPECT_EQ(test::run_harmonia("infill " + args, log), 1) << args;
    const auto text = test::read_text(log);
    EXPECT_NE(text.find(expected), std::string::npos) << args << "\n" << text;
  };
  const std::string out = " --out " + q(dir / "bad.mid");
  fails_with("--model " + q(dir / "fim-model") + " --in " + q(song) + " --bars 20-23" + out,
             "outside the piece, which has " + std::to_string(summary["piece_bars"].get<int64_t>()) + " bars");
  fails_with("--model " + q(dir / "fim-model") + " --in " + q(song) + " --bars 20-23" + out, song.string());
  fails_with("--model " + q(dir / "plain-model") + " --in " + q(song) + " --bars 2-3" + out, "--fim-rate");
  fails_with("--model " + q(dir / "fim-model") + " --in " + q(song) + " --bars nine" + out, "give a bar range");
  fails_with("--model " + q(dir / "fim-model") + " --in " + q(song) + " --bars 4-2" + out, "not end before it starts");
  EXPECT_FALSE(fs::exists(dir / "bad.mid"));
  EXPECT_NE(test::run_harmonia("infill --model " + q(dir / "fim-model") + " --in " + q(dir / "missing.mid") +
                                   " --bars 1-2" + out,
                               dir / "missing.txt"),
            0);
}

}  // namespace
}  // namespace harmonia::generate

namespace harmonia::generate {
namespace {

// A hi-hat filled in bar 2 and held 3.5 beats over the gap's end, into the suffix's hi-hats:
// written as MIDI, the suffix's first hi-hat paired with the filled note's note-off and came
// back longer (0.5 -> 1.375 beats in a Llama fill). The filled note now ends where its pitch
// starts again; notes outside the gap are left alone even when they overlap.
TEST(InfillJoin, AFilledNoteEndsWhereItsPitchStartsAgain) {
  midi::Score score;
  score.ticks_per_quarter = 480;
  midi::Track drums;
  drums.is_drum = true;
  const int hat = 42;
  drums.notes.push_back({0, 2400, hat, 80});         // prefix, overlapping its own next hit: kept
  drums.notes.push_back({960, 240, hat, 80});        // prefix
  drums.notes.push_back({1920 + 960, 1680, hat, 90});  // filled (bar 2), rings into bar 3
  drums.notes.push_back({3840, 240, hat, 70});       // suffix
  drums.notes.push_back({3840 + 480, 240, hat, 70});  // suffix
  score.tracks.push_back(drums);

  // Why: without the fix the suffix does not survive a MIDI file.
  const auto read_back = [](const midi::Score& s) {
    const auto bytes = midi::write_midi(s);
    return midi::read_midi(bytes.data(), bytes.size());
  };
  const midi::Score raw = read_back(score);
  ASSERT_EQ(raw.tracks.size(), 1u);
  bool suffix_changed = false;
  for (const auto& n : raw.tracks[0].notes)
    if (n.time == 3840 && n.duration != 240) suffix_changed = true;
  EXPECT_TRUE(suffix_changed) << "the overlap no longer disturbs the writer: the test lost its reason";

  midi::Score fixed = score;
  end_filled_notes_before_repeats(fixed, 1920, 3840);
  const auto& notes = fixed.tracks[0].notes;
  EXPECT_EQ(notes[2].duration, 3840 - (1920 + 960));  // ends where the suffix's hat starts
  EXPECT_EQ(notes[0].duration, 2400);                 // outside the gap: untouched
  EXPECT_EQ(notes[3], score.tracks[0].notes[3]);
  EXPECT_EQ(notes[4], score.tracks[0].notes[4]);
  const midi::Score back = read_back(fixed);
  int suffix_hits = 0;
  for (const auto& n : back.tracks[0].notes)
    if (n.time >= 3840) {
      EXPECT_EQ(n.duration, 240) << "suffix note at " << n.time;
      ++suffix_hits;
    }
  EXPECT_EQ(suffix_hits, 2);
}

}  // namespace
}  // namespace harmonia::generate
