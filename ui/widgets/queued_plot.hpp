// QCustomPlot replots cost 5-20 ms of GUI-thread time each on a loaded machine. Showing the
// Training page resizes three plots at once, and QCustomPlot replots inside its resize
// event: together they stalled the event loop for 40 ms. QueuedPlot defers the replot a
// resize needs, and ReplotQueue runs pending replots one per event-loop turn, so input and
// timers get in between (the responsiveness test measures this).
#pragma once

#include <QObject>
#include <QPointer>
#include <QList>
#include <qcustomplot.h>

namespace harmonia::ui {

class ReplotQueue : public QObject {
  Q_OBJECT
 public:
  // Replots `plot` soon, on a later event-loop turn than any other plot in the queue.
  // Requests for a plot already waiting are merged. GUI thread only.
  static void request(QCustomPlot* plot);
  // Replots every waiting plot now (before a screenshot).
  static void flush();

 private:
  explicit ReplotQueue(QObject* parent) : QObject(parent) {}
  static ReplotQueue* instance();
  void schedule();
  void replotOne();

  QList<QPointer<QCustomPlot>> pending_;
  bool scheduled_ = false;
};

// A QCustomPlot whose resize only records the new size and queues the replot.
class QueuedPlot : public QCustomPlot {
  Q_OBJECT
 public:
  using QCustomPlot::QCustomPlot;

 protected:
  void resizeEvent(QResizeEvent* event) override;
};

}  // namespace harmonia::ui
