#pragma once
// The shell: four pipeline pages with their state in the sidebar, keyboard navigation,
// themes remembered in QSettings, the .harmonia project round trip and recent projects.
#include <QApplication>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
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
#include "ui/pages/training_page.hpp"
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
    QCOMPARE(window.pageCount(), 6);
    QVERIFY(window.pageTitle(0).contains("Dataset"));
    QVERIFY(window.pageTitle(1).contains("Tokenizer"));
    QVERIFY(window.pageTitle(2).contains("Training"));
    QVERIFY(window.pageTitle(3).contains("Generate"));
    QVERIFY(window.pageTitle(4).contains("runs"));  // after the four steps: the runs compared
    QVERIFY(window.pageTitle(5).contains("Inside"));  // and what the model does inside
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

  // Issue 21: a project keeps what a class expects to find again: the imported dataset (imported
  // again on opening, so Start is ready), the tokenizer under a readable name, the run with its
  // whole loss chart, the hyperparameters and sampling settings, the prompt and the candidates
  // (as MIDI inside the project). New Project then empties every page and the title.
  void projectKeepsTheWholeSession() {
    QTemporaryDir dir;
    for (int i = 0; i < 3; ++i)
      harmonia::midi::write_midi_file(harmonia::test::synthetic_song(i, 6, false),
                                      dir.filePath(QStringLiteral("song%1.mid").arg(i)).toStdString());
    // A run folder as training leaves it: a log of 12 steps and a saved model.
    const QString run = dir.filePath("run-1");
    QVERIFY(QDir().mkpath(run + "/model"));
    {
      QFile csv(run + "/train_log.csv");
      QVERIFY(csv.open(QIODevice::WriteOnly));
      csv.write("step,epoch,train_loss,val_loss,lr,grad_norm,tokens_per_s,elapsed_s\n");
      for (int s = 1; s <= 12; ++s) csv.write(QByteArray::number(s) + ",0," + QByteArray::number(5.0 - 0.1 * s) + ",,0.001,1,900,1\n");
    }
    const QString path = dir.filePath("lesson.harmonia");
    harmonia::ui::SamplingSettings sampling;
    harmonia::ui::TrainingSpec hyper;
    std::vector<size_t> candidateNotes;
    size_t shownNotes = 0;
    {
      MainWindow window;
      QSignalSpy done(window.datasetPage(), &harmonia::ui::DatasetPage::importFinished);
      window.datasetPage()->setFolder(dir.path());
      window.datasetPage()->startImport();
      QVERIFY(harmonia::ui::test::waitUntil([&] { return done.count() == 1; }));
      QCOMPARE(window.datasetPage()->usableFiles().size(), 3);
      QVERIFY(window.tokenizerPage()->selectScheme("TSD"));
      hyper = window.trainingPage()->spec();
      hyper.max_steps = 345;
      hyper.lr = 0.0025;
      window.trainingPage()->setHyperparameters(hyper);
      QString error;
      QVERIFY2(window.trainingPage()->openRun(run, &error), qPrintable(error));
      sampling = window.generatePage()->samplingSettings();
      sampling.temperature = 0.7;
      sampling.seed = 4242;
      sampling.candidates = 2;
      window.generatePage()->setSamplingSettings(sampling);
      QVERIFY2(window.generatePage()->openPrompt(dir.filePath("song0.mid"), &error), qPrintable(error));
      // Two candidates, as a generation leaves them (the second chosen).
      auto session = window.generatePage()->session();
      session.candidates = {harmonia::test::synthetic_song(7, 8, false), harmonia::test::synthetic_song(8, 8, true)};
      session.selected = 1;
      session.shown = session.candidates[1];
      for (const auto& c : session.candidates) candidateNotes.push_back(c.note_count());
      shownNotes = session.shown.note_count();
      window.generatePage()->restoreSession(session);
      QVERIFY(window.saveProject(path));
    }
    MainWindow other;
    QString error;
    QVERIFY2(other.openProject(path, &error), qPrintable(error));
    // The dataset is imported again (the cache answers), so Start is ready.
    QVERIFY(harmonia::ui::test::waitUntil([&] { return other.datasetPage()->usableFiles().size() == 3; }));
    QCOMPARE(other.tokenizerPage()->schemeName(), QStringLiteral("TSD"));
    QVERIFY2(!other.pageStatusText(1).contains("harmonia-project-tokenizer") && other.pageStatusText(1).contains("TSD"),
             qPrintable(other.pageStatusText(1)));
    if (harmonia::ui::training_available()) {
      QPushButton* start = nullptr;
      for (auto* b : other.trainingPage()->findChildren<QPushButton*>())
        if (b->text().remove('&') == "Start") start = b;
      QVERIFY(start);
      QVERIFY(harmonia::ui::test::waitUntil([&] { return start->isEnabled(); }));
    }
    QCOMPARE(other.trainingPage()->runDir(), QFileInfo(run).absoluteFilePath());
    QCOMPARE(other.trainingPage()->lossPoints(), 12);
    QCOMPARE(other.trainingPage()->spec().max_steps, int64_t(345));
    QCOMPARE(other.trainingPage()->spec().lr, 0.0025);
    const auto reopened = other.generatePage()->samplingSettings();
    QCOMPARE(reopened.temperature, 0.7);
    QCOMPARE(reopened.seed, uint64_t(4242));
    QCOMPARE(reopened.candidates, 2);
    QCOMPARE(other.generatePage()->candidateCount(), 2);
    const auto session = other.generatePage()->session();
    QCOMPARE(session.candidates[0].note_count(), candidateNotes[0]);
    QCOMPARE(session.candidates[1].note_count(), candidateNotes[1]);
    QCOMPARE(session.selected, 1);
    QCOMPARE(other.generatePage()->currentScore().note_count(), shownNotes);  // the roll is not empty
    QCOMPARE(session.promptName, QStringLiteral("song0.mid"));
    QVERIFY(session.prompt.note_count() > 0);
    QVERIFY(other.windowTitle().contains("lesson.harmonia"));
    QVERIFY2(other.pageStatusText(3).contains("done") && other.pageStatusText(3).contains("2 candidates"),
             qPrintable(other.pageStatusText(3)));

    // New Project: every page as the studio starts.
    QVERIFY(other.newProject());
    QCOMPARE(other.windowTitle(), QStringLiteral("Harmonia Studio"));
    QVERIFY(other.projectPath().isEmpty());
    QCOMPARE(other.currentPage(), 0);
    QVERIFY(other.datasetPage()->usableFiles().isEmpty());
    QCOMPARE(other.tokenizerPage()->schemeName(), QStringLiteral("REMI"));
    QCOMPARE(other.trainingPage()->lossPoints(), 0);
    QVERIFY(other.trainingPage()->runDir().isEmpty());
    QCOMPARE(other.trainingPage()->spec().max_steps, MainWindow().trainingPage()->spec().max_steps);
    QCOMPARE(other.generatePage()->candidateCount(), 0);
    QCOMPARE(other.generatePage()->currentScore().note_count(), size_t(0));
    QCOMPARE(other.generatePage()->samplingSettings().temperature, MainWindow().generatePage()->samplingSettings().temperature);
    QVERIFY(other.pageStatusText(2).contains("not started"));
    QVERIFY(other.pageStatusText(3).contains("not started"));
  }

  // Format version 1 (before the session was kept) still opens.
  void projectOfVersionOneOpens() {
    QTemporaryDir dir;
    const QString path = dir.filePath("old.harmonia");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"format": "harmonia-project", "version": 1, "dataset": {"folder": ""},
               "runs": [], "generations": [], "settings": {"scheme": "CPWord", "promptBars": 2, "page": 3}})");
    f.close();
    MainWindow window;
    QString error;
    QVERIFY2(window.openProject(path, &error), qPrintable(error));
    QCOMPARE(window.tokenizerPage()->schemeName(), QStringLiteral("CPWord"));
    QCOMPARE(window.generatePage()->promptBars(), 2);
    QCOMPARE(window.currentPage(), 3);
    QVERIFY(window.datasetPage()->usableFiles().isEmpty());  // version 1 did not import on open
    // A newer version is refused with a reason.
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(R"({"format": "harmonia-project", "version": 99})");
    f.close();
    QVERIFY(!window.openProject(path, &error));
    QVERIFY2(error.contains("newer"), qPrintable(error));
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
    // 5 pages light, dark and in presentation mode; the same for the attention view, the embedding
    // maps and the step-through panel; the recording panel and Regenerate selection once.
    QCOMPARE(shots.size(), 15 + 6 + 3 + 1 + 1);
    QVERIFY(shots.contains(dir.filePath("4-generate-regenerate-light.png")));
    QVERIFY(shots.contains(dir.filePath("6-attention-light.png")));
    QVERIFY(shots.contains(dir.filePath("presentation-7-embeddings.png")));
    QVERIFY(shots.contains(dir.filePath("5-runs-light.png")));
    QVERIFY(shots.contains(dir.filePath("presentation-3-training.png")));
    for (const auto& s : shots) {
      QImage img(s);
      QVERIFY(!img.isNull());
      QCOMPARE(img.width(), window.width());
    }
  }
};

