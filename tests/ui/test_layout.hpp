#pragma once
// The studio on a projector (issue 21): the main window fits 1280x720 and 1366x768, and on
// every page, after an import, a training run and a generation, no button, label, check box,
// combo box or group box has its text cut, and nothing lies outside the window.
#include <QMainWindow>
#include <QMenu>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include "core/tokenizer/tokenizer.hpp"
#include "ui/classroom_view.hpp"
#include "ui/main_window.hpp"
#include "ui/pages/step_through_panel.hpp"
#include "ui/pages/dataset_page.hpp"
#include "ui/pages/generate_page.hpp"
#include "ui/pages/training_page.hpp"
#include "ui/widgets/model_choice_box.hpp"
#include "ui/widgets/queued_plot.hpp"
#include "generation_reference.hpp"
#include "layout_audit.hpp"
#include "ui_test_support.hpp"

using harmonia::ui::MainWindow;

class TestLayout final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
  }

  // A projector's 1280x720 less a window frame and a panel leaves about 1200x680.
  void minimumSizeFitsAProjector_data() {
    QTest::addColumn<bool>("presentation");
    QTest::newRow("normal") << false;
    QTest::newRow("presentation") << true;  // text x1.6, the steps' explanations shown
  }

  void minimumSizeFitsAProjector() {
    QFETCH(bool, presentation);
    MainWindow window;
    window.show();
    window.classroom()->setPresentationMode(presentation);
    window.classroom()->setExplanationsShown(presentation);
    auto normal = qScopeGuard([&] {
      window.classroom()->setPresentationMode(false);
      window.classroom()->setExplanationsShown(false);
    });
    for (int page = 0; page < window.pageCount(); ++page) {
      window.showPage(page);
      QTest::qWait(50);  // settled: layout requests climb one parent per event-loop pass
      const QSize min = window.minimumSizeHint().expandedTo(window.minimumSize());
      QString widest;  // which page and which of its parts ask for the width
      auto* stack = window.findChild<QStackedWidget*>();
      for (int i = 0; stack && i < stack->count(); ++i) {
        QWidget* p = stack->widget(i);
        widest += QStringLiteral("\n  %1: %2 px").arg(QString::fromLatin1(p->metaObject()->className())).arg(p->minimumSizeHint().width());
        for (auto* w : p->findChildren<QWidget*>())
          if (w->isVisibleTo(p) && w->minimumSizeHint().width() > 300)
            widest += QStringLiteral("\n    %1 %2: %3 px").arg(QString::fromLatin1(w->metaObject()->className()), w->objectName()).arg(w->minimumSizeHint().width());
      }
      qInfo("page %d: minimum window size %dx%d", page + 1, min.width(), min.height());
      if (page == 3) {
        // The step-through panel expanded asks for its chart's height too (it made the
        // window's minimum 702 px high, 766 in presentation mode: the window grew off a
        // 720-pixel screen).
        auto* panel = window.findChild<harmonia::ui::StepThroughPanel*>();
        QVERIFY(panel);
        panel->setExpanded(true);
        QTest::qWait(100);  // the layout requests climb one parent per event-loop pass
        const QSize expanded = window.minimumSizeHint().expandedTo(window.minimumSize());
        panel->setExpanded(false);
        QTest::qWait(50);
        qInfo("page 4 with the step-through panel open: minimum window size %dx%d", expanded.width(), expanded.height());
        QVERIFY2(expanded.width() <= 1200 && expanded.height() <= 680,
                 qPrintable(QStringLiteral("step-through open: minimum %1x%2").arg(expanded.width()).arg(expanded.height())));
      }
      QVERIFY2(min.width() <= 1200 && min.height() <= 680,
               qPrintable(QStringLiteral("page %1: minimum %2x%3").arg(page).arg(min.width()).arg(min.height()) + widest));
    }
  }

  void nothingIsCutOff_data() {
    QTest::addColumn<QSize>("size");
    QTest::addColumn<bool>("presentation");
    QTest::newRow("1280x720") << QSize(1280, 720) << false;
    QTest::newRow("1366x768") << QSize(1366, 768) << false;
    // A teacher's projector: presentation mode with the steps' explanations shown.
    QTest::newRow("1280x720 presentation") << QSize(1280, 720) << true;
  }

  void nothingIsCutOff() {
    QFETCH(QSize, size);
    QFETCH(bool, presentation);
    using harmonia::ui::test::waitUntil;
    MainWindow window;
    window.classroom()->setPresentationMode(presentation);
    window.classroom()->setExplanationsShown(presentation);
    auto normal = qScopeGuard([&] {
      window.classroom()->setPresentationMode(false);
      window.classroom()->setExplanationsShown(false);
    });
    window.resize(size);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.size(), size);
    QStringList problems;
    auto audit = [&](const QString& when) {
      for (int page = 0; page < window.pageCount(); ++page) {
        window.showPage(page);
        QTest::qWait(50);  // settled: layout requests climb one parent per event-loop pass
        harmonia::ui::ReplotQueue::flush();
        if (window.size() != size) {  // a page asked for more: the window grew past the screen
          problems << QStringLiteral("%1, page %2: the window grew to %3x%4").arg(when).arg(page + 1).arg(window.width()).arg(window.height());
          window.resize(size);
          QTest::qWait(50);
        }
        for (const auto& p : harmonia::ui::test::layoutProblems(&window))
          problems << QStringLiteral("%1, page %2: %3").arg(when).arg(page + 1).arg(p);
      }
    };
    audit(QStringLiteral("at start"));
    // The Generate page with the step-through panel open, as a class steps through a piece.
    auto* panel = window.findChild<harmonia::ui::StepThroughPanel*>();
    QVERIFY(panel);
    auto auditStepping = [&](const QString& when) {
      panel->setExpanded(true);
      window.showPage(3);
      QTest::qWait(50);
      harmonia::ui::ReplotQueue::flush();
      if (window.size() != size) {  // the window grew past the screen
        problems << QStringLiteral("%1: the window grew to %2x%3").arg(when).arg(window.width()).arg(window.height());
        window.resize(size);
        QTest::qWait(50);
      }
      for (const auto& p : harmonia::ui::test::layoutProblems(&window))
        problems << QStringLiteral("%1, page 4: %2").arg(when, p);
      panel->setExpanded(false);
    };
    auditStepping(QStringLiteral("step-through open"));

    // The pages as a lesson leaves them: files imported, a short run charted, music generated.
    const QStringList files = harmonia::ui::test::someMidiFiles(3);
    if (!files.isEmpty()) {
      QTemporaryDir folder, cache, runs;
      for (int i = 0; i < files.size(); ++i) QFile::copy(files[i], folder.filePath(QStringLiteral("%1.mid").arg(i)));
      auto* dataset = window.datasetPage();
      dataset->setCacheRoot(cache.path());
      dataset->setFolder(folder.path());
      QSignalSpy imported(dataset, &harmonia::ui::DatasetPage::importFinished);
      dataset->startImport();
      QVERIFY(waitUntil([&] { return imported.count() == 1; }, 120000));
      if (harmonia::ui::training_available()) {
        auto* training = window.trainingPage();
        training->setRunsRoot(runs.path());
        harmonia::ui::TrainingSpec s = training->spec();
        s.preset = "tiny";
        s.max_steps = 3;
        s.batch_size = 2;
        s.seq_len = 64;
        s.warmup_steps = 1;
        s.eval_every = 2;
        training->setHyperparameters(s);
        QSignalSpy trained(training, &harmonia::ui::TrainingPage::trainingFinished);
        window.showPage(2);
        training->start();
        QVERIFY(waitUntil([&] { return trained.count() == 1; }, 150000));
      }
      if (harmonia::ui::generation_available()) {
        // Named like the studio's own run folders (run-DATE-TIME), which the picker shows.
        QTemporaryDir model(QDir::temp().filePath(QStringLiteral("run-20261207-XXXXXX")));
        harmonia::ui::test::writeTinyModel(model.path().toStdString(), 5);
        auto* gen = window.generatePage();
        gen->setModelDir(model.path());
        gen->modelChoice()->setChoice(harmonia::ui::ModelChoiceBox::Choice::Trained);
        auto sampling = gen->samplingSettings();
        sampling.max_new_tokens = 48;
        sampling.candidates = 2;
        gen->setSamplingSettings(sampling);
        gen->openPrompt(files.front());
        QSignalSpy generated(gen, &harmonia::ui::GeneratePage::generationFinished);
        window.showPage(3);
        gen->generate();
        QVERIFY(waitUntil([&] { return generated.count() == 1; }, 120000));
        audit(QStringLiteral("after a lesson"));
        for (int i = 0; i < 2; ++i) {  // the status line says what was drawn
          panel->step();
          QVERIFY(waitUntil([&] { return !panel->isBusy(); }, 60000));
        }
        QVERIFY(panel->state().step >= 0);
        auditStepping(QStringLiteral("two steps through"));
        panel->restart();
        gen->setModelDir({});
      } else {
        audit(QStringLiteral("after a lesson"));
      }
    }
    problems.removeDuplicates();
    QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("%1 problems at %2x%3:\n  ")
                                                .arg(problems.size())
                                                .arg(size.width())
                                                .arg(size.height()) +
                                            problems.join(QStringLiteral("\n  "))));
  }
};
