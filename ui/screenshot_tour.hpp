// `harmonia-studio --screenshot DIR`: drives the window through the pipeline on the default
// corpus (import, tokenizer preview, a short training run of the tiny preset, three
// candidates generated after a prompt; a second run at three times the learning rate for the
// Runs page) and saves one PNG per page, light and dark, and in presentation mode, for the
// README and for checking the layout by eye.
#pragma once

#include <QElapsedTimer>
#include <QEventLoop>
#include <QString>
#include <QStringList>
#include <QTimer>

class QWidget;

namespace harmonia::ui {

class MainWindow;

// Runs the event loop until `done()` or the timeout (a tour must not hang a CI job); false on
// timeout. It sleeps in the event loop until something arrives (at most 20 ms):
// processEvents() in a loop returns at once when nothing is queued and would spin a whole
// core, starving the lower-priority workers it waits for on a 2-core machine.
template <typename F>
bool runEventsUntil(F done, int timeoutMs) {
  QElapsedTimer t;
  t.start();
  while (!done()) {
    if (t.elapsed() > timeoutMs) return false;
    QEventLoop loop;
    QTimer::singleShot(20, &loop, &QEventLoop::quit);
    loop.exec();
  }
  return true;
}

// Saves one picture of `window` at the tour's 1280x720: a panel opened earlier can make Qt grow
// the window past it (the step-through panel's pictures came out 1280x766), and it never shrinks
// back by itself. A window whose minimum is taller still comes out taller: that is the finding.
bool saveTourPicture(QWidget& window, const QString& path);

// Returns the files written; `error` says why when the list is empty.
// `trainingSteps` sets the length of the tour's training run (tests keep it short).
QStringList takeScreenshots(MainWindow& window, const QString& dir, QString* error = nullptr, int trainingSteps = 60);

}  // namespace harmonia::ui
