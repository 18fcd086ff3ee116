#pragma once
// The dataset page driven like a user: import a folder (with a broken file and a duplicate)
// through the core's ImportJob, read the table and charts, import it again (answered by the
// quick index, same table), cancel at the start and mid-way, and import the default corpus
// cold and warm.
#include <QFile>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "../data/data_fixtures.hpp"
#include "core/data/default_corpus.hpp"
#include "core/data/token_cache.hpp"
#include "core/generate/music_recipe.hpp"
#include "ui/pages/dataset_page.hpp"
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
    broken.close();
    QVERIFY(QFile::copy(files_[0], dir_.filePath("song0-copy.mid")));
    QVERIFY(cache_.isValid());
  }

  // Every cell of the table, row by row.
  static QStringList tableText(const DatasetPage& page) {
    QStringList out;
    auto* table = page.findChild<QTableWidget*>();
    for (int r = 0; r < table->rowCount(); ++r)
      for (int c = 0; c < table->columnCount(); ++c) out << (table->item(r, c) ? table->item(r, c)->text() : "-");
    return out;
  }

  void importsFolderAndListsEveryFile() {
    DatasetPage page;
    page.setCacheRoot(cache_.path());
    page.show();
    QSignalSpy finished(&page, &DatasetPage::importFinished);
    QSignalSpy files(&page, &DatasetPage::filesChanged);
    page.setFolder(dir_.path());
    page.startImport();
    QCOMPARE(page.state(), StepState::Running);
    QVERIFY(waitUntil([&] { return finished.count() == 1; }));
    QCOMPARE(finished.first().first().toBool(), false);
    QCOMPARE(page.tableRows(), int(files_.size()) + 2);
    QCOMPARE(page.usableFiles().size(), files_.size());
    QVERIFY(!page.lastImportWasQuick());
    QVERIFY(QFileInfo(page.cacheDir()).absoluteFilePath().startsWith(QFileInfo(cache_.path()).absoluteFilePath()));
    QVERIFY(QFileInfo::exists(page.cacheDir() + "/manifest.json"));
    QCOMPARE(files.count(), 1);
    QCOMPARE(files.first().first().toStringList().size(), files_.size());
    // The broken file is listed as skipped, with the reason.
    auto* table = page.findChild<QTableWidget*>();
    bool sawBroken = false, sawDuplicate = false;
    for (int r = 0; r < table->rowCount(); ++r) {
      const QString name = table->item(r, 0)->text();
      if (name == "broken.mid") {
        sawBroken = true;
        QCOMPARE(table->item(r, 5)->text(), QStringLiteral("skipped"));
        QVERIFY2(table->item(r, 6)->text().contains("not a valid MIDI file"), qPrintable(table->item(r, 6)->text()));
      } else if (table->item(r, 5)->text() == "duplicate") {
        // song0.mid and its copy: the first path is kept, the other names it.
        sawDuplicate = true;
        QVERIFY(name == "song0.mid" || name == "song0-copy.mid");
        QVERIFY(table->item(r, 6)->text().contains("song0"));
      } else {
        QCOMPARE(table->item(r, 5)->text(), QStringLiteral("ok"));
        QVERIFY(table->item(r, 4)->text().toLongLong() > 0);  // tokens
        QVERIFY(table->item(r, 3)->text().toInt() > 0);       // tracks
      }
    }
    QVERIFY(sawBroken);
    QVERIFY(sawDuplicate);
    QCOMPARE(page.tokenChartPoints(), int(files_.size()));
    // The pitch histogram counts every pitched note of the kept files: drums are left out.
    double pitched = 0;
    for (const auto& r : page.results()) {
      if (r.outcome != harmonia::data::FileOutcome::Kept) continue;
      pitched += double(r.notes);
      for (const auto& [program, n] : r.program_notes)
        if (program == -1) pitched -= double(n);
    }
    QVERIFY(pitched > 0);
    QCOMPARE(page.pitchChartTotal(), pitched);
    QCOMPARE(page.state(), StepState::Done);
  }

  // Issue 15: the studio imports training data tidied (silence cut, long empty runs
  // shortened), the same preparation as `harmonia demo`; the cache records it.
  void importTidiesAsTrainingData() {
    harmonia::ui::DatasetInput in;
    in.folder = dir_.path().toStdString();
    const auto options = in.import_options(cache_.filePath("x").toStdString());
    const auto recipe = harmonia::generate::training_tidy_options();
    QVERIFY(options.tidy.enabled);
    QCOMPARE(options.tidy.max_empty_bars, recipe.max_empty_bars);
    DatasetPage page;
    page.setCacheRoot(cache_.path());
    QSignalSpy finished(&page, &DatasetPage::importFinished);
    page.setFolder(dir_.path());
    page.startImport();
    QVERIFY(waitUntil([&] { return finished.count() == 1; }));
    const auto manifest = harmonia::data::read_manifest(page.cacheDir().toStdString());
    QCOMPARE(QString::fromStdString(manifest.preparation), QString::fromStdString(recipe.fingerprint()));
  }

  void secondImportIsAnsweredByTheQuickIndexWithTheSameTable() {
    DatasetPage page;
    page.setCacheRoot(cache_.path());
    QSignalSpy finished(&page, &DatasetPage::importFinished);
    page.setFolder(dir_.path());
    page.startImport();
    QVERIFY(waitUntil([&] { return finished.count() == 1; }));
    const QStringList first = tableText(page);
    const QString cache = page.cacheDir();
    page.startImport();
    QVERIFY(waitUntil([&] { return finished.count() == 2; }));
    QCOMPARE(finished.at(1).first().toBool(), false);
    QVERIFY(page.lastImportWasQuick());
    QCOMPARE(page.cacheDir(), cache);
    QCOMPARE(tableText(page), first);
    QCOMPARE(page.tableRows(), int(files_.size()) + 2);
    QCOMPARE(page.usableFiles().size(), files_.size());
    QCOMPARE(page.tokenChartPoints(), int(files_.size()));

    // Another tokenizer is another cache: nothing is answered from the REMI one.
    page.setTokenizer(harmonia::tokenizer::Tokenizer::create("TSD"));
    QVERIFY(page.cacheDir() != cache);
    QCOMPARE(tableText(page), first);  // the REMI counts stay, under their REMI header
    QVERIFY(page.findChild<QTableWidget*>()->horizontalHeaderItem(4)->text().contains("REMI"));
    page.startImport();
    QVERIFY(waitUntil([&] { return finished.count() == 3; }));
    QVERIFY(!page.lastImportWasQuick());
    QCOMPARE(page.tableRows(), int(files_.size()) + 2);
    QVERIFY(page.findChild<QTableWidget*>()->horizontalHeaderItem(4)->text().contains("TSD"));
  }

  void cancelMidImportLeavesThePageUsable() {
    // Enough distinct synthetic songs that the import is still running when Cancel comes.
    QTemporaryDir many;
    for (int i = 0; i < 400; ++i)
      harmonia::midi::write_midi_file(harmonia::test::synthetic_song(i, 48),
                                      many.filePath(QStringLiteral("s%1.mid").arg(i, 3, 10, QLatin1Char('0'))).toStdString());
    DatasetPage page;
    page.setCacheRoot(cache_.path());
    QSignalSpy finished(&page, &DatasetPage::importFinished);
    page.setFolder(many.path());
    // Cancel as the first rows arrive (in the GUI thread's handler that shows them), as a
    // user's click would: polling from here could come after the last file.
    bool clicked = false;
    connect(&page, &DatasetPage::stateChanged, &page, [&] {
      if (!clicked && page.isRunning() && page.tableRows() > 0) {
        clicked = true;
        page.cancelImport();
      }
    });
    page.startImport();
    QVERIFY(waitUntil([&] { return finished.count() == 1; }));
    QVERIFY(clicked);
    QCOMPARE(finished.first().first().toBool(), true);
    QVERIFY2(page.tableRows() < 400, qPrintable(QString::number(page.tableRows())));
    qInfo("cancelled after %d of 400 files", page.tableRows());
    QCOMPARE(page.state(), StepState::NotStarted);
    QVERIFY(!page.isRunning());
    // Usable: the next import completes (the cancelled one left no cache behind).
    clicked = true;  // no second cancel
    page.startImport();
    QVERIFY(waitUntil([&] { return finished.count() == 2; }, 120000));
    QCOMPARE(finished.at(1).first().toBool(), false);
    QVERIFY(!page.lastImportWasQuick());
    QCOMPARE(page.tableRows(), 400);
    QCOMPARE(page.usableFiles().size(), 400);
    QCOMPARE(page.state(), StepState::Done);
  }

  void cancelStopsEarlyWithoutCrash() {
    DatasetPage page;
    page.setCacheRoot(cache_.path());
    QSignalSpy finished(&page, &DatasetPage::importFinished);
    page.setFolder(dir_.path());
    page.startImport();
    page.cancelImport();
    QVERIFY(waitUntil([&] { return finished.count() == 1; }));
    QCOMPARE(finished.first().first().toBool(), true);
    QVERIFY(page.tableRows() <= int(files_.size()) + 2);
    QVERIFY(page.state() != StepState::Running);
    // And it can import again afterwards.
    page.startImport();
    QVERIFY(waitUntil([&] { return finished.count() == 2; }));
    QCOMPARE(page.tableRows(), int(files_.size()) + 2);
  }

  void destroyingWhileImportingIsSafe() {
    auto* page = new DatasetPage;
    page->setCacheRoot(cache_.path());
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
    // An error: on the page's banner, whole, not in the status bar that forgets it.
    QCOMPARE(status.count(), 0);
    QVERIFY2(page.bannerText().contains("Browse"), qPrintable(page.bannerText()));
    QVERIFY(page.bannerText().contains("does-not-exist"));
  }

  void defaultCorpusImports() {
    DatasetPage page;
    page.setCacheRoot(cache_.path());
    if (!page.useDefaultCorpus()) QSKIP("default corpus not installed");
    QSignalSpy finished(&page, &DatasetPage::importFinished);
    page.startImport();
    QVERIFY(waitUntil([&] { return finished.count() == 1; }, 120000));
    QCOMPARE(page.tableRows(), int(harmonia::data::default_corpus_files().size()));
    QVERIFY(page.usableFiles().size() > 30);
    coldThenWarm(page, finished, "default corpus");
  }

  void sharedPop909ColdAndWarm() {
    const QString pop909 = QStringLiteral(HARMONIA_SHARED_DIR "/data/midi/pop909");
    if (!QFileInfo(pop909).isDir()) QSKIP("../shared/data/midi/pop909 is absent");
    DatasetPage page;
    page.setCacheRoot(cache_.path());
    page.setFolder(pop909);
    QSignalSpy finished(&page, &DatasetPage::importFinished);
    page.startImport();
    QVERIFY(waitUntil([&] { return finished.count() == 1; }, 120000));
    QCOMPARE(page.tableRows(), int(harmonia::data::list_midi_files(pop909.toStdString()).size()));
    coldThenWarm(page, finished, "pop909");
  }

 private:
  // After a first (cold) import that `finished` saw: the same import again is answered by the
  // quick index with the same table. Prints both times.
  void coldThenWarm(DatasetPage& page, QSignalSpy& finished, const char* what) {
    QVERIFY(!page.lastImportWasQuick());
    const double cold = page.lastImportSeconds();
    const QStringList first = tableText(page);
    page.startImport();
    QVERIFY(waitUntil([&] { return finished.count() == 2; }, 120000));
    QVERIFY(page.lastImportWasQuick());
    QCOMPARE(tableText(page), first);
    qInfo("%s (%d files) through the page: cold %.3f s, warm %.3f s", what, page.tableRows(), cold,
          page.lastImportSeconds());
  }

  QStringList files_;
  QTemporaryDir dir_;
  QTemporaryDir cache_;  // the page's cache root: nothing left in the user's cache
};

