// Bad input never crashes: odd MIDI content is skipped as documented, bad files and bad
// tokenizer.json give clear errors, and arbitrary model output decodes with a drop count.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <memory>
#include <random>

#include "core/midi/midi_file.hpp"
#include "core/tokenizer/score_loader.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "midi/midi_bytes.hpp"
#include "test_paths.hpp"

using namespace harmonia;
using namespace harmonia::tokenizer;
using harmonia::test::TrackBytes;

namespace {

const char* const kSchemes[] = {"REMI", "TSD", "MIDILike", "CPWord", "Octuple"};

TokenizerConfig everything_on() {
  TokenizerConfig c;
  c.use_tempos = true;
  c.use_time_signatures = true;
  c.use_chords = true;
  return c;
}

midi::Score load(const std::vector<uint8_t>& bytes) { return load_score_for_tokenizer(bytes.data(), bytes.size(), "test.mid"); }

TEST(TokenizerBadInput, EmptyScoreGivesEmptySequences) {
  midi::Score empty;
  for (const char* s : kSchemes) {
    auto tok = Tokenizer::create(s);
    const Encoding enc = tok->encode(empty);
    ASSERT_EQ(enc.sequences.size(), 1u) << s;
    EXPECT_EQ(enc.sequences[0].ids.size(), 0u) << s;
    EXPECT_TRUE(enc.programs.empty()) << s;
    EXPECT_EQ(tok->decode(enc.sequences).note_count(), 0u) << s;
  }
}

TEST(TokenizerBadInput, EmptyFileAndGarbageAreClearErrors) {
  const std::vector<uint8_t> nothing;
  EXPECT_THROW(load_score_for_tokenizer(nothing.data(), 0, "empty.mid"), midi::MidiError);
  const std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', '!', '!'};
  try {
    load(text);
    FAIL() << "garbage accepted";
  } catch (const midi::MidiError& e) {
    EXPECT_NE(std::string(e.what()).find("test.mid"), std::string::npos) << e.what();
  }
  // A track chunk whose length runs past the end of the file.
  auto bytes = test::smf(0, 480, {TrackBytes().event(0, {0x90, 60, 100}).event(10, {0x80, 60, 0}).end()});
  bytes.resize(bytes.size() - 3);
  EXPECT_THROW(load(bytes), midi::MidiError);
}

TEST(TokenizerBadInput, CorruptedReferenceFileIsAnError) {
  HARMONIA_REQUIRE_SHARED();
  const auto dir = test::shared_dir() / "data" / "midi" / "miditok-tests" / "MIDIs_corrupted";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    try {
      const auto score = load_score_file_for_tokenizer(e.path().string());
      for (const char* s : kSchemes) Tokenizer::create(s)->encode(score);  // if it parses, it tokenizes
    } catch (const midi::MidiError& err) {
      EXPECT_NE(std::string(err.what()).find(e.path().filename().string()), std::string::npos);
    }
  }
}

// Mutated real files: the loader either reads them or throws MidiError; tokenizing what it
// reads never crashes.
TEST(TokenizerBadInput, MutatedFilesNeverCrash) {
  HARMONIA_REQUIRE_SHARED();
  const auto path = test::shared_dir() / "data" / "midi" / "miditok-tests" / "MIDIs_multitrack" / "Funkytown.mid";
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(original.size(), 100u);
  std::mt19937 rng(7);
  std::vector<std::unique_ptr<Tokenizer>> toks;
  for (const char* s : kSchemes) toks.push_back(Tokenizer::create(s, everything_on()));
  size_t loaded = 0, rejected = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> bytes = original;
    const int edits = 1 + int(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % bytes.size();
      switch (rng() % 3) {
        case 0: bytes[at] = uint8_t(rng()); break;
        case 1: bytes.resize(at + 1); break;
        default: bytes.insert(bytes.begin() + long(at), uint8_t(rng())); break;
      }
    }
    try {
      const auto score = load(bytes);
      ++loaded;
      for (const auto& t : toks) {
        try {
          t->encode(score);
        } catch (const TokenizerError&) {  // e.g. absurd length: a clear refusal is fine
        }
      }
    } catch (const midi::MidiError&) {
      ++rejected;
    }
  }
  EXPECT_GT(loaded, 0u);
  EXPECT_GT(rejected, 0u);
}

