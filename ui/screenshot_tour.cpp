#include "ui/screenshot_tour.hpp"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

#include "ui/dataset_page.hpp"
#include "ui/generate_page.hpp"
#include "ui/main_window.hpp"
#include "ui/piano_roll_widget.hpp"
#include "ui/tokenizer_page.hpp"

namespace harmonia::ui {

namespace {


// Runs the event loop until `done` or the timeout; the tour must not hang a CI job.
template <typename F>
bool waitFor(F done, int timeoutMs) {
  QElapsedTimer t;
  t.start();
  while (!done()) {
    if (t.elapsed() > timeoutMs) return false;
    QApplication::processEvents(QEventLoop::AllEvents, 50);
  }
  return true;
}

const char* const kNames[] = {"1-dataset", "2-tokenizer", "3-training", "4-generate"};

}  // namespace

QStringList takeScreenshots(MainWindow& window, const QString& dir, QString* error) {
  QStringList written;
  if (!QDir().mkpath(dir)) {
    if (error) *error = QObject::tr("cannot create %1").arg(dir);
    return {};
  }
  window.resize(1600, 1000);
  window.show();
  auto* dataset = window.datasetPage();
  if (!dataset->isDefaultCorpus() && dataset->folder().isEmpty()) dataset->useDefaultCorpus();
  dataset->startImport();
  // The page leaves Running only once its last queued result has been shown.
  waitFor([&] { return dataset->state() != StepState::Running; }, 120000);
  waitFor([&] { return window.tokenizerPage()->isIdle(); }, 60000);
  const QStringList files = dataset->usableFiles();
  if (!files.isEmpty()) {
    auto* gen = window.generatePage();
    gen->setPromptBars(8);
    gen->openPrompt(files.front());
    gen->rollView()->roll()->setPlayHead(gen->rollView()->roll()->promptEnd() / 2);
  }
  for (const auto theme : {Theme::Light, Theme::Dark}) {
    window.setTheme(theme);
    for (int i = 0; i < window.pageCount(); ++i) {
      window.showPage(i);
      QApplication::processEvents();
      if (i == 3) window.generatePage()->rollView()->centreOnNotes();
      QApplication::processEvents();
      const QString path = QDir(dir).filePath(QStringLiteral("%1-%2.png").arg(kNames[i], themeName(theme)));
      if (window.grab().save(path)) written << path;
    }
  }
  window.setTheme(Theme::Light);
  if (written.isEmpty() && error) *error = QObject::tr("no screenshot could be written to %1").arg(dir);
  return written;
}

}  // namespace harmonia::ui
