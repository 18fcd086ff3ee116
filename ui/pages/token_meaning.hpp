// What a token string means, in words for a student, for the Tokenizer page's chip tooltips:
// "Pitch_60" is "the note C4 (MIDI pitch 60)", "Duration_1.0.8" "how long the note lasts:
// 1 beat". Read from the token's own text (MidiTok's TYPE_VALUE form); unknown types get a
// generic line rather than nothing.
#pragma once

#include <QString>

namespace harmonia::ui {

// One line: what `token` says ("Pitch_60" -> "Pitch: the note C4 (MIDI pitch 60)").
QString tokenMeaning(const QString& token);
// Note name of a MIDI pitch: 60 -> "C4".
QString pitchName(int pitch);

}  // namespace harmonia::ui
