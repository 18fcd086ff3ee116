// decode(encode(x)) == x up to the documented quantization: onsets on the position grid,
// durations to the closest Duration bin (MIDILike: the grid), velocities to the closest
// bin, pitches outside the range dropped, Octuple clipped to max_bar_embedding bars.
// The expected values are computed here from the config, independently of the encoder.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/midi/midi_file.hpp"
#include "core/tokenizer/score_loader.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "test_paths.hpp"

using namespace harmonia;
using namespace harmonia::tokenizer;

namespace {

using NoteKey = std::tuple<int64_t, int, int64_t, int>;  // time, pitch, duration, velocity
using Notes = std::map<std::pair<int, bool>, std::vector<NoteKey>>;

int closest(const std::vector<int>& bins, long v) {
  int best = bins[0];
  for (int b : bins)
    if (std::labs(b - v) <= std::labs(best - v)) best = b;  // ties: the larger bin
  return best;
}

// What the decoded score should hold, from the definition of the quantization.
Notes expected_notes(const Tokenizer& tok, const midi::Score& in) {
  const auto& c = tok.config();
  const int tpq = tok.tables().time_division;
  const double scale = double(tpq) / in.ticks_per_quarter;
  std::vector<int> dur_bins;
  for (const auto& d : tok.tables().durations) dur_bins.push_back((d[0] * d[2] + d[1]) * tpq / d[2]);
  Notes out;
  const bool octuple = tok.name() == "Octuple";
  const int64_t clip = octuple ? int64_t(*c.max_bar_embedding) * 4 * tpq : INT64_MAX;
  for (const auto& t : in.tracks) {
    const auto range = t.is_drum ? c.drums_pitch_range : c.pitch_range;
    for (const auto& n : t.notes) {
      if (n.pitch < range.first || n.pitch > range.second) continue;
      const int64_t time = std::llround(n.time * scale);
      if (time >= clip) continue;
      int64_t dur = tpq == in.ticks_per_quarter ? n.duration : std::max<int64_t>(1, std::llround(n.duration * scale));
      if (tok.name() != "MIDILike") dur = closest(dur_bins, long(dur));
      out[{t.is_drum ? 0 : t.program, t.is_drum}].push_back({time, n.pitch, dur, closest(tok.tables().velocities, n.velocity)});
    }
  }
  if (tok.name() == "MIDILike") {
    // NoteOn/NoteOff cannot tell overlapping notes of one pitch apart: the decoder pairs
    // them first-in-first-out, so the k-th onset of a pitch gets the k-th note-off.
    for (auto& [key, notes] : out) {
      std::map<int, std::vector<size_t>> by_pitch;
      for (size_t i = 0; i < notes.size(); ++i) by_pitch[std::get<1>(notes[i])].push_back(i);
      for (auto& [pitch, idx] : by_pitch) {
        std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return std::get<0>(notes[a]) < std::get<0>(notes[b]); });
        std::vector<int64_t> ends;
        for (size_t i : idx) ends.push_back(std::get<0>(notes[i]) + std::get<2>(notes[i]));
        std::sort(ends.begin(), ends.end());
        for (size_t k = 0; k < idx.size(); ++k) std::get<2>(notes[idx[k]]) = ends[k] - std::get<0>(notes[idx[k]]);
      }
    }
  }
  for (auto& [k, v] : out) std::sort(v.begin(), v.end());
  for (auto it = out.begin(); it != out.end();) it = it->second.empty() ? out.erase(it) : std::next(it);
  return out;
}

Notes notes_of(const midi::Score& s) {
  Notes out;
  for (const auto& t : s.tracks)
    for (const auto& n : t.notes) out[{t.is_drum ? 0 : t.program, t.is_drum}].push_back({n.time, n.pitch, n.duration, n.velocity});
  for (auto& [k, v] : out) std::sort(v.begin(), v.end());
  return out;
}

midi::Score synthetic_score() {
  midi::Score s;
  s.ticks_per_quarter = 480;
  midi::Track piano;
  piano.program = 0;
  // chords, repeated pitches, a long note, odd offsets, out-of-range pitches
  for (int bar = 0; bar < 6; ++bar) {
    const int64_t t0 = bar * 1920;
    for (int p : {60, 64, 67}) piano.notes.push_back({t0, 900, p, 90});
    piano.notes.push_back({t0 + 240, 120, 72, 40});
    piano.notes.push_back({t0 + 241, 61, 72, 41});
    piano.notes.push_back({t0 + 1000, 7000, 48, 127});
    piano.notes.push_back({t0 + 500, 200, 10, 64});   // below pitch range: dropped
    piano.notes.push_back({t0 + 500, 200, 120, 64});  // above: dropped
  }
  midi::Track bass;
  bass.program = 33;
  for (int i = 0; i < 40; ++i) bass.notes.push_back({i * 240 + 13, 230, 36 + i % 12, 20 + i * 2});
  midi::Track drums;
  drums.is_drum = true;
  drums.channel = 9;
  for (int i = 0; i < 50; ++i) drums.notes.push_back({i * 120, 60, i % 2 ? 36 : 42, 100});
  s.tracks = {piano, bass, drums};
  s.sort_events();
  return s;
}

