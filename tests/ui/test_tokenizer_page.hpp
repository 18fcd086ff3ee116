#pragma once
// The tokenizer page driven like a user: pick schemes, see chips and the piano roll, get a
// clear error for options that do not go together, save and load tokenizer.json.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QTemporaryDir>
#include <QtTest>

#include "core/tokenizer/tokenizer.hpp"
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
  QStringList files_;
};

