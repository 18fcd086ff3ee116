#include "ui/help_guide.hpp"

#include <QAction>
#include <QDialog>
#include <QMainWindow>
#include <QShortcut>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <map>

namespace harmonia::ui {

namespace {

const char* const kGuideName = "helpGuide";

QString plainActionText(const QAction* a) {
  QString t = a->text();
  t.replace(QLatin1String("&&"), QStringLiteral("\x01"));
  t.remove(QLatin1Char('&'));
  t.replace(QLatin1Char('\x01'), QLatin1Char('&'));
  t.remove(QStringLiteral("…"));
  return t.toHtmlEscaped();
}

QString shortcutRows(const QMainWindow* window) {
  std::map<QString, QString> rows;  // shortcut → what it does, sorted by shortcut
  for (const QAction* a : window->findChildren<QAction*>()) {
    if (a->shortcut().isEmpty() || a->text().isEmpty()) continue;
    rows.emplace(a->shortcut().toString(QKeySequence::NativeText), plainActionText(a));
  }
  // A page's own shortcuts (QShortcut) say what they do in their What's This text.
  for (const QShortcut* s : window->findChildren<QShortcut*>())
    if (!s->key().isEmpty() && !s->whatsThis().isEmpty())
      rows.emplace(s->key().toString(QKeySequence::NativeText), s->whatsThis().toHtmlEscaped());
  QString out;
  for (const auto& [key, what] : rows)
    out += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(key.toHtmlEscaped(), what);
  return out;
}

}  // namespace

namespace HelpGuide {

QString html(const QMainWindow* window) {
  return QObject::tr(
             "<h2>Harmonia Studio guide</h2>"
             "<p>The studio goes from MIDI files to a music model you train yourself, in four steps. "
             "The sidebar shows each step's state; errors appear in a red banner at the top of the page "
             "they concern (select the text to copy it, ✕ to close it).</p>"

             "<h3>1. Dataset</h3>"
             "<p>Choose a folder of MIDI files (or the default corpus Debian installs) and press <b>Import</b>. "
             "Each file is read, checked and turned into tokens; the table says which files are kept and why "
             "others are skipped. The charts show how long the pieces are (in tokens) and which pitches they "
             "use. A second import of the same folder is answered from a cache.</p>"

             "<h3>2. Tokenizer: what is a token?</h3>"
             "<p>A language model reads a sequence of symbols from a fixed vocabulary. A <b>token</b> is one "
             "such symbol for music. In REMI every bar starts with <i>Bar_None</i> and a note is written as "
             "<i>Position_8</i> (where in the bar), <i>Pitch_60</i> (middle C), <i>Velocity_111</i> (how "
             "hard), <i>Duration_0.4.8</i> (how long: half a beat). "
             "A scheme decides which tokens exist: REMI writes bars and positions, TSD and MIDILike write "
             "time shifts, CPWord and Octuple pack one note into one compound token. The live preview shows "
             "a file as tokens; the model will only ever see these.</p>"

             "<h3>3. Model &amp; Training: what is the loss?</h3>"
             "<p>Training shows the model pieces of the dataset and, at every position, asks it to guess "
             "the next token. The <b>loss</b> (cross-entropy) measures how surprised it was by the real "
             "next token: lower is better. A model that guesses evenly among N tokens scores ln N "
             "(5.7 for 300 tokens); a model that has learned something goes well below. The blue curve is "
             "the loss on the training pieces, the orange dots the loss on pieces kept aside "
             "(<b>validation</b>): when the dots rise while the curve keeps falling, the model is learning "
             "the training pieces by heart. <b>Pause</b>, <b>Resume</b> and <b>Cancel</b> keep the saved "
             "checkpoints.</p>"

             "<h3>4. Generate &amp; Play</h3>"
             "<p>Choose a model, optionally open a MIDI file as a prompt (its first bars), and press "
             "<b>Generate</b>: the model writes new tokens one at a time, turned back into notes in the "
             "piano roll. <b>Temperature</b> above 1 surprises more, below 1 plays safer; <b>Top-k</b> and "
             "<b>Top-p</b> only let the likeliest tokens be chosen; the <b>Seed</b> makes a result "
             "repeatable. <b>Continue</b> adds to what the roll shows. Play uses FluidSynth with the "
             "SoundFont chosen in <b>Playback › SoundFont</b> (or an external MIDI port); Export writes "
             ".mid or .wav.</p>"

             "<h3>Keyboard shortcuts</h3>"
             "<table cellspacing='6'>%1"
             "<tr><td><b>Ctrl+wheel</b></td><td>Zoom the piano roll</td></tr></table>")
      .arg(shortcutRows(window));
}

QWidget* show(QMainWindow* window) {
  auto* dialog = window->findChild<QDialog*>(QLatin1String(kGuideName));
  if (!dialog) {
    dialog = new QDialog(window);
    dialog->setObjectName(QLatin1String(kGuideName));
    dialog->setWindowTitle(QObject::tr("Harmonia Studio Guide"));
    auto* layout = new QVBoxLayout(dialog);
    auto* text = new QTextBrowser;
    text->setOpenExternalLinks(true);
    layout->addWidget(text);
    dialog->resize(640, 600);
  }
  // Written each time: the shortcut list follows the menus as they are now.
  dialog->findChild<QTextBrowser*>()->setHtml(html(window));
  dialog->show();
  dialog->raise();
  dialog->activateWindow();
  return dialog;
}

}  // namespace HelpGuide

}  // namespace harmonia::ui