TEST(TokenizerBadInput, OnlyDrumsUseDrumTokens) {
  TrackBytes t;
  for (int i = 0; i < 8; ++i) t.event(0, {0x99, uint8_t(i % 2 ? 36 : 38), 100}).event(120, {0x89, uint8_t(i % 2 ? 36 : 38), 0});
  const auto score = load(test::smf(0, 480, {t.end()}));
  ASSERT_EQ(score.tracks.size(), 1u);
  EXPECT_TRUE(score.tracks[0].is_drum);
  for (const char* s : kSchemes) {
    auto tok = Tokenizer::create(s);
    const Encoding enc = tok->encode(score);
    ASSERT_EQ(enc.programs.size(), 1u);
    EXPECT_TRUE(enc.programs[0].second);
    bool drum_token = false;
    for (const auto& str : tok->strings(enc.sequences[0]))
      drum_token = drum_token || str.rfind("PitchDrum_", 0) == 0 || str.rfind("DrumOn_", 0) == 0;
    EXPECT_TRUE(drum_token) << s;
    const auto back = tok->decode(enc.sequences, enc.programs);
    ASSERT_EQ(back.tracks.size(), 1u) << s;
    EXPECT_TRUE(back.tracks[0].is_drum) << s;
    EXPECT_EQ(back.tracks[0].notes.size(), 8u) << s;
  }
}

TEST(TokenizerBadInput, NotesOutsidePitchRangeAreDropped) {
  TrackBytes t;
  t.event(0, {0x90, 5, 100}).event(0, {0x90, 60, 100}).event(0, {0x90, 127, 100});
  t.event(240, {0x80, 5, 0}).event(0, {0x80, 60, 0}).event(0, {0x80, 127, 0});
  const auto score = load(test::smf(0, 480, {t.end()}));
  for (const char* s : kSchemes) {
    auto tok = Tokenizer::create(s);
    const auto back = tok->decode(tok->encode(score).sequences);
    ASSERT_EQ(back.note_count(), 1u) << s;
    EXPECT_EQ(back.tracks[0].notes[0].pitch, 60) << s;
  }
}

TEST(TokenizerBadInput, AbsurdTemposAndTimeSignaturesAreFilteredNotFatal) {
  TrackBytes meta;
  meta.event(0, {0xFF, 0x51, 0x03, 0x00, 0x00, 0x00});        // tempo 0 us/quarter
  meta.event(0, {0xFF, 0x58, 0x04, 0, 0, 24, 8});              // 0/1
  meta.event(480, {0xFF, 0x51, 0x03, 0xFF, 0xFF, 0xFF});       // 16.7 s per quarter
  meta.event(0, {0xFF, 0x58, 0x04, 99, 6, 24, 8});             // 99/64
  meta.event(480, {0xFF, 0x58, 0x04, 7, 40, 24, 8});           // 7/2^40
  TrackBytes notes;
  for (int i = 0; i < 16; ++i) notes.event(0, {0x90, uint8_t(60 + i), 90}).event(240, {0x80, uint8_t(60 + i), 0});
  const auto score = load(test::smf(1, 480, {meta.end(), notes.end()}));
  for (const char* s : kSchemes) {
    auto tok = Tokenizer::create(s, everything_on());
    const Encoding enc = tok->encode(score);
    for (const auto& seq : enc.sequences)
      for (int32_t id : seq.ids) EXPECT_GE(id, 0) << s << ": a token missing from the vocabulary";
    DecodeReport report;
    const auto back = tok->decode(enc.sequences, enc.programs, &report);
    EXPECT_EQ(back.note_count(), 16u) << s;
    EXPECT_EQ(report.tokens_dropped, 0u) << s;
    for (const auto& ts : back.time_signatures) EXPECT_EQ(ts.denominator, 4) << s;  // only 4/4 survives
  }
}

