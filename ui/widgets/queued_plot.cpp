#include "ui/widgets/queued_plot.hpp"

#include <QCoreApplication>
#include <QTimer>

namespace harmonia::ui {

ReplotQueue* ReplotQueue::instance() {
  // Owned by the application, so it goes before Qt does; QPointer drops deleted plots.
  static QPointer<ReplotQueue> queue;
  if (!queue) queue = new ReplotQueue(QCoreApplication::instance());
  return queue;
}

void ReplotQueue::request(QCustomPlot* plot) {
  ReplotQueue* q = instance();
  for (const auto& p : q->pending_)
    if (p == plot) return;
  q->pending_.append(plot);
  q->schedule();
}

void ReplotQueue::flush() {
  ReplotQueue* q = instance();
  while (!q->pending_.isEmpty()) {
    const QPointer<QCustomPlot> plot = q->pending_.takeFirst();
    if (plot) plot->replot(QCustomPlot::rpImmediateRefresh);
  }
}

void ReplotQueue::schedule() {
  if (scheduled_ || pending_.isEmpty()) return;
  scheduled_ = true;
  // A zero timer runs on the next turn of the event loop, after what is already queued.
  QTimer::singleShot(0, this, &ReplotQueue::replotOne);
}

void ReplotQueue::replotOne() {
  scheduled_ = false;
  while (!pending_.isEmpty()) {
    const QPointer<QCustomPlot> plot = pending_.takeFirst();
    if (!plot) continue;
    plot->replot(QCustomPlot::rpRefreshHint);  // draws the buffers now, repaints with the next frame
    break;
  }
  schedule();
}

void QueuedPlot::resizeEvent(QResizeEvent*) {
  setViewport(rect());
  ReplotQueue::request(this);
}

}  // namespace harmonia::ui
