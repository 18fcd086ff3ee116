#include "ui/inside_model_tour.hpp"

#include "ui/screenshot_tour.hpp"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTimer>

#include "ui/main_window.hpp"
#include "ui/pages/inside_model_page.hpp"
#include "ui/widgets/queued_plot.hpp"

namespace harmonia::ui {

namespace {

// The page's workers finish in a second or two; never wait more than a minute.
void waitIdle(const InsideModelPage* page) {
  QElapsedTimer t;
  t.start();
  while (page->isBusy() && t.elapsed() < 60000) {
    QEventLoop loop;
    QTimer::singleShot(20, &loop, &QEventLoop::quit);
    loop.exec();
  }
  QApplication::processEvents();
}

}  // namespace

QStringList takeInsideModelScreenshots(MainWindow& window, const QString& dir, const QString& pattern) {
  QStringList written;
  InsideModelPage* page = window.insideModelPage();
  auto* stack = page ? qobject_cast<QStackedWidget*>(page->parentWidget()) : nullptr;
  if (!stack) return written;
  auto save = [&](const QString& name) {
    QApplication::processEvents();
    ReplotQueue::flush();
    const QString path = QDir(dir).filePath(pattern.arg(name));
    if (saveTourPicture(window, path)) written << path;
  };
  page->tabs()->setCurrentIndex(0);
  window.showPage(stack->indexOf(page));
  waitIdle(page);
  if (page->attention().length > 0) {
    // A token well into the piece, and the mean of the last layer's heads: what a class sees first.
    page->setLayerHead(page->attention().layers - 1, page->attention().heads);
    page->showQuery(std::min(page->attention().length - 1, 47));
    page->revealQuery();
  }
  save(QStringLiteral("6-attention"));
  page->tabs()->setCurrentIndex(1);
  waitIdle(page);
  save(QStringLiteral("7-embeddings"));
  page->tabs()->setCurrentIndex(0);
  return written;
}

}  // namespace harmonia::ui