TEST(TokenizerBadInput, AbsurdLengthIsRefusedClearly) {
  midi::Score s;
  s.ticks_per_quarter = 1;
  midi::Track t;
  t.notes.push_back({0, 1, 60, 90});
  t.notes.push_back({int64_t(1) << 36, 1, 60, 90});
  s.tracks.push_back(t);
  for (const char* name : kSchemes) EXPECT_THROW(Tokenizer::create(name)->encode(s), TokenizerError) << name;
}

// Arbitrary ids (model output) decode without crashing; problems are counted.
TEST(TokenizerBadInput, RandomTokensDecodeWithDropCount) {
  std::mt19937 rng(1234);
  for (const char* s : kSchemes) {
    auto tok = Tokenizer::create(s, everything_on());
    size_t dropped = 0;
    for (int round = 0; round < 50; ++round) {
      TokSequence seq;
      seq.fields = tok->num_fields();
      const size_t steps = rng() % 400;
      for (size_t i = 0; i < steps; ++i)
        for (size_t f = 0; f < seq.fields; ++f) {
          const int n = int(tok->vocab(f).size());
          seq.ids.push_back(rng() % 20 == 0 ? int(rng() % 3) - 2 + (rng() % 2) * (n + 5) : int(rng() % unsigned(n)));
        }
      DecodeReport report;
      const auto score = tok->decode({seq, seq}, {{0, false}, {-1, true}}, &report);
      EXPECT_EQ(report.tokens_read, 2 * steps);
      dropped += report.tokens_dropped;
      for (const auto& t : score.tracks)
        for (const auto& n : t.notes) {
          EXPECT_GE(n.time, 0);
          EXPECT_GT(n.duration, 0);
          EXPECT_GE(n.velocity, 1);
          EXPECT_LE(n.velocity, 127);
        }
    }
    EXPECT_GT(dropped, 0u) << s << ": random tokens should contain ill-placed ones";
  }
  // Compound sequences with the wrong field count are dropped whole.
  auto cp = Tokenizer::create("CPWord");
  TokSequence wrong;
  wrong.fields = 2;
  wrong.ids = {1, 2, 3, 4};
  DecodeReport report;
  EXPECT_EQ(cp->decode({wrong}, {}, &report).note_count(), 0u);
  EXPECT_EQ(report.tokens_dropped, 2u);
}

