#pragma once
// The tokenizer page driven like a user: pick schemes, see chips and the piano roll, get a
// clear error for options that do not go together, save and load tokenizer.json, train a
// BPE tokenizer from the dataset (issue 16).
#include <QCheckBox>
#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "core/generate/music_recipe.hpp"
#include "core/midi/midi_file.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "core/tokenizer/tokenizer_training.hpp"
#include <nlohmann/json.hpp>
#include "ui/bridge/corpus_shape.hpp"
#include "ui/widgets/piano_roll_widget.hpp"
#include "ui/pages/tokenizer_page.hpp"
#include "ui/pages/tokenizer_training_panel.hpp"
#include "ui_test_support.hpp"

using harmonia::ui::StepState;
using harmonia::ui::TokenizerPage;
using harmonia::ui::TokenizerTrainingPanel;
using harmonia::ui::test::someMidiFiles;
using harmonia::ui::test::waitUntil;

class TestTokenizerPage final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    files_ = someMidiFiles(3);
    if (files_.isEmpty()) QSKIP("no MIDI files on this machine");
  }

  void previewShowsChipsAndNotes() {
    TokenizerPage page;
    page.show();
    page.setFiles(files_);
    QVERIFY(waitUntil([&] { return page.isIdle(); }));
    QVERIFY(page.preview().error.isEmpty());
    QVERIFY(!page.preview().chips.empty());
    QCOMPARE(page.preview().chips.front().text, QStringLiteral("Bar_None"));  // REMI starts with a bar
    QVERIFY(page.preview().totalTokens >= page.preview().chips.size());
    auto* roll = page.findChild<harmonia::ui::PianoRollWidget*>();
    QVERIFY(roll);
    QCOMPARE(roll->notes().size(), page.preview().score.note_count());
    QVERIFY(roll->notes().size() > 0);
    QCOMPARE(int(page.stats().files), int(files_.size()));
    QVERIFY(page.stats().minTokens <= page.stats().maxTokens);
    QCOMPARE(page.state(), StepState::Done);
  }

  void everySchemeEncodesThePreview() {
    TokenizerPage page;
    page.setFiles(files_.mid(0, 1));
    for (const QString scheme : {"REMI", "TSD", "MIDILike", "CPWord", "Octuple"}) {
      QVERIFY(page.selectScheme(scheme));
      QVERIFY(waitUntil([&] { return page.isIdle(); }));
      QVERIFY2(page.tokenizer(), qPrintable(scheme));
      QCOMPARE(QString::fromStdString(page.tokenizer()->name()).toLower(), scheme.toLower());
      QVERIFY2(!page.preview().chips.empty(), qPrintable(scheme));
      QVERIFY(!TokenizerPage::schemeExplanation(scheme).isEmpty());
    }
    // TSD has no Bar tokens, MIDILike speaks in NoteOn/NoteOff.
    page.selectScheme("MIDILike");
    QVERIFY(waitUntil([&] { return page.isIdle(); }));
    bool sawNoteOn = false;
    for (const auto& c : page.preview().chips) sawNoteOn |= c.type == "NoteOn";
    QVERIFY(sawNoteOn);
  }

  void optionsChangeTheVocabulary() {
    TokenizerPage page;
    const size_t plain = page.tokenizer()->vocab_size();
    auto* tempos = page.findChild<QCheckBox*>();
    QVERIFY(tempos);
    for (auto* box : page.findChildren<QCheckBox*>())
      if (box->text() == "Tempos") box->setChecked(true);
    QVERIFY(page.tokenizer());
    QVERIFY(page.tokenizer()->vocab_size() > plain);
    QVERIFY(page.tokenizer()->config().use_tempos);
  }

  // Issue 21: options a scheme cannot take are greyed with a plain-words reason taken from the
  // core tokenizer's own validation (was: tick, then "use_rests (TSD and MIDILike only) is not
  // supported by this implementation (CPWord). Untick the last option you changed.").
  void refusedOptionsAreGreyedWithAReason() {
    TokenizerPage page;
    const auto box = [&](const QString& text) {
      for (auto* b : page.findChildren<QCheckBox*>())
        if (b->text() == text) return b;
      return static_cast<QCheckBox*>(nullptr);
    };
    QCheckBox* rests = box("Rests");
    QCheckBox* sustain = box("Sustain pedal");
    QVERIFY(rests && sustain);
    QVERIFY(page.selectScheme("CPWord"));
    QVERIFY(!rests->isEnabled());
    QVERIFY2(rests->toolTip().contains("not available with CPWord") && rests->toolTip().contains("TSD and MIDILike"),
             qPrintable(rests->toolTip()));
    QVERIFY(!sustain->isEnabled());  // no scheme has it: said as such
    QVERIFY2(sustain->toolTip().contains("not available yet"), qPrintable(sustain->toolTip()));
    // Every option still enabled is one the core accepts on top of the current ones.
    for (auto* b : page.findChildren<QCheckBox*>()) {
      if (!b->isEnabled() || b->isChecked()) continue;
      b->setChecked(true);
      QVERIFY2(page.tokenizer(), qPrintable(b->text()));
      QCOMPARE(page.state(), StepState::Done);
      b->setChecked(false);
    }
    // Rests are fine with TSD; switching to CPWord unticks them and says why, no error.
    QVERIFY(page.selectScheme("TSD"));
    QVERIFY(rests->isEnabled());
    QVERIFY(!rests->toolTip().isEmpty());
    rests->setChecked(true);
    QVERIFY(page.tokenizer() && page.tokenizer()->config().use_rests);
    QSignalSpy status(&page, &TokenizerPage::statusMessage);
    QVERIFY(page.selectScheme("CPWord"));
    QVERIFY(page.tokenizer());
    QCOMPARE(page.state(), StepState::Done);
    QVERIFY(!rests->isChecked());
    bool said = false;
    for (auto* l : page.findChildren<QLabel*>()) said |= l->text().contains("Unticked") && l->text().contains("Rests");
    QVERIFY(said);
    for (const auto& args : status) QVERIFY2(!args.first().toString().contains("Untick the last"), qPrintable(args.first().toString()));
  }

  // Issue 21: a compound token is one chip made of its fields, one per note for Octuple; every
  // chip says what it means in its tooltip.
  void compoundTokensAreOneChipPerNoteWithTooltips() {
    TokenizerPage page;
    page.setFiles(files_.mid(0, 1));
    for (const QString scheme : {"CPWord", "Octuple"}) {
      QVERIFY(page.selectScheme(scheme));
      QVERIFY(waitUntil([&] { return page.isIdle(); }));
      const auto& chips = page.preview().chips;
      QVERIFY(!chips.empty());
      size_t noteChips = 0;
      for (const auto& c : chips) {
        if (!c.text.contains("Pitch_")) continue;
        ++noteChips;
        QVERIFY2(c.parts.size() >= 3, qPrintable(c.text));  // pitch, velocity, duration... in one chip
        QVERIFY2(c.toolTip.contains("one note"), qPrintable(c.toolTip));
        QCOMPARE(int(c.notes.size()), 1);  // its note
        const int pitch = c.text.section("Pitch_", 1).section(' ', 0, 0).toInt();
        const auto& n = page.preview().score.tracks[size_t(c.notes[0].track)].notes[size_t(c.notes[0].index)];
        QCOMPARE(n.pitch, pitch);
      }
      QVERIFY2(noteChips > 0, qPrintable(scheme));
      if (scheme == "Octuple") QCOMPARE(noteChips, chips.size());  // Octuple: every token is a note
    }
    for (const QString scheme : {"REMI", "TSD", "MIDILike"}) {
      QVERIFY(page.selectScheme(scheme));
      QVERIFY(waitUntil([&] { return page.isIdle(); }));
      for (const auto& c : page.preview().chips)
        QVERIFY2(c.toolTip.startsWith(c.text + "\n") && c.toolTip.size() > c.text.size() + 8, qPrintable(c.text));
    }
  }

  // Issue 21: hover a chip and its note is ringed in the roll; click a note and its chips are.
  void chipsAndNotesHighlightEachOther() {
    TokenizerPage page;
    page.resize(1200, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.setFiles(files_.mid(0, 1));
    QVERIFY(waitUntil([&] { return page.isIdle(); }));
    for (const QString scheme : {"REMI", "MIDILike", "Octuple"}) {
      QVERIFY(page.selectScheme(scheme));
      QVERIFY(waitUntil([&] { return page.isIdle(); }));
      const auto& chips = page.preview().chips;
      const QString pitchType = scheme == "MIDILike" ? "NoteOn_" : "Pitch_";
      int chip = -1;
      for (size_t i = 0; i < chips.size() && chip < 0; ++i)
        if (chips[i].text.startsWith(pitchType) || (scheme == "Octuple" && chips[i].text.contains("Pitch_"))) chip = int(i);
      QVERIFY2(chip >= 0, qPrintable(scheme));
      // Every pitch-carrying chip is linked to a note of its own pitch.
      for (const auto& c : chips) {
        if (&c - chips.data() > 300) break;  // the last notes may end past the chips shown
        const int at = c.text.indexOf(pitchType);
        if (at < 0) continue;
        QVERIFY2(!c.notes.empty(), qPrintable(scheme + ": " + c.text));
        const int pitch = c.text.mid(at + pitchType.size()).section(' ', 0, 0).toInt();
        QCOMPARE(page.preview().score.tracks[size_t(c.notes[0].track)].notes[size_t(c.notes[0].index)].pitch, pitch);
      }
      auto* view = page.chipView();
      QTest::mouseMove(view, view->chipRect(chip).center());
      QVERIFY(waitUntil([&] { return page.highlightedNotes().size() == 1; }, 2000));
      const auto note = page.highlightedNotes().front();
      QCOMPARE(note.pitch, chips[size_t(chip)].text.section(pitchType, 1).section(' ', 0, 0).toInt());
      // Click that note in the roll: the chip is among the ringed ones (REMI: with its
      // Velocity and Duration; MIDILike: with its NoteOff).
      auto* roll = page.rollView()->roll();
      page.rollView()->ensureVisible(roll->noteRect(note).center().x(), roll->noteRect(note).center().y());
      // Near its start: a later note of the same pitch in another track may cover its middle.
      const QRect r = roll->noteRect(note);
      QTest::mouseClick(roll, Qt::LeftButton, {}, QPoint(r.left() + std::min(2, r.width() / 2), r.center().y()));
      const auto ringed = page.highlightedChips();
      QVERIFY2(std::find(ringed.begin(), ringed.end(), chip) != ringed.end(), qPrintable(scheme));
      if (scheme == "REMI" || scheme == "MIDILike") QVERIFY2(ringed.size() >= 2, qPrintable(scheme));
      if (scheme == "Octuple") QCOMPARE(int(ringed.size()), 1);
      QTest::mouseMove(view, QPoint(view->width() - 2, view->height() - 2));
    }
  }

  // Issue 15: a corpus of arrangements is tokenized as one stream with Program, Tempo and
  // TimeSig tokens by default; a corpus of single parts keeps plain REMI.
  void corpusShapeCountsFilesWithSeveralTracks() {
    using harmonia::data::FileOutcome;
    using harmonia::data::ImportedFile;
    const auto file = [](int tracks, FileOutcome outcome = FileOutcome::Kept) {
      ImportedFile f;
      f.outcome = outcome;
      f.tracks = tracks;
      return f;
    };
    QVERIFY(harmonia::ui::is_multi_track_corpus({file(3), file(2), file(1)}));
    QVERIFY(harmonia::ui::is_multi_track_corpus({file(2), file(1)}));  // half is enough
    QVERIFY(!harmonia::ui::is_multi_track_corpus({file(1), file(1), file(2)}));
    // Skipped and duplicate files do not count, whatever they hold.
    QVERIFY(!harmonia::ui::is_multi_track_corpus({file(1), file(4, FileOutcome::Skipped), file(4, FileOutcome::Duplicate)}));
    QVERIFY(!harmonia::ui::is_multi_track_corpus({}));
    ImportedFile programs = file(1);  // one track, two programs (program changes)
    programs.program_notes = {{0, 10}, {40, 5}};
    QVERIFY(harmonia::ui::is_multi_track_file(programs));
  }

  void multiTrackCorpusDefaultsToArrangementTokens() {
    const auto arrangement =
        harmonia::tokenizer::Tokenizer::create("REMI", harmonia::generate::arrangement_tokenizer_config())->to_json();
    const auto plain = harmonia::tokenizer::Tokenizer::create("REMI")->to_json();
    TokenizerPage page;
    QSignalSpy changed(&page, &TokenizerPage::tokenizerChanged);
    page.suggestForCorpus(false);  // single-track: nothing to change
    QCOMPARE(changed.count(), 0);
    QVERIFY(page.tokenizer()->to_json() == plain);
    page.suggestForCorpus(true);
    QVERIFY(page.tokenizer());
    QVERIFY2(page.tokenizer()->to_json() == arrangement, page.tokenizer()->to_json().dump().c_str());
    QCOMPARE(changed.count(), 1);
    for (const QString name : {"Tempos", "Time signatures", "Programs (instruments)"}) QVERIFY2(box(page, name)->isChecked(), qPrintable(name));
    QVERIFY(!page.userChoseOptions());
    // Another corpus, single-track this time: back to plain REMI, the user never chose.
    page.suggestForCorpus(false);
    QVERIFY(page.tokenizer()->to_json() == plain);
    QVERIFY(!box(page, "Programs (instruments)")->isChecked());
  }

  void usersChoiceIsNeverOverwritten() {
    TokenizerPage page;
    box(page, "Tempos")->click();  // the user ticks Tempos alone
    QVERIFY(page.userChoseOptions());
    const auto chosen = page.tokenizer()->to_json();
    QVERIFY(page.tokenizer()->config().use_tempos);
    page.suggestForCorpus(true);
    QVERIFY(page.tokenizer()->to_json() == chosen);
    QVERIFY(!box(page, "Programs (instruments)")->isChecked());
    // A loaded tokenizer.json is a choice too.
    QTemporaryDir dir;
    const QString path = dir.filePath("tokenizer.json");
    QVERIFY(harmonia::tokenizer::Tokenizer::create("TSD")->to_json().is_object());
    harmonia::tokenizer::Tokenizer::create("TSD")->save(path.toStdString());
    TokenizerPage loaded;
    QVERIFY(loaded.loadTokenizerFile(path));
    loaded.suggestForCorpus(true);
    QCOMPARE(loaded.schemeName(), QStringLiteral("TSD"));
    QVERIFY(!loaded.tokenizer()->config().use_programs);
  }

  // A loaded tokenizer greys what its scheme refuses at once (was: the previous scheme's
  // greying stayed until an option changed, so Rests looked tickable on a loaded CPWord).
  void loadedTokenizerGreysWhatItsSchemeRefuses() {
    QTemporaryDir dir;
    const QString path = dir.filePath("cpword.json");
    harmonia::tokenizer::Tokenizer::create("CPWord")->save(path.toStdString());
    TokenizerPage page;
    QVERIFY(page.selectScheme("TSD"));
    QCheckBox* rests = box(page, "Rests");
    QVERIFY(rests && rests->isEnabled());
    QString error;
    QVERIFY2(page.loadTokenizerFile(path, &error), qPrintable(error));
    QCOMPARE(page.schemeName(), QStringLiteral("CPWord"));
    QVERIFY(!rests->isEnabled());
    QVERIFY2(rests->toolTip().contains("not available with CPWord"), qPrintable(rests->toolTip()));
  }

  void saveAndLoadRoundTrip() {
    QTemporaryDir dir;
    const QString path = dir.filePath("tokenizer.json");
    TokenizerPage a;
    a.selectScheme("TSD");
    for (auto* box : a.findChildren<QCheckBox*>())
      if (box->text() == "Time signatures") box->setChecked(true);
    QVERIFY(a.tokenizer());
    QString error;
    QVERIFY2(a.saveTokenizerFile(path, &error), qPrintable(error));
    TokenizerPage b;
    QVERIFY2(b.loadTokenizerFile(path, &error), qPrintable(error));
    QCOMPARE(b.schemeName(), QStringLiteral("TSD"));
    QVERIFY(b.tokenizer()->config().use_time_signatures);
    QCOMPARE(b.tokenizer()->vocab_size(), a.tokenizer()->vocab_size());
    QVERIFY(!b.loadTokenizerFile(dir.filePath("missing.json"), &error));
    QVERIFY(!error.isEmpty());
  }

  // Issue 16: Train on the page learns a BPE vocabulary of the chosen size from the dataset's
  // files on a worker; it becomes the page's tokenizer (its JSON with the learned model is
  // what the pipeline gets), the chips are learned tokens and the corpus gets shorter.
  void trainsABpeTokenizerFromTheDataset() {
    TokenizerPage page;
    page.show();
    page.setFiles(files_);
    QVERIFY(waitUntil([&] { return page.isIdle(); }));
    QVERIFY(!page.tokenizer()->is_trained());
    auto* panel = page.trainingPanel();
    QVERIFY(panel->selectModel("BPE"));
    const int vocab = int(page.tokenizer()->vocab_size()) + 150;
    panel->setVocabSize(vocab);
    QCOMPARE(panel->vocabSize(), vocab);
    QSignalSpy changed(&page, &TokenizerPage::tokenizerChanged);
    QPushButton* train = button(*panel, "&Train");
    QVERIFY(train->isEnabled());
    train->click();
    QVERIFY(panel->isTraining());  // on a worker: the click returned at once
    QVERIFY(!train->isEnabled());
    QVERIFY(waitUntil([&] { return page.isIdle(); }, 120000));
    QVERIFY2(panel->lastOutcome().error.isEmpty(), qPrintable(panel->lastOutcome().error));
    const auto tok = page.tokenizer();
    QVERIFY(tok && tok->is_trained());
    QCOMPARE(tok->subword()->kind(), harmonia::tokenizer::SubwordKind::BPE);
    QCOMPARE(int(tok->model_vocab_size()), vocab);
    QCOMPARE(changed.count(), 1);
    // The JSON the pipeline (dataset import, training, project, Save) takes is the trained one.
    const auto reloaded = harmonia::tokenizer::Tokenizer::from_json(
        nlohmann::ordered_json::parse(page.configJson().toStdString()));
    QVERIFY(reloaded->is_trained());
    QCOMPARE(int(reloaded->model_vocab_size()), vocab);
    // A project file keeps it as a QJsonObject (MainWindow::project()): still trained read back.
    const QByteArray viaProject =
        QJsonDocument(QJsonDocument::fromJson(page.configJson().toUtf8()).object()).toJson();
    // (QJsonObject sorts keys, so the config's maps come back in another order; the learned
    // model and the ids it gives must not change.)
    const auto viaProjectTok =
        harmonia::tokenizer::Tokenizer::from_json(nlohmann::ordered_json::parse(viaProject.toStdString()));
    QVERIFY(viaProjectTok->is_trained());
    QVERIFY(viaProjectTok->to_json().at("_model") == tok->to_json().at("_model"));
    const auto score = harmonia::midi::read_midi_file(files_.front().toStdString());
    QVERIFY(viaProjectTok->encode(score).sequences.front().ids == tok->encode(score).sequences.front().ids);
    // Base tokens / learned ids over the corpus, shown as a ratio above 1.
    QVERIFY2(page.stats().learnedTokens > 0 && page.stats().baseTokens > page.stats().learnedTokens,
             qPrintable(panel->reductionText()));
    const auto ratio = QRegularExpression(QStringLiteral("([0-9]+\\.[0-9]+)× shorter")).match(panel->reductionText());
    QVERIFY2(ratio.hasMatch(), qPrintable(panel->reductionText()));
    QVERIFY(ratio.captured(1).toDouble() > 1.0);
    QCOMPARE(panel->reduction(), double(page.stats().baseTokens) / double(page.stats().learnedTokens));
    QVERIFY(!page.stats().mostUseful.empty());
    // Each chip is one learned token; its parts, in order, are the file's base tokens.
    const auto& chips = page.preview().chips;
    QStringList flat;
    bool merged = false;
    for (const auto& c : chips) {
      merged |= c.parts.size() > 1;
      if (c.parts.isEmpty()) flat << c.text; else flat << c.parts;
      QVERIFY(!c.toolTip.isEmpty());
    }
    QVERIFY(merged);
    QVERIFY(size_t(flat.size()) > chips.size());
    QStringList base;
    for (const auto& seq : tok->encode_base(harmonia::midi::read_midi_file(files_.front().toStdString())).sequences)
      for (const auto& s : tok->strings(seq)) base << QString::fromStdString(s);
    QCOMPARE(flat, base.mid(0, flat.size()));

    // New options drop back to plain tokens, and the panel says so.
    box(page, "Chords")->click();
    QVERIFY(page.tokenizer() && !page.tokenizer()->is_trained());
    QVERIFY(panelText(*panel).contains("dropped"));
    QCOMPARE(page.trainingPanel()->reduction(), 0.0);
    box(page, "Chords")->click();  // nothing left to drop: the note does not linger
    QVERIFY(!panelText(*panel).contains("dropped"));
    QVERIFY(waitUntil([&] { return page.isIdle(); }));
  }

  void cancelKeepsTheTokenizer() {
    TokenizerPage page;
    page.setFiles(files_);
    QVERIFY(waitUntil([&] { return page.isIdle(); }));
    const auto before = page.tokenizer();
    auto* panel = page.trainingPanel();
    button(*panel, "&Train")->click();
    button(*panel, "Cancel")->click();  // before the worker's result can arrive
    QVERIFY(waitUntil([&] { return page.isIdle(); }, 120000));
    QVERIFY(panel->lastOutcome().cancelled);
    QCOMPARE(page.tokenizer(), before);
    QVERIFY(panelText(*panel).contains("cancelled"));
    QVERIFY(button(*panel, "&Train")->isEnabled());
  }

  void compoundSchemesCannotBeTrained() {
    TokenizerPage page;
    page.setFiles(files_.mid(0, 1));
    auto* panel = page.trainingPanel();
    for (const QString scheme : {"CPWord", "Octuple"}) {
      QVERIFY(page.selectScheme(scheme));
      QPushButton* train = button(*panel, "&Train");
      QVERIFY2(!train->isEnabled(), qPrintable(scheme));
      QVERIFY2(train->toolTip().contains("cannot be trained"), qPrintable(train->toolTip()));
      QVERIFY(panelText(*panel).contains("cannot be trained"));
      panel->train();  // refused, not started
      QVERIFY(!panel->isTraining());
    }
    QVERIFY(page.selectScheme("TSD"));
    QVERIFY(button(*panel, "&Train")->isEnabled());
    QVERIFY(waitUntil([&] { return page.isIdle(); }));
  }

  void loadsATrainedTokenizerJson() {
    QTemporaryDir dir;
    const QString path = dir.filePath("tokenizer.json");
    std::vector<std::string> files;
    for (const auto& f : files_) files.push_back(f.toStdString());
    const auto base = harmonia::tokenizer::Tokenizer::create("TSD");
    harmonia::tokenizer::TokenizerTrainingOptions opt;
    opt.kind = harmonia::tokenizer::SubwordKind::WordPiece;
    opt.vocab_size = base->vocab_size() + 100;
    harmonia::tokenizer::train_tokenizer(*base, files, opt)->save(path.toStdString());
    TokenizerPage page;
    page.setFiles(files_);
    QString error;
    QVERIFY2(page.loadTokenizerFile(path, &error), qPrintable(error));
    QVERIFY(page.tokenizer()->is_trained());
    QCOMPARE(page.schemeName(), QStringLiteral("TSD"));
    QCOMPARE(page.tokenizer()->model_vocab_size(), opt.vocab_size);
    auto* panel = page.trainingPanel();
    QVERIFY(panelText(*panel).contains("Trained WordPiece"));
    QCOMPARE(panel->vocabSize(), int(opt.vocab_size));
    QVERIFY(waitUntil([&] { return page.isIdle(); }));
    QVERIFY(panel->reduction() > 1.0);
    // Saved again, it is still the trained tokenizer.
    const QString again = dir.filePath("again.json");
    QVERIFY(page.saveTokenizerFile(again, &error));
    QVERIFY(harmonia::tokenizer::Tokenizer::load(again.toStdString())->is_trained());
    // Model "None": the plain scheme again.
    QVERIFY(panel->selectModel("None"));
    QVERIFY(!page.tokenizer()->is_trained());
    QCOMPARE(page.schemeName(), QStringLiteral("TSD"));
    QVERIFY(!button(*panel, "&Train")->isEnabled());
    QVERIFY(waitUntil([&] { return page.isIdle(); }));
  }

  // Scrolling the options column with the wheel must not change the setting under the
  // pointer: a model combo turned to "None" that way silently dropped a trained vocabulary.
  void wheelOverTheColumnDoesNotChangeSettings() {
    TokenizerPage page;
    page.resize(990, 620);
    page.show();
    QComboBox* model = nullptr;
    for (auto* c : page.trainingPanel()->findChildren<QComboBox*>()) model = c;
    QVERIFY(model);
    const QString before = model->currentText();
    QVERIFY(!model->hasFocus());
    QWheelEvent up(QPointF(5, 5), model->mapToGlobal(QPointF(5, 5)), QPoint(), QPoint(0, 120), Qt::NoButton,
                   Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(model, &up);
    QCOMPARE(model->currentText(), before);
    QCOMPARE(page.schemeName(), QStringLiteral("REMI"));
    // Once the user picks the control, the wheel is theirs.
    page.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&page));
    model->setFocus();
    QVERIFY(model->hasFocus());
    QWheelEvent again(QPointF(5, 5), model->mapToGlobal(QPointF(5, 5)), QPoint(), QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(model, &again);
    QVERIFY(model->currentText() != before);
  }

 private:
  static QPushButton* button(QWidget& parent, const QString& text) {
    for (auto* b : parent.findChildren<QPushButton*>())
      if (b->text() == text) return b;
    qFatal("no button %s", qPrintable(text));
  }
  // Everything the panel says, in one string.
  static QString panelText(TokenizerTrainingPanel& panel) {
    QStringList all;
    for (auto* l : panel.findChildren<QLabel*>()) all << l->text();
    return all.join('\n');
  }
  static QCheckBox* box(TokenizerPage& page, const QString& text) {
    for (auto* b : page.findChildren<QCheckBox*>())
      if (b->text() == text) return b;
    qFatal("no check box %s", qPrintable(text));
  }

  QStringList files_;
};

