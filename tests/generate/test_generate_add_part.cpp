// "Add a part": the piece's notes stay exactly as they were, the new notes are all on the
// asked program, the bar count does not change, and what the model read decodes cleanly.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/generate/add_part.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/midi/midi_file.hpp"
#include "cli_runner.hpp"
#include "generate_test_model.hpp"

using namespace harmonia;

namespace {

std::shared_ptr<tokenizer::Tokenizer> program_tokenizer() {
  return std::shared_ptr<tokenizer::Tokenizer>(
      tokenizer::Tokenizer::create("REMI", generate::arrangement_tokenizer_config()));
}

// Two tracks (piano chords, a flute line) over 4 bars of 4/4, off the tokenizer's grid on purpose.
midi::Score small_piece() {
  midi::Score s;
  s.ticks_per_quarter = 480;
  s.tempos = {{0, 600000}};
  s.time_signatures = {{0, 4, 4}};
  midi::Track piano;
  piano.name = "Piano";
  piano.program = 0;
  piano.channel = 0;
  midi::Track flute;
  flute.name = "Flute";
  flute.program = 73;
  flute.channel = 1;
  for (int bar = 0; bar < 4; ++bar) {
    for (int p : {48, 52, 55}) piano.notes.push_back({bar * 1920 + 3, 1900, p + bar, 70 + bar});
    for (int q = 0; q < 4; ++q) flute.notes.push_back({bar * 1920 + q * 480 + 7, 431, 72 + q + bar, 90});
  }
  s.tracks = {piano, flute};
  s.sort_events();
  return s;
}

size_t bar_tokens(const tokenizer::Tokenizer& tok, const std::vector<int32_t>& ids) {
  const int32_t bar = tok.vocab().id(tokenizer::TokenType::Bar, -1);
  return size_t(std::count(ids.begin(), ids.end(), bar));
}

// The checks every add-a-part result must pass.
void expect_part_added(const tokenizer::Tokenizer& tok, const midi::Score& piece, const generate::AddPartResult& r,
                       int program) {
  ASSERT_FALSE(r.cancelled);
  // Every original note, track and map untouched (pitch, start, duration, velocity, program).
  ASSERT_EQ(r.score.tracks.size(), piece.tracks.size() + 1);
  for (size_t i = 0; i < piece.tracks.size(); ++i) EXPECT_EQ(r.score.tracks[i], piece.tracks[i]) << "track " << i;
  EXPECT_EQ(r.score.tempos, piece.tempos);
  EXPECT_EQ(r.score.time_signatures, piece.time_signatures);
  EXPECT_EQ(r.score.ticks_per_quarter, piece.ticks_per_quarter);
  // The new notes: only on the asked program, all inside the piece's bars.
  const auto& added = r.score.tracks.back();
  EXPECT_EQ(added.program, program);
  EXPECT_FALSE(added.is_drum);
  EXPECT_NE(added.channel, 9);
  for (const auto& t : piece.tracks) EXPECT_NE(added.channel, t.channel);
  EXPECT_EQ(added.notes, r.added);
  EXPECT_GT(r.added.size(), 0u) << "an untrained model added no note at all";
  // The piece's tokens are all there, in order, with only new notes and onsets between them.
  const auto forced = tok.encode(piece).sequences.front().ids;
  std::vector<int32_t> kept;
  size_t program_tokens = 0;
  const int32_t program_id = tok.vocab().id(tokenizer::TokenType::Program, program);
  for (size_t i = 0; i < r.ids.size(); ++i) {
    if (!r.inserted[i]) kept.push_back(r.ids[i]);
    else {
      const auto type = tok.vocab().kind(r.ids[i]).type;
      EXPECT_TRUE(type != tokenizer::TokenType::Bar && type != tokenizer::TokenType::Special) << tok.vocab().text(r.ids[i]);
      if (type == tokenizer::TokenType::Program) {
        EXPECT_EQ(r.ids[i], program_id) << "a note of another program was sampled";
        ++program_tokens;
      }
    }
  }
  EXPECT_EQ(kept, forced);
  EXPECT_EQ(program_tokens, r.added.size());
  EXPECT_EQ(bar_tokens(tok, r.ids), bar_tokens(tok, forced));
  // What the model read decodes with nothing dropped, to the piece's notes plus the new ones.
  tokenizer::DecodeReport report;
  const auto decoded = tok.decode({tokenizer::TokSequence{1, r.ids}}, {}, &report);
  EXPECT_EQ(report.tokens_dropped, 0u);
  size_t decoded_new = 0;
  for (const auto& t : decoded.tracks)
    if (t.program == program && !t.is_drum) decoded_new += t.notes.size();
  size_t piece_on_program = 0;
  for (const auto& t : piece.tracks)
    if (t.program == program && !t.is_drum) piece_on_program += t.notes.size();
  EXPECT_EQ(decoded_new, r.added.size() + piece_on_program);
  const midi::Tick end = piece.end_tick();
  const midi::Tick bar = 4 * piece.ticks_per_quarter;  // the test pieces are in 4/4
  for (const auto& n : r.added) EXPECT_LT(n.time, (end / bar + 1) * bar);
}

}  // namespace