TEST(TokenizerBadInput, UnknownTokenStringsBecomeDrops) {
  auto tok = Tokenizer::create("REMI");
  const TokSequence seq = tok->from_strings({"Bar_None", "Position_0", "Pitch_60", "Velocity_127", "Duration_1.0.8",
                                             "Pitch_999", "Banana_3", "Position_0", "Pitch_62", "Velocity_127",
                                             "Duration_1.0.8"});
  DecodeReport report;
  const auto score = tok->decode({seq}, {}, &report);
  EXPECT_EQ(score.note_count(), 2u);
  EXPECT_EQ(report.tokens_dropped, 2u);
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = test::scratch_dir("tokenizer-json") / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(TokenizerBadInput, BadTokenizerJsonGivesClearErrors) {
  auto expect_error = [](const std::string& text, const std::string& needle) {
    const std::string path = write_temp("t.json", text);
    try {
      Tokenizer::load(path);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const TokenizerError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  };
  expect_error("{not json", "not valid JSON");
  expect_error(R"({"config": {}, "tokenization": "REMI", "colour": 3})", "unknown field \"colour\"");
  expect_error(R"({"config": {"pitch_rnage": [21, 109]}, "tokenization": "REMI"})", "unknown field \"pitch_rnage\"");
  expect_error(R"({"config": {"num_velocities": "many"}, "tokenization": "REMI"})", "num_velocities");
  expect_error(R"({"config": {"beat_res": {"0-4": 8}}, "tokenization": "REMI"})", "0-4");
  expect_error(R"({"config": {}, "tokenization": "Structured"})", "unknown tokenizer");
  expect_error(R"({"config": {"use_rests": true}, "tokenization": "REMI"})", "use_rests");
  expect_error(R"({"config": {"use_sustain_pedals": true}, "tokenization": "REMI"})", "use_sustain_pedals");
  expect_error(R"({"config": {"pitch_range": [100, 20]}, "tokenization": "REMI"})", "pitch_range");
  expect_error(R"({"config": {"time_signature_range": {"3": [4]}}, "use_time_signatures": true, "tokenization": "REMI"})",
               "unknown field");
  expect_error(R"({"config": {"use_time_signatures": true, "time_signature_range": {"3": [4]}}, "tokenization": "REMI"})",
               "power of two");
  expect_error(R"({"config": {"ac_polyphony_bar": true}, "tokenization": "REMI"})", "ac_polyphony_bar");
  expect_error(R"({"tokenization": "REMI"})", "missing \"config\"");
  expect_error(R"([1, 2])", "not a JSON object");
}

TEST(TokenizerBadInput, SaveLoadRoundTripsAndMatchesMidiTokLayout) {
  TokenizerConfig c = everything_on();
  c.use_programs = true;
  c.num_velocities = 16;
  c.beat_res = {{0, 2, 12}, {2, 8, 4}};
  for (const char* s : {"REMI", "TSD", "MIDILike"}) {
    auto tok = Tokenizer::create(s, c);
    const std::string path = (test::scratch_dir("tokenizer-save") / "tokenizer.json").string();
    tok->save(path);
    std::ifstream in(path);
    const auto j = nlohmann::ordered_json::parse(in);
    EXPECT_EQ(j["tokenization"], s);
    EXPECT_TRUE(j["config"]["beat_res"].contains("0_2"));
    EXPECT_EQ(j["config"]["beat_res"]["2_8"], 4);
    auto back = Tokenizer::load(path);
    EXPECT_EQ(back->name(), tok->name());
    EXPECT_EQ(back->vocab().texts(), tok->vocab().texts());
  }
}

TEST(TokenizerBadInput, LoadsMidiTok2TokenizerJson) {
  HARMONIA_REQUIRE_SHARED();
  const auto root = test::shared_dir() / "data" / "miditok-reference" / "2.1.8";
  for (const char* config : {"REMI", "TSD", "MIDILike", "CPWord", "Octuple", "REMI-chords-tempos-timesigs-programs"}) {
    auto tok = Tokenizer::load((root / config / "tokenizer.json").string());
    EXPECT_EQ(tok->config().special_tokens.front(), "PAD_None") << config;
    EXPECT_GT(tok->vocab_size(), 100u) << config;
  }
}

}  // namespace

// Found by fuzzing tokenizer.json: a config listing a program twice made the vocabulary
// builder throw std::logic_error, which escaped from_json (the caller expects TokenizerError).
TEST(TokenizerBadInput, ConfigListingAValueTwiceIsAClearError) {
  auto j = Tokenizer::create("REMI")->to_json();
  j["config"]["use_programs"] = true;
  j["config"]["programs"] = {0, 10, 10};
  try {
    Tokenizer::from_json(j, "dup.json");
    FAIL() << "loaded";
  } catch (const TokenizerError& e) {
    EXPECT_NE(std::string(e.what()).find("dup.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Program_10"), std::string::npos) << e.what();
  }
}

// Found by fuzzing tokenizer.json: a beat_res resolution of 0 reached the time tables'
// division before the config was validated (SIGFPE); now the config is refused first.
TEST(TokenizerBadInput, ZeroResolutionIsRefusedBeforeAnythingDividesByIt) {
  auto j = Tokenizer::create("TSD")->to_json();
  j["config"]["beat_res"] = {{"0_4", 0}};
  try {
    Tokenizer::from_json(j, "zero.json");
    FAIL() << "loaded";
  } catch (const TokenizerError& e) {
    EXPECT_NE(std::string(e.what()).find("resolution"), std::string::npos) << e.what();
  }
}
