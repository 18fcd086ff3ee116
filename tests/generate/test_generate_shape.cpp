// The length and shape controls of a generated piece (issue 15): at most N empty bars in a
// row, no end before a number of bars, a cap in seconds of music. Each is checked on an
// untrained model pushed towards the failure it prevents, with and without the control, so
// the test shows the control is what makes the difference.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/data/import_job.hpp"
#include "core/generate/generation_output.hpp"
#include "core/generate/music_defaults.hpp"
#include "core/midi/midi_file.hpp"
#include "core/generate/grammar_constraint.hpp"
#include "core/generate/music_recipe.hpp"
#include "generate_test_model.hpp"

using namespace harmonia;
using namespace harmonia::generate;

namespace {

GenerationSettings raw(uint64_t seed, int64_t tokens, int batch) {
  GenerationSettings s;
  s.seed = seed;
  s.max_new_tokens = tokens;
  s.num_candidates = batch;
  s.sampling.temperature = 1.0f;
  s.sampling.top_k = 0;
  s.sampling.top_p = 1.0f;
  s.sampling.repetition_penalty = 1.0f;
  s.max_empty_bars = -1;
  return s;
}

// Longest run of completed bars without a note, and the number of bars started.
struct BarShape {
  int longest_empty_run = 0;
  int bars = 0;
};
BarShape shape_of(const tokenizer::Tokenizer& tok, const std::vector<int32_t>& ids) {
  BarShape shape;
  bool in_bar = false, has_note = false;
  int run = 0;
  for (int32_t id : ids) {
    const auto type = tok.vocab(0).kind(id).type;
    if (type == tokenizer::TokenType::Bar) {
      if (in_bar) run = has_note ? 0 : run + 1;
      shape.longest_empty_run = std::max(shape.longest_empty_run, run);
      in_bar = true, has_note = false;
      ++shape.bars;
    } else if (type == tokenizer::TokenType::Pitch || type == tokenizer::TokenType::PitchDrum) {
      has_note = true;
    }
  }
  return shape;
}

}  // namespace

TEST(GenerateShape, GrammarRefusesASecondEmptyBarInARow) {
  auto tok = test::remi_tokenizer();
  const auto& v = tok->vocab(0);
  const int bar = v.id("Bar_None"), pos = v.id("Position_0"), pitch = v.id("Pitch_60"), vel = v.id("Velocity_63"),
            dur = v.id("Duration_1.0.8");
  ASSERT_TRUE(bar >= 0 && pos >= 0 && pitch >= 0 && vel >= 0 && dur >= 0);
  std::vector<uint8_t> allowed;
  for (int limit : {-1, 0, 1, 2}) {
    GrammarConstraint g(*tok, GrammarOptions{limit});
    // A bar with a note, then empty bars one after another.
    for (int id : {bar, pos, pitch, vel, dur}) g.accept(id);
    int empty_bars_closed = 0;
    for (; empty_bars_closed < 5; ++empty_bars_closed) {
      g.accept(bar);  // opens a bar (closing the previous one)
      g.allowed(allowed);
      EXPECT_TRUE(allowed[size_t(pos)]) << "a note can always come";
      if (!allowed[size_t(bar)]) break;
    }
    if (limit < 0) EXPECT_EQ(empty_bars_closed, 5) << "no limit: empty bars may follow each other";
    else EXPECT_EQ(empty_bars_closed, limit) << "limit " << limit;
    // A note in the bar lifts the refusal and starts the count again.
    for (int id : {pos, pitch, vel, dur}) g.accept(id);
    g.allowed(allowed);
    EXPECT_TRUE(allowed[size_t(bar)]);
    EXPECT_EQ(g.empty_bars_in_a_row(), limit < 0 ? 4 : limit);  // 5 bars opened after the note bar: 4 closed empty
    g.accept(bar);
    EXPECT_EQ(g.empty_bars_in_a_row(), 0);
  }
}

TEST(GenerateShape, SampledPiecesHoldAtMostOneEmptyBarInARow) {
  auto tok = test::remi_tokenizer();
  Generator gen(test::random_tiny_model(*tok), tok);
  auto s = raw(5, 600, 16);
  s.min_bars = 1000;  // an untrained model picks EOS at once half the time: keep it going
  s.max_empty_bars = 1;
  const auto constrained = gen.generate({}, s);
  test::DecodeTally tally;
  tally.add(*tok, constrained);
  int worst = 0, bars = 0;
  for (const auto& seq : constrained.sequences) {
    worst = std::max(worst, shape_of(*tok, seq).longest_empty_run);
    bars += shape_of(*tok, seq).bars;
  }
  EXPECT_LE(worst, 1);
  EXPECT_GT(bars, 16 * 2) << "the pieces move on through bars";
  EXPECT_EQ(tally.dropped, 0u) << "the control keeps sequences decodable";
}