TEST(GenerateAddPart, KeepsEveryNoteAndAddsOnlyTheAskedProgram) {
  const auto tok = program_tokenizer();
  const auto model = test::random_tiny_model(*tok, 256, 3);
  const midi::Score piece = small_piece();
  generate::AddPartSettings s;
  s.program = 33;
  s.seed = 5;
  const auto r = generate::add_part(*model, *tok, piece, s);
  expect_part_added(*tok, piece, r, 33);
  EXPECT_EQ(r.score.tracks.back().name, "Added part: Electric Bass (finger)");
  // Seeded: the same part again; another seed, another part.
  EXPECT_EQ(generate::add_part(*model, *tok, piece, s).added, r.added);
  s.seed = 6;
  EXPECT_NE(generate::add_part(*model, *tok, piece, s).added, r.added);
}

TEST(GenerateAddPart, ValidationPieceOfPop909) {
  HARMONIA_REQUIRE_SHARED();
  const auto tok = program_tokenizer();
  // A context far shorter than the piece: the window slides many times.
  const auto model = test::random_tiny_model(*tok, 256, 4);
  const midi::Score piece = midi::read_midi_file((test::shared_dir() / "data/midi/pop909/001.mid").string());
  ASSERT_GT(piece.note_count(), 100u);
  generate::AddPartSettings s;
  s.program = 33;
  s.seed = 1;
  const auto r = generate::add_part(*model, *tok, piece, s);
  expect_part_added(*tok, piece, r, 33);
  EXPECT_GT(r.forced_tokens, 1000u);
  std::cout << "pop909 001: " << piece.note_count() << " notes, " << r.forced_tokens << " forced tokens, "
            << r.sampled_tokens << " sampled, " << r.added.size() << " new notes in " << r.seconds << " s\n";
}

TEST(GenerateAddPart, TokenizersThatCannotAddAPartSaySo) {
  const auto plain = test::remi_tokenizer();
  const auto model = test::random_tiny_model(*plain);
  generate::AddPartSettings s;
  try {
    generate::add_part(*model, *plain, small_piece(), s);
    FAIL() << "a tokenizer without programs added a part";
  } catch (const generate::AddPartError& e) {
    EXPECT_NE(std::string(e.what()).find("no Program tokens"), std::string::npos) << e.what();
  }
  const auto tok = program_tokenizer();
  s.program = 128;
  EXPECT_THROW(generate::check_add_part_tokenizer(*tok, 128), generate::AddPartError);
  EXPECT_NO_THROW(generate::check_add_part_tokenizer(*tok, -1));
  EXPECT_THROW(generate::add_part(*test::random_tiny_model(*tok), *tok, midi::Score{}, generate::AddPartSettings{}),
               generate::AddPartError);
}

TEST(GenerateAddPart, CancelKeepsThePieceAsItWas) {
  const auto tok = program_tokenizer();
  const auto model = test::random_tiny_model(*tok);
  std::atomic<bool> cancel{true};
  generate::AddPartSettings s;
  s.cancel = &cancel;
  const auto r = generate::add_part(*model, *tok, small_piece(), s);
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(r.score, small_piece());
}

