#include "ui/screenshot_tour.hpp"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QScrollArea>
#include <QTimer>

#include "ui/classroom_view.hpp"
#include "ui/inside_model_tour.hpp"
#include "ui/pages/dataset_page.hpp"
#include "ui/pages/runs_page.hpp"
#include "ui/pages/generate_page.hpp"
#include "ui/pages/record_panel.hpp"
#include "ui/pages/regenerate_panel.hpp"
#include "ui/main_window.hpp"
#include "ui/widgets/bar_selection.hpp"
#include "ui/widgets/model_choice_box.hpp"
#include "ui/widgets/piano_roll_widget.hpp"
#include "ui/widgets/queued_plot.hpp"
#include "ui/pages/training_page.hpp"
#include "ui/pages/tokenizer_page.hpp"
#include "ui/step_through_tour.hpp"

namespace harmonia::ui {

namespace {

const char* const kNames[] = {"1-dataset", "2-tokenizer", "3-training", "4-generate", "5-runs"};

}  // namespace

bool saveTourPicture(QWidget& window, const QString& path) {
  if (window.size() != QSize(1280, 720)) {
    window.resize(1280, 720);
    runEventsUntil([] { return false; }, 200);  // let every page lay out at the new size
    ReplotQueue::flush();
    QApplication::processEvents();
  }
  return window.grab().save(path);
}

QStringList takeScreenshots(MainWindow& window, const QString& dir, QString* error, int trainingSteps) {
  QStringList written;
  if (!QDir().mkpath(dir)) {
    if (error) *error = QObject::tr("cannot create %1").arg(dir);
    return {};
  }
  // The docs show the studio as a class sees it on a projector.
  window.resize(1280, 720);
  window.show();
  auto* dataset = window.datasetPage();
  if (!dataset->isDefaultCorpus() && dataset->folder().isEmpty()) dataset->useDefaultCorpus();
  dataset->startImport();
  // The page leaves Running only once its last queued result has been shown.
  runEventsUntil([&] { return dataset->state() != StepState::Running; }, 120000);
  runEventsUntil([&] { return window.tokenizerPage()->isIdle(); }, 60000);
  const QStringList files = dataset->usableFiles();
  // A short real run of the tiny preset, so that the charts and the generated notes shown
  // are real; its folder is temporary (the tour leaves the user's runs alone).
  QTemporaryDir runs;
  auto* training = window.trainingPage();
  auto* gen = window.generatePage();
  if (!files.isEmpty() && training_available() && runs.isValid()) {
    window.showPage(2);
    TrainingSpec s = training->spec();
    s.preset = "tiny";
    s.max_steps = trainingSteps;
    s.batch_size = 4;
    s.seq_len = 128;
    s.warmup_steps = 5;
    s.eval_every = 10;
    training->setHyperparameters(s);
    training->setRunsRoot(runs.path());
    training->start();
    runEventsUntil([&] { return !training->isTraining(); }, 600000);
    // A second run at three times the learning rate, for the Runs page to compare with; it
    // learns to fill in the middle too, for the Regenerate selection picture.
    s.lr *= 3;
    s.fim_rate = 0.5;
    training->setHyperparameters(s);
    training->start();
    runEventsUntil([&] { return !training->isTraining(); }, 600000);
  }
  if (!files.isEmpty()) {
    // The starter model where it is installed: a composer's first generation is from it, and
    // the tour's run (a few steps of the tiny preset) has learned too little to show music.
    // The starter writes its own pop songs from nothing: continuing the default corpus' game
    // music (several instruments) it added about one note a bar.
    const bool starter = gen->modelChoice()->setChoice(ModelChoiceBox::Choice::Starter);
    if (!starter) {
      gen->setPromptBars(4);
      gen->openPrompt(files.front());
    }
    if (generation_available() && !gen->modelChoice()->activeModelDir().isEmpty()) {
      SamplingSettings s = gen->samplingSettings();
      s.seed = 7;
      // Eight bars: more than the roll shows at this size, and quick to write. The tour's
      // barely trained run keeps a token cap: it would take long over them with little music.
      s.bars = 8;
      s.max_new_tokens = starter ? 0 : 384;
      s.candidates = 3;
      gen->setSamplingSettings(s);
      window.showPage(3);
      gen->generate();
      runEventsUntil([&] { return !gen->isGenerating(); }, 300000);
      QApplication::processEvents();
    }
    // Half-way through the prompt, or a bar and a half into a piece written from nothing.
    const midi::Tick promptEnd = gen->rollView()->roll()->promptEnd();
    gen->rollView()->roll()->setPlayHead(promptEnd > 0 ? promptEnd / 2 : gen->currentScore().ticks_per_quarter * 6);
  }
  // Light, dark, and the light theme in presentation mode with the steps' explanations (a
  // projector's view).
  for (const auto& [theme, presenting] : {std::pair{Theme::Light, false}, {Theme::Dark, false}, {Theme::Light, true}}) {
    window.setTheme(theme);
    window.classroom()->setPresentationMode(presenting);
    window.classroom()->setExplanationsShown(presenting);
    for (int i = 0; i < window.pageCount() && i < int(std::size(kNames)); ++i) {
      window.showPage(i);
      QApplication::processEvents();
      runEventsUntil([&] { return !window.runsPage()->isReading(); }, 30000);  // the Runs page reads when shown
      if (i == 3) {
        // From the start (streaming left the view at the last note): the prompt band, if any,
        // then the new bars.
        window.generatePage()->rollView()->ensureTickVisible(0);
        window.generatePage()->rollView()->centreOnNotes();
      }
      QApplication::processEvents();
      ReplotQueue::flush();  // charts replot one per event-loop turn: finish them
      const QString path = QDir(dir).filePath(presenting ? QStringLiteral("presentation-%1.png").arg(kNames[i])
                                                         : QStringLiteral("%1-%2.png").arg(kNames[i], themeName(theme)));
      if (saveTourPicture(window, path)) written << path;
    }
    written << takeInsideModelScreenshots(window, dir, presenting ? QStringLiteral("presentation-%1.png")
                                                                  : QStringLiteral("%1-") + themeName(theme) + ".png");
    written << takeStepThroughScreenshots(window, dir, presenting ? QStringLiteral("presentation-%1.png")
                                                                  : QStringLiteral("%1-") + themeName(theme) + ".png");
  }
  window.classroom()->setPresentationMode(false);
  window.classroom()->setExplanationsShown(false);
  window.setTheme(Theme::Light);
  // The Generate page scrolled to the recording panel and the add-a-part and track boxes.
  window.showPage(3);
  QApplication::processEvents();
  for (QWidget* w = gen->recordPanel(); w; w = w->parentWidget())
    if (auto* area = qobject_cast<QScrollArea*>(w)) {
      area->ensureWidgetVisible(gen->recordPanel(), 0, 0);
      break;
    }
  QApplication::processEvents();
  if (saveTourPicture(window, QDir(dir).filePath(QStringLiteral("4-generate-record-light.png"))))
    written << QDir(dir).filePath(QStringLiteral("4-generate-record-light.png"));
  // Regenerate selection (issue 18) with the tour's second run, which learned to fill in the
  // middle: bars 3-4 of the generated piece filled again, the second of three candidates on
  // audition (its new notes ringed), the panel in view.
  auto* regenerate = gen->regeneratePanel();
  if (gen->currentScore().note_count() > 0 && gen->modelChoice()->setChoice(ModelChoiceBox::Choice::Trained)) {
    gen->barSelection()->selectBars(2, 3);
    regenerate->regenerate();
    runEventsUntil([&] { return !regenerate->isRunning(); }, 300000);
    if (regenerate->candidateCount() > 1) regenerate->candidateList()->setCurrentRow(1);
    // The candidate list has just appeared: let the settings column lay out its new height
    // before scrolling to the panel (one processEvents() left it squeezed in the picture).
    runEventsUntil([] { return false; }, 300);
    for (QWidget* w = regenerate; w; w = w->parentWidget())
      if (auto* area = qobject_cast<QScrollArea*>(w)) {
        area->ensureWidgetVisible(regenerate, 0, 0);
        break;
      }
    const midi::Tick bar = gen->barSelection()->endTick() - gen->barSelection()->startTick();
    gen->rollView()->frameTicks(std::max<midi::Tick>(0, gen->barSelection()->startTick() - bar / 2),
                                gen->barSelection()->endTick() + bar / 2);
    runEventsUntil([] { return false; }, 300);
    const QString path = QDir(dir).filePath(QStringLiteral("4-generate-regenerate-light.png"));
    if (regenerate->auditioning() && saveTourPicture(window, path)) written << path;
    regenerate->discard();
    gen->barSelection()->clear();
  }
  gen->setModelDir({});  // the run folder goes with the tour
  if (written.isEmpty() && error) *error = QObject::tr("no screenshot could be written to %1").arg(dir);
  return written;
}

}  // namespace harmonia::ui
