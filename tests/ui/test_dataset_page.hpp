#pragma once
// The dataset page driven like a user: import a folder (with one broken file), read the
// table and charts, cancel mid-way, and import the default corpus.
#include <QFile>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/dataset_page.hpp"
#include "ui_test_support.hpp"

using harmonia::ui::DatasetPage;
using harmonia::ui::StepState;
using harmonia::ui::test::someMidiFiles;
using harmonia::ui::test::waitUntil;

class TestDatasetPage final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    files_ = someMidiFiles(6);
    if (files_.isEmpty()) QSKIP("no MIDI files on this machine");
    QVERIFY(dir_.isValid());
    for (int i = 0; i < files_.size(); ++i)
      QVERIFY(QFile::copy(files_[i], dir_.filePath(QStringLiteral("song%1.mid").arg(i))));
    QFile broken(dir_.filePath("broken.mid"));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("MThd this is not a MIDI file");
  }

  void importsFolderAndListsEveryFile() {
    DatasetPage page;
    page.show();
    QSignalSpy finished(&page, &DatasetPage::importFinished);
    QSignalSpy files(&page, &DatasetPage::filesChanged);
    page.setFolder(dir_.path());
    page.startImport();
    QCOMPARE(page.state(), StepState::Running);
    QVERIFY(waitUntil([&] { return finished.count() == 1; }));
    QCOMPARE(finished.first().first().toBool(), false);
    QCOMPARE(page.tableRows(), int(files_.size()) + 1);
    QCOMPARE(page.usableFiles().size(), files_.size());
    QCOMPARE(files.count(), 1);
    QCOMPARE(files.first().first().toStringList().size(), files_.size());
    // The broken file is listed as skipped, with the reason.
    auto* table = page.findChild<QTableWidget*>();
    bool sawBroken = false;
    for (int r = 0; r < table->rowCount(); ++r)
      if (table->item(r, 0)->text() == "broken.mid") {
        sawBroken = true;
        QCOMPARE(table->item(r, 5)->text(), QStringLiteral("skipped"));
        QVERIFY(!table->item(r, 6)->text().isEmpty());
      }
    QVERIFY(sawBroken);
    QCOMPARE(page.tokenChartPoints(), int(files_.size()));
    double notes = 0;
    for (const auto& r : page.results()) notes += double(r.notes);
    QVERIFY(page.pitchChartTotal() > 0);
    QVERIFY(page.pitchChartTotal() <= notes);  // drums are left out of the pitch histogram
    QCOMPARE(page.state(), StepState::Done);
  }

  void cancelStopsEarlyWithoutCrash() {
    DatasetPage page;
    QSignalSpy finished(&page, &DatasetPage::importFinished);
    page.setFolder(dir_.path());
    page.startImport();
    page.cancelImport();
    QVERIFY(waitUntil([&] { return finished.count() == 1; }));
    QCOMPARE(finished.first().first().toBool(), true);
    QVERIFY(page.tableRows() <= int(files_.size()) + 1);
    QVERIFY(page.state() != StepState::Running);
    // And it can import again afterwards.
    page.startImport();
    QVERIFY(waitUntil([&] { return finished.count() == 2; }));
    QCOMPARE(page.tableRows(), int(files_.size()) + 1);
  }

  void destroyingWhileImportingIsSafe() {
    auto* page = new DatasetPage;
    page->setFolder(dir_.path());
    page->startImport();
    delete page;  // must cancel and join, not crash
    QCoreApplication::processEvents();
  }

  void badFolderSaysWhatToDo() {
    DatasetPage page;
    QSignalSpy status(&page, &DatasetPage::statusMessage);
    page.setFolder(dir_.filePath("does-not-exist"));
    page.startImport();
    QCOMPARE(page.state(), StepState::Error);
    QCOMPARE(status.count(), 1);
    QVERIFY(status.first().first().toString().contains("Browse"));
  }

  void defaultCorpusImports() {
    DatasetPage page;
    if (!page.useDefaultCorpus()) QSKIP("default corpus not installed");
    QSignalSpy finished(&page, &DatasetPage::importFinished);
    page.startImport();
    QVERIFY(waitUntil([&] { return finished.count() == 1; }, 120000));
    QCOMPARE(page.tableRows(), int(harmonia::data::default_corpus_files().size()));
    QVERIFY(page.usableFiles().size() > 30);
  }

 private:
  QStringList files_;
  QTemporaryDir dir_;
};