// The CLI: the piece written back as it was read, plus the part; a model without programs is
// refused with the reason.
TEST(GenerateAddPart, CommandLine) {
  namespace fs = std::filesystem;
  const fs::path dir = test::scratch_dir("add_part_cli");
  const auto tok = program_tokenizer();
  generate::save_bundle(*test::random_tiny_model(*tok, 256, 7), *tok, dir / "model");
  const auto plain = test::remi_tokenizer();
  generate::save_bundle(*test::random_tiny_model(*plain), *plain, dir / "plain");
  midi::write_midi_file(small_piece(), (dir / "in.mid").string());
  const midi::Score in = midi::read_midi_file((dir / "in.mid").string());
  const std::string args = "add-part --model '" + (dir / "model").string() + "' --in '" + (dir / "in.mid").string() +
                           "' --program 33 --seed 2 --out '" + (dir / "out.mid").string() + "'";
  ASSERT_EQ(test::run_harmonia(args, dir / "log.txt"), 0) << test::read_text(dir / "log.txt");
  const auto log = nlohmann::json::parse(test::read_text(dir / "log.txt"));
  EXPECT_EQ(log["instrument"], "Electric Bass (finger)");
  EXPECT_GT(log["notes_added"].get<int>(), 0);
  const midi::Score out = midi::read_midi_file((dir / "out.mid").string());
  ASSERT_EQ(out.tracks.size(), in.tracks.size() + 1);
  for (size_t i = 0; i < in.tracks.size(); ++i) EXPECT_EQ(out.tracks[i].notes, in.tracks[i].notes) << "track " << i;
  EXPECT_EQ(out.tracks.back().program, 33);
  EXPECT_EQ(out.tracks.back().notes.size(), log["notes_added"].get<size_t>());

  const std::string refused = "add-part --model '" + (dir / "plain").string() + "' --in '" +
                              (dir / "in.mid").string() + "' --program 33 --out '" + (dir / "x.mid").string() + "'";
  EXPECT_EQ(test::run_harmonia(refused, dir / "refused.txt"), 1);
  EXPECT_NE(test::read_text(dir / "refused.txt").find("no Program tokens"), std::string::npos)
      << test::read_text(dir / "refused.txt");
  EXPECT_FALSE(fs::exists(dir / "x.mid"));
}

// `harmonia infill --program P` (generate::regenerate_part): in the asked bars only P's notes
// are written again; every note of the other instruments (inside the bars too) and every note
// outside the bars stays exactly; the new notes are all P's and inside the bars.
TEST(GenerateRegeneratePart, OnlyTheProgramsNotesInTheBarsChange) {
  const auto tok = program_tokenizer();
  const auto model = test::random_tiny_model(*tok, 256, 3);
  const midi::Score piece = small_piece();  // piano 0, flute 73, 4 bars
  const midi::Tick begin = 1920, end = 3 * 1920;  // bars 2-3
  EXPECT_EQ(generate::bar_start_tick(piece, 1), begin);
  EXPECT_EQ(generate::bar_start_tick(piece, 3), end);
  generate::AddPartSettings s;
  s.program = 73;
  s.seed = 4;
  const auto r = generate::regenerate_part(*model, *tok, piece, 1, 2, s);
  ASSERT_FALSE(r.cancelled);
  ASSERT_EQ(r.score.tracks.size(), piece.tracks.size());
  EXPECT_EQ(r.score.tracks[0], piece.tracks[0]) << "the piano's notes in the bars must stay";
  EXPECT_EQ(r.score.tempos, piece.tempos);
  EXPECT_EQ(r.score.time_signatures, piece.time_signatures);
  auto outside = [&](const std::vector<midi::Note>& notes) {
    std::vector<midi::Note> out;
    for (const auto& n : notes)
      if (n.time < begin || n.time >= end) out.push_back(n);
    return out;
  };
  auto inside = [&](const std::vector<midi::Note>& notes) {
    std::vector<midi::Note> in;
    for (const auto& n : notes)
      if (n.time >= begin && n.time < end) in.push_back(n);
    return in;
  };
  const auto& flute = r.score.tracks[1];
  EXPECT_EQ(flute.program, 73);
  EXPECT_EQ(outside(flute.notes), outside(piece.tracks[1].notes));
  EXPECT_GT(r.added.size(), 0u) << "an untrained model wrote no flute note";
  EXPECT_EQ(inside(flute.notes), r.added);
  EXPECT_NE(inside(flute.notes), inside(piece.tracks[1].notes));
  EXPECT_EQ(flute.notes.size(), outside(piece.tracks[1].notes).size() + r.added.size());
  EXPECT_TRUE(std::is_sorted(flute.notes.begin(), flute.notes.end(),
                             [](const midi::Note& a, const midi::Note& b) { return a.time < b.time; }));
  // Every sampled token is inside bars 2-3 (the model hears no invented notes before them),
  // and every sampled Program token is the flute's.
  const int32_t flute_id = tok->vocab().id(tokenizer::TokenType::Program, 73);
  const int32_t bar_id = tok->vocab().id(tokenizer::TokenType::Bar, -1);
  int bar_index = -1;
  for (size_t i = 0; i < r.ids.size(); ++i) {
    if (r.ids[i] == bar_id) ++bar_index;
    if (!r.inserted[i]) continue;
    EXPECT_TRUE(bar_index == 1 || bar_index == 2) << "a token sampled in bar " << bar_index + 1;
    if (tok->vocab().kind(r.ids[i]).type == tokenizer::TokenType::Program) EXPECT_EQ(r.ids[i], flute_id);
  }
  // Seeded; a program the piece lacks gets a track of its own.
  EXPECT_EQ(generate::regenerate_part(*model, *tok, piece, 1, 2, s).added, r.added);
  s.program = 33;
  const auto bass = generate::regenerate_part(*model, *tok, piece, 1, 2, s);
  ASSERT_EQ(bass.score.tracks.size(), piece.tracks.size() + 1);
  for (size_t i = 0; i < piece.tracks.size(); ++i) EXPECT_EQ(bass.score.tracks[i], piece.tracks[i]);
  EXPECT_EQ(bass.score.tracks.back().program, 33);
  for (const auto& n : bass.added) EXPECT_TRUE(n.time >= begin && n.time < end) << n.time;
  // Bars outside the piece are refused.
  EXPECT_THROW(generate::regenerate_part(*model, *tok, piece, 3, 2, s), generate::AddPartError);
}