TEST(GenerateShape, NoEndBeforeMinBars) {
  auto tok = test::remi_tokenizer();
  Generator gen(test::random_tiny_model(*tok), tok);
  auto s = raw(11, 400, 32);
  auto early_ends = [&](const GenerationResult& r, int min_bars) {
    int early = 0;
    for (size_t b = 0; b < r.sequences.size(); ++b)
      if (r.stop_reasons[b] == "eos" && shape_of(*tok, r.sequences[b]).bars < min_bars) ++early;
    return early;
  };
  const int without = early_ends(gen.generate({}, s), 6);
  s.min_bars = 6;
  const int with = early_ends(gen.generate({}, s), 6);
  EXPECT_GT(without, 0) << "an untrained model ends early now and then";
  EXPECT_EQ(with, 0);
}

TEST(GenerateShape, StopsAtTheMusicSecondsCap) {
  auto tok = test::remi_tokenizer();
  Generator gen(test::random_tiny_model(*tok), tok);
  auto s = raw(3, 1500, 8);
  s.min_bars = 1000;  // no early EOS: only the cap may end the pieces
  s.max_music_seconds = 6;
  const auto r = gen.generate({}, s);
  int capped = 0;
  for (size_t b = 0; b < r.sequences.size(); ++b) {
    const double seconds = to_score(*tok, r.sequences[b]).duration_seconds();
    if (r.stop_reasons[b] != "max_music_seconds") continue;
    ++capped;
    // The bar that crossed the cap is kept whole (2 s at the default 120 qpm in 4/4); notes
    // may ring past it by their duration (at most 2 bars with REMI's default durations).
    EXPECT_GE(seconds, 6.0 - 2.0);
    EXPECT_LT(seconds, 6.0 + 2.0 + 4.0);
  }
  EXPECT_GT(capped, 4) << "most pieces should reach 6 s of music within 1,500 tokens";
}

TEST(GenerateShape, ZeroBarsAskedIsRefusedByTheRecipeAndTheGeneratorStaysDecodable) {
  // The recipe never asks for less than one bar; its pieces stop on bars, not mid-note.
  const auto s = piece_settings(0, 1);
  EXPECT_EQ(s.max_bars, 1);
  EXPECT_GE(s.min_bars, 1);
  EXPECT_EQ(s.max_empty_bars, 1);
  auto tok = test::remi_tokenizer();
  Generator gen(test::random_tiny_model(*tok), tok);
  auto piece = piece_settings(4, 2);
  piece.num_candidates = 4;
  const auto r = gen.generate({}, piece);
  test::DecodeTally tally;
  tally.add(*tok, r);
  EXPECT_EQ(tally.dropped, 0u);
  for (size_t b = 0; b < r.sequences.size(); ++b) EXPECT_LE(shape_of(*tok, r.sequences[b]).bars, 4);
}

TEST(GenerateShape, GrammarKeepsToTheFirstProgramsOnceTheLimitIsReached) {
  std::shared_ptr<const tokenizer::Tokenizer> tok =
      tokenizer::Tokenizer::create("REMI", arrangement_tokenizer_config());
  const auto& v = tok->vocab(0);
  const int bar = v.id("Bar_None"), ts = v.id("TimeSig_4/4"), pos = v.id("Position_0"), piano = v.id("Program_0"),
            strings = v.id("Program_48"), flute = v.id("Program_73"), pitch = v.id("Pitch_60"), vel = v.id("Velocity_63"),
            dur = v.id("Duration_1.0.8");
  ASSERT_TRUE(bar >= 0 && ts >= 0 && pos >= 0 && piano >= 0 && strings >= 0 && flute >= 0 && pitch >= 0 && vel >= 0 &&
              dur >= 0);
  std::vector<uint8_t> allowed;
  for (int limit : {0, 2}) {
    GrammarConstraint g(*tok, GrammarOptions{-1, limit});
    for (int id : {bar, ts, pos, piano, pitch, vel, dur}) g.accept(id);
    g.allowed(allowed);
    EXPECT_TRUE(allowed[size_t(flute)]) << "one program used: any may come";
    for (int id : {strings, pitch, vel, dur}) g.accept(id);
    g.allowed(allowed);
    EXPECT_TRUE(allowed[size_t(piano)]);
    EXPECT_TRUE(allowed[size_t(strings)]);
    EXPECT_EQ(bool(allowed[size_t(flute)]), limit == 0) << "limit " << limit;
    EXPECT_TRUE(allowed[size_t(v.id("Program_-1"))]) << "drums stay free";
  }
}