class RoundTrip : public ::testing::TestWithParam<std::string> {};

void check_round_trip(const Tokenizer& tok, const midi::Score& score, const std::string& what) {
  const Encoding enc = tok.encode(score);
  DecodeReport report;
  const midi::Score back = tok.decode(enc.sequences, enc.programs, &report);
  EXPECT_EQ(report.tokens_dropped, 0u) << what;
  EXPECT_EQ(back.ticks_per_quarter, tok.tables().time_division);
  const Notes want = expected_notes(tok, score), got = notes_of(back);
  ASSERT_EQ(got.size(), want.size()) << what << ": tracks";
  for (const auto& [key, notes] : want) {
    ASSERT_TRUE(got.count(key)) << what << ": program " << key.first;
    const auto& g = got.at(key);
    ASSERT_EQ(g.size(), notes.size()) << what << ": program " << key.first;
    for (size_t i = 0; i < notes.size(); ++i) ASSERT_EQ(g[i], notes[i]) << what << ": program " << key.first << " note " << i;
  }
  // Every encoded sequence follows the scheme's grammar.
  for (const auto& seq : enc.sequences)
    if (!tok.is_compound()) EXPECT_EQ(tok.grammar().count_errors(tok.vocab(), seq.ids), 0u) << what;
}

TEST_P(RoundTrip, SyntheticScoreComesBackQuantized) {
  auto tok = Tokenizer::create(GetParam());
  check_round_trip(*tok, synthetic_score(), "synthetic");
}

TEST_P(RoundTrip, WithProgramsInOneStream) {
  TokenizerConfig c;
  c.use_programs = true;
  if (GetParam() == "CPWord" || GetParam() == "Octuple") {
    // Compound schemes carry the program per note; a merged stream is refused, not ignored.
    EXPECT_THROW(Tokenizer::create(GetParam(), c), TokenizerError);
    c.one_token_stream_for_programs = false;
    auto tok = Tokenizer::create(GetParam(), c);
    EXPECT_FALSE(tok->one_token_stream());
    check_round_trip(*tok, synthetic_score(), "programs per track");
    return;
  }
  auto tok = Tokenizer::create(GetParam(), c);
  EXPECT_TRUE(tok->one_token_stream());
  check_round_trip(*tok, synthetic_score(), "programs");
}

TEST_P(RoundTrip, RealFilesComeBackQuantized) {
  HARMONIA_REQUIRE_SHARED();
  auto tok = Tokenizer::create(GetParam());
  const auto dir = test::shared_dir() / "data" / "midi" / "miditok-tests";
  for (const char* f : {"MIDIs_one_track/POP909_008.mid", "MIDIs_multitrack/Funkytown.mid", "MIDIs_one_track/Maestro_1.mid"})
    check_round_trip(*tok, load_score_file_for_tokenizer((dir / f).string()), f);
}

