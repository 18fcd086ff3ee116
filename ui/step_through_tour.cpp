#include "ui/step_through_tour.hpp"

#include <QApplication>
#include <QDir>
#include <QPushButton>
#include <QTimer>

#include "ui/main_window.hpp"
#include "ui/pages/generate_page.hpp"
#include "ui/pages/step_through_panel.hpp"
#include "ui/screenshot_tour.hpp"
#include "ui/widgets/model_choice_box.hpp"
#include "ui/widgets/piano_roll_widget.hpp"
#include "ui/widgets/queued_plot.hpp"

namespace harmonia::ui {

QStringList takeStepThroughScreenshots(MainWindow& window, const QString& dir, const QString& pattern) {
  auto* gen = window.generatePage();
  auto* panel = gen ? gen->findChild<StepThroughPanel*>() : nullptr;
  if (!panel || gen->modelChoice()->activeModelDir().isEmpty()) return {};
  window.showPage(3);
  QApplication::processEvents();
  // What the page showed (the tour's generated candidates): put back after the picture.
  const midi::Score shown = gen->currentScore();
  const midi::Tick shownPromptEnd = gen->rollView()->roll()->promptEnd();
  panel->setExpanded(true);
  if (panel->state().step < 0) {
    // Two bars and a few tokens into a piece: chips, notes in the roll, a chart mid-bar.
    for (int i = 0; i < 2; ++i) {
      panel->stepBar();
      runEventsUntil([&] { return !panel->isBusy(); }, 60000);
    }
    for (int i = 0; i < 6; ++i) {
      panel->step();
      runEventsUntil([&] { return !panel->isBusy(); }, 60000);
    }
  } else {
    emit panel->scoreChanged(panel->state().score, panel->state().prompt_end);
  }
  QApplication::processEvents();
  gen->rollView()->centreOnNotes();
  QApplication::processEvents();
  ReplotQueue::flush();
  // The chart's first layout at this height may change how many candidates it shows: that
  // redraw too.
  QApplication::processEvents();
  ReplotQueue::flush();
  QStringList written;
  const QString path = QDir(dir).filePath(pattern.arg(QStringLiteral("4b-step-through")));
  if (saveTourPicture(window, path)) written << path;
  panel->setExpanded(false);
  gen->showScore(shown, shownPromptEnd);
  QApplication::processEvents();
  return written;
}

}  // namespace harmonia::ui