TEST(GenerateShape, MusicDefaultsComeFromTheDatasetAndGiveTheTempo) {
  const auto dir = test::scratch_dir("music_defaults");
  // Three songs at 100 qpm with a piano and a drum kit.
  for (int i = 0; i < 3; ++i) {
    midi::Score song;
    song.ticks_per_quarter = 480;
    song.tempos = {{0, 600000}};
    midi::Track piano, kit;
    kit.is_drum = true;
    for (int n = 0; n < 16; ++n) {
      piano.notes.push_back({midi::Tick(n * 480), 240, 60 + (n + i) % 12, 80});
      kit.notes.push_back({midi::Tick(n * 480), 120, 36, 100});
    }
    song.tracks = {piano, kit};
    std::filesystem::create_directories(dir / "in");
    midi::write_midi_file(song, (dir / "in" / ("s" + std::to_string(i) + ".mid")).string());
  }
  std::shared_ptr<const tokenizer::Tokenizer> tok =
      tokenizer::Tokenizer::create("REMI", arrangement_tokenizer_config());
  data::ImportOptions o;
  o.input_dir = (dir / "in").string();
  o.dataset_dir = (dir / "ds").string();
  data::import_dataset(tok, o);
  const auto learned = music_defaults_from_dataset(*data::TokenDataset::open(o.dataset_dir));
  EXPECT_NEAR(learned.tempo_qpm, 100.0, 4.0);  // MidiTok's 32 tempo bins between 40 and 250
  EXPECT_EQ(learned.programs_per_piece, 1) << "the piano; drums are not counted";

  save_music_defaults(learned, dir);
  const auto back = load_music_defaults(dir);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->tempo_qpm, learned.tempo_qpm);
  EXPECT_EQ(piece_settings(24, 1, *back).max_programs, 3);
  midi::Score silent_tempo;
  apply_music_defaults(*back, silent_tempo);
  ASSERT_EQ(silent_tempo.tempos.size(), 1u);
  EXPECT_NEAR(silent_tempo.tempos[0].qpm(), learned.tempo_qpm, 0.01);
  midi::Score own_tempo;
  own_tempo.tempos = {{0, 500000}};
  apply_music_defaults(*back, own_tempo);
  EXPECT_EQ(own_tempo.tempos[0].us_per_quarter, 500000) << "a tempo the tokens gave is kept";

  EXPECT_FALSE(load_music_defaults(dir / "nowhere").has_value());
  std::ofstream(dir / "harmonia_music.json") << "{\"tempo_qpm\": -5, \"programs_per_piece\": 2}";
  EXPECT_THROW(load_music_defaults(dir), std::runtime_error);
  std::ofstream(dir / "harmonia_music.json") << "[1,";
  EXPECT_THROW(load_music_defaults(dir), std::runtime_error);
}

TEST(GenerateShape, GrammarRefusesAWholeSilentBeat) {
  auto tok = test::remi_tokenizer();
  const auto& v = tok->vocab(0);
  // Positions are eighths of a beat in the first 4 beats (8 per beat): Position_16 is beat 2,
  // Position_24 beat 3; the next Bar starts beat 4.
  const int bar = v.id("Bar_None"), pos0 = v.id("Position_0"), pos16 = v.id("Position_16"),
            pos24 = v.id("Position_24"), pitch = v.id("Pitch_60"), vel = v.id("Velocity_63"), beat = v.id("Duration_1.0.8");
  ASSERT_TRUE(bar >= 0 && pos0 >= 0 && pos16 >= 0 && pos24 >= 0 && pitch >= 0 && vel >= 0 && beat >= 0);
  std::vector<uint8_t> allowed;
  for (int limit : {-1, 0, 1}) {
    GrammarConstraint g(*tok, GrammarOptions{-1, 0, limit});
    // One note of one beat at beat 0: it touches beats 0 and 1 (MusPy counts the end's beat).
    for (int id : {bar, pos0, pitch, vel, beat}) g.accept(id);
    g.allowed(allowed);
    EXPECT_TRUE(allowed[size_t(pos16)]) << "an onset in beat 2 leaves no beat empty";
    EXPECT_EQ(bool(allowed[size_t(pos24)]), limit != 0) << "beat 2 would be empty; limit " << limit;
    EXPECT_EQ(bool(allowed[size_t(bar)]), limit < 0) << "beats 2 and 3 would be empty; limit " << limit;
  }
}