// Our decoder against MidiTok's own decoder output (the .decoded.mid reference files).
TEST_P(RoundTrip, DecodesLikeMidiTok) {
  HARMONIA_REQUIRE_SHARED();
  const auto ref_dir = test::shared_dir() / "data" / "miditok-reference" / "3.0.6.post1" / GetParam();
  auto tok = Tokenizer::load((ref_dir / "tokenizer.json").string());
  const auto midi_dir = test::shared_dir() / "data" / "midi" / "miditok-tests";
  for (const char* f : {"MIDIs_one_track/POP909_008.mid", "MIDIs_multitrack/Funkytown.mid"}) {
    const auto enc = tok->encode(load_score_file_for_tokenizer((midi_dir / f).string()));
    // Both sides go through a MIDI file: overlapping same-pitch notes are re-paired by any
    // MIDI reader, so only file-to-file comparison is meaningful.
    const auto bytes = midi::write_midi(tok->decode(enc.sequences, enc.programs));
    const midi::Score ours = midi::read_midi(bytes.data(), bytes.size(), "decoded");
    const midi::Score theirs = midi::read_midi_file((ref_dir / (std::string(f) + ".decoded.mid")).string());
    ASSERT_EQ(theirs.ticks_per_quarter, ours.ticks_per_quarter) << f;
    const Notes a = notes_of(ours), b = notes_of(theirs);
    size_t na = 0, nb = 0;
    for (const auto& [k, v] : a) na += v.size();
    for (const auto& [k, v] : b) nb += v.size();
    EXPECT_EQ(na, nb) << f;
    for (const auto& [key, notes] : b) {
      ASSERT_TRUE(a.count(key)) << f << " program " << key.first << (key.second ? " (drums)" : "");
      const auto& mine = a.at(key);
      EXPECT_EQ(mine.size(), notes.size()) << f << " program " << key.first;
      if (tok->name() == "MIDILike") {
        // Same-pitch overlaps are re-paired by whichever writer/reader touched the file:
        // compare onsets (with velocity) and offsets separately.
        auto split = [](const std::vector<NoteKey>& v) {
          std::vector<std::tuple<int64_t, int, int>> on;
          std::vector<std::pair<int, int64_t>> off;
          for (const auto& [t, p, d, vel] : v) {
            on.push_back({t, p, vel});
            off.push_back({p, t + d});
          }
          std::sort(on.begin(), on.end());
          std::sort(off.begin(), off.end());
          return std::make_pair(on, off);
        };
        EXPECT_TRUE(split(mine) == split(notes)) << f << " program " << key.first;
        continue;
      }
      for (size_t i = 0; i < std::min(mine.size(), notes.size()); ++i) {
        EXPECT_EQ(mine[i], notes[i]) << f << " program " << key.first << " note " << i;
        if (mine[i] != notes[i]) break;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Schemes, RoundTrip, ::testing::Values("REMI", "TSD", "MIDILike", "CPWord", "Octuple"));

// One stream with programs, chords, tempos and time signatures, against MidiTok's decoder.
TEST(RoundTrip, DecodesLikeMidiTokWithTemposAndTimeSignatures) {
  HARMONIA_REQUIRE_SHARED();
  const auto ref_dir = test::shared_dir() / "data" / "miditok-reference" / "3.0.6.post1" / "REMI-chords-tempos-timesigs-programs";
  auto tok = Tokenizer::load((ref_dir / "tokenizer.json").string());
  const auto midi_dir = test::shared_dir() / "data" / "midi" / "miditok-tests";
  for (const char* f : {"MIDIs_one_track/POP909_008.mid", "MIDIs_multitrack/Funkytown.mid", "MIDIs_one_track/6338816_Etude No. 4.mid"}) {
    const auto enc = tok->encode(load_score_file_for_tokenizer((midi_dir / f).string()));
    DecodeReport report;
    const auto bytes = midi::write_midi(tok->decode(enc.sequences, enc.programs, &report));
    EXPECT_EQ(report.tokens_dropped, 0u) << f;
    const midi::Score ours = midi::read_midi(bytes.data(), bytes.size(), "decoded");
    const midi::Score theirs = midi::read_midi_file((ref_dir / (std::string(f) + ".decoded.mid")).string());
    EXPECT_EQ(notes_of(ours), notes_of(theirs)) << f;
    ASSERT_EQ(ours.time_signatures.size(), theirs.time_signatures.size()) << f;
    for (size_t i = 0; i < ours.time_signatures.size(); ++i) EXPECT_EQ(ours.time_signatures[i], theirs.time_signatures[i]) << f;
    ASSERT_EQ(ours.tempos.size(), theirs.tempos.size()) << f;
    for (size_t i = 0; i < ours.tempos.size(); ++i) {
      EXPECT_EQ(ours.tempos[i].time, theirs.tempos[i].time) << f;
      EXPECT_NEAR(ours.tempos[i].qpm(), theirs.tempos[i].qpm(), 0.01) << f;
    }
  }
}

TEST(RoundTrip, RestsForTimeShiftSchemes) {
  TokenizerConfig c;
  c.use_rests = true;
  for (const char* scheme : {"TSD", "MIDILike"}) {
    auto tok = Tokenizer::create(scheme, c);
    const auto enc = tok->encode(synthetic_score());
    size_t rests = 0;
    for (const auto& seq : enc.sequences)
      for (const auto& t : tok->strings(seq)) rests += t.rfind("Rest_", 0) == 0;
    EXPECT_GT(rests, 0u) << scheme;
    check_round_trip(*tok, synthetic_score(), std::string(scheme) + " with rests");
  }
  for (const char* scheme : {"REMI", "CPWord", "Octuple"}) EXPECT_THROW(Tokenizer::create(scheme, c), TokenizerError) << scheme;
}

TEST(RoundTrip, RemoveDuplicatedNotes) {
  midi::Score s;
  s.ticks_per_quarter = 8;
  midi::Track t;
  t.notes = {{0, 8, 60, 90}, {0, 4, 60, 50}, {0, 8, 64, 90}, {8, 8, 60, 90}};
  s.tracks.push_back(t);
  TokenizerConfig c;
  for (bool dedupe : {false, true}) {
    c.remove_duplicated_notes = dedupe;
    for (const char* scheme : {"REMI", "TSD", "MIDILike", "CPWord", "Octuple"}) {
      auto tok = Tokenizer::create(scheme, c);
      const auto enc = tok->encode(s);
      EXPECT_EQ(tok->decode(enc.sequences, enc.programs).note_count(), dedupe ? 3u : 4u) << scheme;
    }
  }
}

TEST(RoundTrip, TokenStringsRoundTrip) {
  for (const char* scheme : {"REMI", "CPWord", "Octuple"}) {
    auto tok = Tokenizer::create(scheme);
    const auto enc = tok->encode(synthetic_score());
    for (const auto& seq : enc.sequences) {
      const TokSequence back = tok->from_strings(tok->strings(seq));
      EXPECT_EQ(back.ids, seq.ids) << scheme;
      EXPECT_EQ(back.fields, seq.fields) << scheme;
    }
  }
}

}  // namespace
