#include "ui/pages/token_meaning.hpp"

#include <QObject>
#include <QStringList>

namespace harmonia::ui {

namespace {

// MidiTok writes times as "beats.ticks.resolution": 1.2.8 is 1 beat and 2/8 of a beat.
QString beatsText(const QString& value) {
  const QStringList p = value.split('.');
  if (p.size() != 3) return value;
  const int beats = p[0].toInt(), ticks = p[1].toInt(), res = p[2].toInt();
  QString out;
  if (beats) out = beats == 1 ? QObject::tr("1 beat") : QObject::tr("%1 beats").arg(beats);
  if (ticks && res) {
    const QString frac = QObject::tr("%1/%2 of a beat").arg(ticks).arg(res);
    out = out.isEmpty() ? frac : QObject::tr("%1 and %2").arg(out, frac);
  }
  return out.isEmpty() ? QObject::tr("no time") : out;
}

}  // namespace

QString pitchName(int pitch) {
  static const char* const kNames[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
  if (pitch < 0 || pitch > 127) return QString::number(pitch);
  return QStringLiteral("%1%2").arg(QLatin1String(kNames[pitch % 12])).arg(pitch / 12 - 1);
}

QString tokenMeaning(const QString& token) {
  const QString type = token.section('_', 0, 0);
  const QString value = token.section('_', 1);
  const int n = value.toInt();
  if (type == "Bar") return QObject::tr("Bar: a new bar starts");
  if (type == "Position") return QObject::tr("Position: what follows starts at step %1 of the bar").arg(value);
  if (type == "Pitch") return QObject::tr("Pitch: the note %1 (MIDI pitch %2)").arg(pitchName(n)).arg(n);
  if (type == "PitchDrum" || type == "DrumOn") return QObject::tr("Drum: drum sound %1 is hit").arg(n);
  if (type == "DrumOff") return QObject::tr("Drum off: drum sound %1 ends").arg(n);
  if (type == "NoteOn") return QObject::tr("Note on: the note %1 (MIDI pitch %2) starts").arg(pitchName(n)).arg(n);
  if (type == "NoteOff") return QObject::tr("Note off: the note %1 (MIDI pitch %2) stops").arg(pitchName(n)).arg(n);
  if (type == "Velocity") return QObject::tr("Velocity: how hard the note is played, %1 of 127").arg(n);
  if (type == "Duration") return QObject::tr("Duration: the note lasts %1").arg(beatsText(value));
  if (type == "TimeShift") return QObject::tr("Time shift: time moves on by %1").arg(beatsText(value));
  if (type == "Rest") return QObject::tr("Rest: silence for %1").arg(beatsText(value));
  if (type == "Tempo") return QObject::tr("Tempo: %1 beats per minute from here").arg(value);
  if (type == "TimeSig") return QObject::tr("Time signature: %1 from here").arg(value);
  if (type == "Program")
    return n < 0 ? QObject::tr("Program: the drums play what follows")
                 : QObject::tr("Program: instrument %1 (General MIDI) plays what follows").arg(n);
  if (type == "Chord") return QObject::tr("Chord: the notes that follow form a %1 chord").arg(value);
  if (type == "Family")
    return value == "Note" ? QObject::tr("Family: this compound token is a note")
                           : QObject::tr("Family: this compound token marks a bar or a position, not a note");
  if (type == "Ignore") return QObject::tr("Ignore: this field says nothing in this compound token");
  if (type == "PAD" || type == "BOS" || type == "EOS" || type == "MASK")
    return QObject::tr("Special token (%1): used by the model, not music").arg(type);
  return QObject::tr("%1 token").arg(type);
}

}  // namespace harmonia::ui