TEST(GenerateShape, GrammarMovesTimeOnAfterTooManyNotesAtOneOnset) {
  auto tok = test::remi_tokenizer();
  const auto& v = tok->vocab(0);
  const int bar = v.id("Bar_None"), pos0 = v.id("Position_0"), pos1 = v.id("Position_1"), pitch = v.id("Pitch_60"),
            vel = v.id("Velocity_63"), dur = v.id("Duration_1.0.8");
  std::vector<uint8_t> allowed;
  for (int limit : {0, 3}) {
    GrammarConstraint g(*tok, GrammarOptions{-1, 0, -1, limit});
    for (int id : {bar, pos0}) g.accept(id);
    for (int n = 0; n < 3; ++n)
      for (int id : {pitch, vel, dur}) g.accept(id);
    g.allowed(allowed);
    EXPECT_EQ(bool(allowed[size_t(pitch)]), limit == 0) << "limit " << limit;
    EXPECT_TRUE(allowed[size_t(pos1)]);
    g.accept(pos1);
    g.allowed(allowed);
    EXPECT_TRUE(allowed[size_t(pitch)]) << "a new position starts a new count";
  }
}

TEST(GenerateShape, GrammarKeepsThePiecesTimeSignature) {
  std::shared_ptr<const tokenizer::Tokenizer> tok =
      tokenizer::Tokenizer::create("REMI", arrangement_tokenizer_config());
  const auto& v = tok->vocab(0);
  const int bar = v.id("Bar_None"), four = v.id("TimeSig_4/4"), three = v.id("TimeSig_3/4"), pos = v.id("Position_0"),
            piano = v.id("Program_0"), pitch = v.id("Pitch_60"), vel = v.id("Velocity_63"), dur = v.id("Duration_1.0.8");
  ASSERT_TRUE(bar >= 0 && four >= 0 && three >= 0 && pos >= 0 && piano >= 0 && pitch >= 0 && vel >= 0 && dur >= 0);
  std::vector<uint8_t> allowed;
  for (bool keep : {false, true}) {
    GrammarOptions o;
    o.keep_time_signature = keep;
    GrammarConstraint g(*tok, o);
    g.accept(bar);
    g.allowed(allowed);
    EXPECT_TRUE(allowed[size_t(three)]) << "the first time signature is free";
    for (int id : {four, pos, piano, pitch, vel, dur, bar}) g.accept(id);
    g.allowed(allowed);
    EXPECT_TRUE(allowed[size_t(four)]);
    EXPECT_EQ(bool(allowed[size_t(three)]), !keep) << "keep " << keep;
  }
}

TEST(GenerateShape, DensityNudgesTheTokenThatStartsANote) {
  // REMI with programs in one stream: a note starts with Program (Program -> Pitch), so the
  // density bias must reach Program tokens, or it changes nothing (measured: no effect at all).
  std::shared_ptr<const tokenizer::Tokenizer> tok =
      tokenizer::Tokenizer::create("REMI", arrangement_tokenizer_config());
  MusicControls c;
  c.density_bias = -1.5f;
  const auto bias = control_bias(*tok, c);
  EXPECT_FLOAT_EQ(bias[size_t(tok->vocab(0).id("Program_0"))], -1.5f);
  EXPECT_FLOAT_EQ(bias[size_t(tok->vocab(0).id("Program_-1"))], -1.5f);
  EXPECT_FLOAT_EQ(bias[size_t(tok->vocab(0).id("Position_3"))], 0.0f);
  // Without programs the Pitch token starts a note, and Program tokens do not exist.
  auto plain = test::remi_tokenizer();
  EXPECT_FLOAT_EQ(control_bias(*plain, c)[size_t(plain->vocab(0).id("Pitch_60"))], -1.5f);
}