// The CLI's --program: the file written back as read except the program's notes in the bars.
TEST(GenerateRegeneratePart, CommandLine) {
  namespace fs = std::filesystem;
  const fs::path dir = test::scratch_dir("infill_program_cli");
  const auto tok = program_tokenizer();
  generate::save_bundle(*test::random_tiny_model(*tok, 256, 7), *tok, dir / "model");
  midi::write_midi_file(small_piece(), (dir / "in.mid").string());
  const midi::Score in = midi::read_midi_file((dir / "in.mid").string());
  const std::string args = "infill --model '" + (dir / "model").string() + "' --in '" + (dir / "in.mid").string() +
                           "' --bars 2-3 --program 73 --candidates 2 --seed 2 --out '" + (dir / "out.mid").string() + "'";
  ASSERT_EQ(test::run_harmonia(args, dir / "log.txt"), 0) << test::read_text(dir / "log.txt");
  const auto log = nlohmann::json::parse(test::read_text(dir / "log.txt"));
  EXPECT_EQ(log["program"], 73);
  ASSERT_EQ(log["candidates"].size(), 2u);
  for (const char* name : {"out.mid", "out-2.mid"}) {
    const midi::Score out = midi::read_midi_file((dir / name).string());
    ASSERT_EQ(out.tracks.size(), in.tracks.size()) << name;
    EXPECT_EQ(out.tracks[0].notes, in.tracks[0].notes) << name;
    for (const auto& n : in.tracks[1].notes)
      if (n.time < 1920 || n.time >= 3 * 1920)
        EXPECT_NE(std::find(out.tracks[1].notes.begin(), out.tracks[1].notes.end(), n), out.tracks[1].notes.end()) << name;
  }
  // A model without programs cannot tell the instruments apart: refused, saying why.
  const auto plain = test::remi_tokenizer();
  generate::save_bundle(*test::random_tiny_model(*plain), *plain, dir / "plain");
  const std::string refused = "infill --model '" + (dir / "plain").string() + "' --in '" + (dir / "in.mid").string() +
                              "' --bars 2 --program 73 --out '" + (dir / "x.mid").string() + "'";
  EXPECT_EQ(test::run_harmonia(refused, dir / "refused.txt"), 1);
  EXPECT_NE(test::read_text(dir / "refused.txt").find("no Program tokens"), std::string::npos)
      << test::read_text(dir / "refused.txt");
  EXPECT_FALSE(fs::exists(dir / "x.mid"));
}
