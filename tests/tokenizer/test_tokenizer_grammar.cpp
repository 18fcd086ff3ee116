// Token-type grammar per scheme, as exposed to constrained decoding.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/tokenizer/tokenizer.hpp"

using namespace harmonia::tokenizer;

namespace {

std::vector<std::string> allowed_types_after(const Tokenizer& tok, const std::string& token) {
  const auto mask = tok.grammar().next_mask(tok.vocab(), tok.vocab().id(token));
  std::set<std::string> types;
  for (size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) types.insert(TokenGrammar::type_of(tok.vocab().text(int(i))));
  return {types.begin(), types.end()};
}

TEST(TokenizerGrammar, RemiDefault) {
  auto tok = Tokenizer::create("REMI");
  using V = std::vector<std::string>;
  EXPECT_EQ(allowed_types_after(*tok, "Pitch_60"), (V{"EOS", "MASK", "PAD", "Velocity"}));
  EXPECT_EQ(allowed_types_after(*tok, "Velocity_127"), (V{"Duration", "EOS", "MASK", "PAD"}));
  EXPECT_EQ(allowed_types_after(*tok, "Duration_1.0.8"), (V{"Bar", "EOS", "MASK", "PAD", "Pitch", "PitchDrum", "Position"}));
  EXPECT_EQ(allowed_types_after(*tok, "Position_3"), (V{"EOS", "MASK", "PAD", "Pitch", "PitchDrum"}));
  EXPECT_EQ(allowed_types_after(*tok, "EOS_None"), V{});
  // BOS never follows anything; EOS may end any token.
  for (const auto& [from, next] : tok->grammar().graph()) EXPECT_EQ(next.count("BOS"), 0u) << from;
  EXPECT_TRUE(tok->grammar().allowed("Duration", "EOS"));
  // Everything is allowed at the start of a sequence.
  const auto start = tok->grammar().next_mask(tok->vocab(), -1);
  EXPECT_EQ(std::count(start.begin(), start.end(), true), long(tok->vocab().size()));
}

TEST(TokenizerGrammar, OptionsAddTheirTypes) {
  TokenizerConfig c;
  c.use_tempos = true;
  c.use_time_signatures = true;
  c.use_chords = true;
  c.use_programs = true;
  auto remi = Tokenizer::create("REMI", c);
  EXPECT_TRUE(remi->grammar().allowed("Bar", "TimeSig"));
  EXPECT_FALSE(remi->grammar().allowed("Bar", "Position"));
  EXPECT_TRUE(remi->grammar().allowed("Position", "Tempo"));
  EXPECT_TRUE(remi->grammar().allowed("Program", "Pitch"));
  EXPECT_TRUE(remi->grammar().allowed("Chord", "Program"));
  EXPECT_FALSE(remi->grammar().allowed("Pitch", "Pitch"));
  auto midilike = Tokenizer::create("MIDILike", c);
  EXPECT_TRUE(midilike->grammar().allowed("TimeShift", "Program"));
  EXPECT_TRUE(midilike->grammar().allowed("Program", "NoteOff"));
  EXPECT_TRUE(midilike->grammar().allowed("Program", "DrumOff"));
  auto tsd = Tokenizer::create("TSD");
  EXPECT_TRUE(tsd->grammar().allowed("TimeShift", "TimeShift"));
  EXPECT_FALSE(tsd->grammar().allowed("TimeShift", "Velocity"));
}

TEST(TokenizerGrammar, CountsErrorsInIllFormedSequences) {
  auto tok = Tokenizer::create("REMI");
  auto seq = tok->from_strings({"Bar_None", "Position_0", "Pitch_60", "Velocity_127", "Duration_1.0.8"});
  EXPECT_EQ(tok->grammar().count_errors(tok->vocab(), seq.ids), 0u);
  seq = tok->from_strings({"Bar_None", "Pitch_60", "Duration_1.0.8", "Velocity_127", "Nonsense_1"});
  EXPECT_EQ(tok->grammar().count_errors(tok->vocab(), seq.ids), 4u);  // Bar>Pitch, Pitch>Duration, Duration>Velocity, invalid
}

TEST(TokenizerGrammar, CompoundSchemes) {
  auto cp = Tokenizer::create("CPWord");
  EXPECT_TRUE(cp->grammar().allowed("Bar", "Position"));
  EXPECT_TRUE(cp->grammar().allowed("Position", "Pitch"));
  EXPECT_FALSE(cp->grammar().allowed("Position", "Position"));
  auto oct = Tokenizer::create("Octuple");
  EXPECT_TRUE(oct->grammar().empty());  // every step is a full note
}

}  // namespace
