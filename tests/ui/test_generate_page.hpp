#pragma once
// The Generate & Play page driven like a user: open a prompt (first N bars), see it in the
// piano roll, export .mid and reload it, render a .wav, drag the clip out, drop a file in.
#include <QMimeData>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

#include "core/audio/soundfont_locator.hpp"
#include "core/audio/wav_file.hpp"
#include "core/midi/midi_file.hpp"
#include "ui/clip_drag_source.hpp"
#include "ui/generate_page.hpp"
#include "ui/piano_roll_widget.hpp"
#include "ui/score_tools.hpp"
#include "ui_test_support.hpp"

using harmonia::ui::GeneratePage;
using harmonia::ui::StepState;
using harmonia::ui::test::someMidiFiles;
using harmonia::ui::test::waitUntil;
namespace midi = harmonia::midi;

class TestGeneratePage final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    const QStringList files = someMidiFiles(1);
    if (files.isEmpty()) QSKIP("no MIDI files on this machine");
    file_ = files.front();
  }

  void promptIsTheFirstBarsInTheRoll() {
    GeneratePage page;
    page.show();
    page.setPromptBars(4);
    QVERIFY(page.openPrompt(file_));
    const midi::Score expected = harmonia::ui::firstBars(midi::read_midi_file(file_.toStdString()), 4);
    QVERIFY(expected.note_count() > 0);
    QCOMPARE(page.currentScore().note_count(), expected.note_count());
    auto* roll = page.rollView()->roll();
    QCOMPARE(roll->notes().size(), expected.note_count());
    QVERIFY(roll->promptEnd() >= harmonia::ui::barTicks(expected) * 4);
    for (const auto& n : roll->notes()) QVERIFY(n.time < harmonia::ui::barTicks(expected) * 4);
  }

  void exportMidiReloadsTheSameNotes() {
    GeneratePage page;
    page.setPromptBars(2);
    QVERIFY(page.openPrompt(file_));
    QTemporaryDir dir;
    const QString out = dir.filePath("out.mid");
    QString error;
    QVERIFY2(page.exportMidi(out, &error), qPrintable(error));
    const midi::Score back = midi::read_midi_file(out.toStdString());
    QCOMPARE(back.note_count(), page.currentScore().note_count());
    // Reload through the page too: the roll shows the same notes again.
    page.setPromptBars(0);
    QVERIFY(page.openPrompt(out));
    QCOMPARE(page.rollView()->roll()->notes().size(), back.note_count());
  }

  void exportWavRendersOnAWorker() {
    try {
      harmonia::audio::find_soundfont("");
    } catch (const std::exception&) {
      QSKIP("no General MIDI SoundFont installed");
    }
    GeneratePage page;
    page.setPromptBars(1);
    QVERIFY(page.openPrompt(file_));
    QTemporaryDir dir;
    const QString out = dir.filePath("out.wav");
    QSignalSpy done(&page, &GeneratePage::wavExported);
    page.exportWav(out);
    QVERIFY(page.isExporting());
    QVERIFY(waitUntil([&] { return done.count() == 1; }, 60000));
    QVERIFY2(done.first().first().toBool(), qPrintable(done.first().at(1).toString()));
    const auto wav = harmonia::audio::read_wav_file(out.toStdString());
    QVERIFY(wav.seconds() > 1.0);
  }

  void clipDragWritesAMidiFile() {
    GeneratePage page;
    page.setPromptBars(2);
    QVERIFY(page.openPrompt(file_));
    auto* source = page.findChild<harmonia::ui::ClipDragSource*>();
    QVERIFY(source);
    const QString path = source->writeClipFile();
    QVERIFY(!path.isEmpty());
    QCOMPARE(midi::read_midi_file(path.toStdString()).note_count(), page.currentScore().note_count());
  }

  void droppingAMidiFileOpensItAsPrompt() {
    GeneratePage page;
    page.show();
    page.setPromptBars(2);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(file_)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&page, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&page, &drop);
    QVERIFY(page.currentScore().note_count() > 0);
  }

  void badPromptSaysWhatToDo() {
    GeneratePage page;
    QTemporaryDir dir;
    QFile bad(dir.filePath("bad.mid"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("garbage");
    bad.close();
    QString error;
    QVERIFY(!page.openPrompt(bad.fileName(), &error));
    QVERIFY(error.contains(".mid"));
    QCOMPARE(page.currentScore().note_count(), size_t(0));
  }

  void generationStateIsHonest() {
    GeneratePage page;
    auto* generate = [&] {
      for (auto* b : page.findChildren<QPushButton*>())
        if (b->text().contains("Generate")) return b;
      return static_cast<QPushButton*>(nullptr);
    }();
    QVERIFY(generate);
    if (!harmonia::ui::generation_available()) {
      QCOMPARE(page.state(), StepState::Unavailable);
      QVERIFY(!generate->isEnabled());
      page.generate();  // must be a no-op, not a crash
      QVERIFY(!page.isGenerating());
      return;
    }
    QVERIFY(!generate->isEnabled());  // no model yet
  }

  void samplingDefaultsFollowHarmoniaLM() {
    GeneratePage page;
    const auto s = page.samplingSettings();
    QCOMPARE(s.temperature, 0.9);
    QCOMPARE(s.top_k, 20);
    QCOMPARE(s.top_p, 0.95);
    QCOMPARE(s.repetition_penalty, 1.05);
  }

 private:
  QString file_;
};

