#pragma once
// The tokenizer page driven like a user: pick schemes, see chips and the piano roll, get a
// clear error for options that do not go together, save and load tokenizer.json.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QTemporaryDir>
#include <QtTest>

#include "core/generate/music_recipe.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "ui/corpus_shape.hpp"
#include "ui/piano_roll_widget.hpp"
#include "ui/tokenizer_page.hpp"
#include "ui_test_support.hpp"

using harmonia::ui::StepState;
using harmonia::ui::TokenizerPage;
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

  void invalidCombinationSaysWhatToDo() {
    TokenizerPage page;
    QSignalSpy status(&page, &TokenizerPage::statusMessage);
    // Try each extra option on each scheme until one is refused: the page must then show
    // the error state and a message, and recover when the option is unticked.
    bool refused = false;
    for (const QString scheme : {"Octuple", "CPWord", "REMI", "TSD", "MIDILike"}) {
      page.selectScheme(scheme);
      for (auto* box : page.findChildren<QCheckBox*>()) {
        box->setChecked(true);
        if (!page.tokenizer()) {
          refused = true;
          QCOMPARE(page.state(), StepState::Error);
          QVERIFY(status.count() > 0);
          QVERIFY(status.last().first().toString().contains("Untick"));
          box->setChecked(false);
          QVERIFY(page.tokenizer());
          QCOMPARE(page.state(), StepState::Done);
          break;
        }
        box->setChecked(false);
      }
      if (refused) break;
    }
    if (!refused) QSKIP("every option combination is supported by this tokenizer build");
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

 private:
  static QCheckBox* box(TokenizerPage& page, const QString& text) {
    for (auto* b : page.findChildren<QCheckBox*>())
      if (b->text() == text) return b;
    qFatal("no check box %s", qPrintable(text));
  }

  QStringList files_;
};

