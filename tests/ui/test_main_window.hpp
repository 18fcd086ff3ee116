#pragma once
// The shell: four pipeline pages with their state in the sidebar, keyboard navigation,
// themes remembered in QSettings, the .harmonia project round trip and recent projects.
#include <QApplication>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

#include "../data/data_fixtures.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "ui/pages/dataset_page.hpp"
#include "ui/pages/generate_page.hpp"
#include "ui/main_window.hpp"
#include "ui/widgets/model_choice_box.hpp"
#include "ui/project_file.hpp"
#include "ui/screenshot_tour.hpp"
#include "ui/pages/tokenizer_page.hpp"
#include "generation_reference.hpp"
#include "ui_test_support.hpp"

using harmonia::ui::MainWindow;
using harmonia::ui::Project;

class TestMainWindow final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
  }

  void opensWithFourPipelinePages() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.pageCount(), 4);
    QVERIFY(window.pageTitle(0).contains("Dataset"));
    QVERIFY(window.pageTitle(1).contains("Tokenizer"));
    QVERIFY(window.pageTitle(2).contains("Training"));
    QVERIFY(window.pageTitle(3).contains("Generate"));
  }

  void sidebarSwitchesPages() {
    MainWindow window;
    window.show();
    auto* list = window.findChild<QListWidget*>();
    QVERIFY(list);
    list->setCurrentRow(2);
    QCOMPARE(window.currentPage(), 2);
    QTest::keyClick(list, Qt::Key_Down);
    QCOMPARE(window.currentPage(), 3);
    // Ctrl+1 goes back to the first page (triggered through its menu action: offscreen
    // windows never become active, so key shortcuts are not delivered).
    bool found = false;
    for (auto* a : window.findChildren<QAction*>())
      if (a->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_1)) {
        a->trigger();
        found = true;
      }
    QVERIFY(found);
    QCOMPARE(window.currentPage(), 0);
  }

  void sidebarShowsEachPageState() {
    MainWindow window;
    QVERIFY(window.pageStatusText(0).contains("not started"));
    QVERIFY(window.pageStatusText(1).contains("done"));  // a default tokenizer is valid at once
    const QStringList files = harmonia::ui::test::someMidiFiles(2);
    if (files.isEmpty()) return;
    QTemporaryDir dir;
    for (int i = 0; i < files.size(); ++i) QFile::copy(files[i], dir.filePath(QStringLiteral("%1.mid").arg(i)));
    QSignalSpy done(window.datasetPage(), &harmonia::ui::DatasetPage::importFinished);
    window.datasetPage()->setFolder(dir.path());
    window.datasetPage()->startImport();
    QVERIFY(harmonia::ui::test::waitUntil([&] { return done.count() == 1; }));
    QVERIFY(window.pageStatusText(0).contains("done"));
    QVERIFY(window.pageStatusText(0).contains(QStringLiteral("%1 files").arg(files.size())));
    // The tokenizer page received the dataset for its preview.
    QVERIFY(harmonia::ui::test::waitUntil([&] { return window.tokenizerPage()->isIdle(); }));
    QCOMPARE(int(window.tokenizerPage()->stats().files), int(files.size()));
  }

  // Issue 15 through the wiring: importing a corpus of arrangements (piano + drums in each
  // file) turns on the Tokenizer page's whole-arrangement options; a corpus of solo parts
  // leaves plain REMI.
  void importedCorpusShapeSetsTheTokenizerDefault_data() {
    QTest::addColumn<bool>("drums");
    QTest::newRow("multi-track") << true;
    QTest::newRow("single-track") << false;
  }
  void importedCorpusShapeSetsTheTokenizerDefault() {
    QFETCH(bool, drums);
    QTemporaryDir dir;
    for (int i = 0; i < 3; ++i)
      harmonia::midi::write_midi_file(harmonia::test::synthetic_song(i, 6, drums),
                                      dir.filePath(QStringLiteral("song%1.mid").arg(i)).toStdString());
    MainWindow window;
    QSignalSpy done(window.datasetPage(), &harmonia::ui::DatasetPage::importFinished);
    window.datasetPage()->setFolder(dir.path());
    window.datasetPage()->startImport();
    QVERIFY(harmonia::ui::test::waitUntil([&] { return done.count() == 1; }));
    QCOMPARE(window.datasetPage()->usableFiles().size(), 3);
    const auto tok = window.tokenizerPage()->tokenizer();
    QVERIFY(tok);
    QCOMPARE(QString::fromStdString(tok->name()), QStringLiteral("REMI"));
    const auto& c = tok->config();
    QCOMPARE(c.use_programs, drums);
    QCOMPARE(c.use_tempos, drums);
    QCOMPARE(c.use_time_signatures, drums);
    QVERIFY(c.one_token_stream_for_programs);
    // The Dataset page then says its token counts are for the other tokenizer, naming the new one.
    bool told = false;
    for (auto* label : window.datasetPage()->findChildren<QLabel*>())
      told |= label->text().contains(QStringLiteral("now REMI, %1 tokens").arg(tok->vocab_size()));
    QCOMPARE(told, drums);
  }

  void themeIsRememberedAndChangesPalette() {
    MainWindow window;
    window.setTheme(harmonia::ui::Theme::Dark);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 100);
    QCOMPARE(QSettings().value("theme").toString(), QStringLiteral("dark"));
    window.setTheme(harmonia::ui::Theme::Light);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 150);
    QCOMPARE(QSettings().value("theme").toString(), QStringLiteral("light"));
  }

  void projectRoundTrip() {
    QTemporaryDir dir;
    const QString path = dir.filePath("lesson.harmonia");
    {
      MainWindow window;
      window.datasetPage()->setFolder(dir.path());
      window.tokenizerPage()->selectScheme("MIDILike");
      window.generatePage()->setPromptBars(6);
      window.showPage(1);
      QVERIFY(window.saveProject(path));
      QVERIFY(window.recentProjects().contains(QFileInfo(path).absoluteFilePath()));
    }
    MainWindow other;
    QString error;
    QVERIFY2(other.openProject(path, &error), qPrintable(error));
    QCOMPARE(other.datasetPage()->folder(), dir.path());
    QCOMPARE(other.tokenizerPage()->schemeName(), QStringLiteral("MIDILike"));
    QCOMPARE(other.generatePage()->promptBars(), 6);
    QCOMPARE(other.currentPage(), 1);
    QCOMPARE(other.projectPath(), path);
  }

  // Key order in tokenizer.json is vocabulary order (chord_maps here): a project must give back
  // the same token ids, so it keeps the tokenizer's text, not a key-sorted object.
  void projectKeepsTheTokenizersVocabularyOrder() {
    QTemporaryDir dir;
    harmonia::tokenizer::TokenizerConfig c;
    c.use_chords = true;
    auto tok = harmonia::tokenizer::Tokenizer::create("REMI", c);
    const QString tokPath = dir.filePath("tok.json");
    tok->save(tokPath.toStdString());
    const QString path = dir.filePath("lesson.harmonia");
    std::vector<std::string> before;
    {
      MainWindow window;
      QString error;
      QVERIFY2(window.tokenizerPage()->loadTokenizerFile(tokPath, &error), qPrintable(error));
      before = window.tokenizerPage()->tokenizer()->vocab().texts();
      QVERIFY(window.saveProject(path));
    }
    MainWindow other;
    QString error;
    QVERIFY2(other.openProject(path, &error), qPrintable(error));
    QVERIFY(other.tokenizerPage()->tokenizer());
    QVERIFY(other.tokenizerPage()->tokenizer()->vocab().texts() == before);
  }

  // The project records which model Generate uses, and reopening it gives that one back
  // rather than the page's default (the starter model while no run has finished).
  void projectRecordsTheModelChoice() {
    using Choice = harmonia::ui::ModelChoiceBox::Choice;
    QTemporaryDir dir;
    const QString starter = dir.filePath("starter");
    harmonia::ui::test::writeTinyModel(starter.toStdString(), 1);
    harmonia::ui::test::ScopedEnv env("HARMONIA_STARTER_MODEL", QFile::encodeName(starter));
    const QString path = dir.filePath("lesson.harmonia");
    {
      MainWindow window;
      auto* box = window.generatePage()->modelChoice();
      QCOMPARE(box->choice(), Choice::Starter);
      QVERIFY(box->setChoice(Choice::Trained));
      QVERIFY(window.saveProject(path));
    }
    Project saved;
    QVERIFY(Project::load(path, &saved));
    QCOMPARE(saved.settings.value("model").toString(), QStringLiteral("trained"));
    MainWindow other;
    QCOMPARE(other.generatePage()->modelChoice()->choice(), Choice::Starter);
    QString error;
    QVERIFY2(other.openProject(path, &error), qPrintable(error));
    QCOMPARE(other.generatePage()->modelChoice()->choice(), Choice::Trained);
  }

  void projectFileRejectsOtherJson() {
    QTemporaryDir dir;
    const QString path = dir.filePath("x.harmonia");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"hello\": 1}");
    f.close();
    Project p;
    QString error;
    QVERIFY(!Project::load(path, &p, &error));
    QVERIFY(error.contains("not a Harmonia project"));
    QVERIFY(!Project::load(dir.filePath("missing.harmonia"), &p, &error));
    MainWindow window;
    QVERIFY(!window.openProject(path));
  }

  void screenshotsAreWritten() {
    const QStringList files = harmonia::ui::test::someMidiFiles(1);
    QTemporaryDir dir;
    MainWindow window;
    // Keep the tour quick: a one-file dataset instead of the whole corpus.
    QTemporaryDir data;
    for (const auto& f : files) QFile::copy(f, data.filePath("a.mid"));
    window.datasetPage()->setFolder(data.path());
    QString error;
    const QStringList shots = harmonia::ui::takeScreenshots(window, dir.path(), &error, 3);
    QCOMPARE(shots.size(), 8);
    for (const auto& s : shots) {
      QImage img(s);
      QVERIFY(!img.isNull());
      QCOMPARE(img.width(), window.width());
    }
  }
};

