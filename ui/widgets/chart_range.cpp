#include "ui/widgets/chart_range.hpp"

#include <algorithm>
#include <qcustomplot.h>

namespace harmonia::ui {

namespace {

QCPRange sane(bool found, QCPRange r, bool log) {
  if (!found) return log ? QCPRange(0.1, 10) : QCPRange(0, 1);
  if (r.upper > r.lower) return r;
  const double v = r.lower;
  if (log) return QCPRange(v / 2, v * 2);
  return v >= 0 ? QCPRange(std::max(0.0, v - 1), v + 1) : QCPRange(v - 1, v + 1);
}

void merge(bool& found, QCPRange& into, bool f, const QCPRange& r) {
  if (!f) return;
  into = found ? QCPRange(std::min(into.lower, r.lower), std::max(into.upper, r.upper)) : r;
  found = true;
}

}  // namespace

void fitChartAxes(QCustomPlot* plot, bool keys, bool values) {
  const bool keyLog = plot->xAxis->scaleType() == QCPAxis::stLogarithmic;
  const bool valueLog = plot->yAxis->scaleType() == QCPAxis::stLogarithmic;
  bool keyFound = false, valueFound = false;
  QCPRange keyRange, valueRange;
  for (int i = 0; i < plot->plottableCount(); ++i) {
    QCPAbstractPlottable* p = plot->plottable(i);
    if (!p->visible()) continue;
    bool f = false;
    const QCPRange k = p->getKeyRange(f, keyLog ? QCP::sdPositive : QCP::sdBoth);
    merge(keyFound, keyRange, f, k);
    const QCPRange v = p->getValueRange(f, valueLog ? QCP::sdPositive : QCP::sdBoth);
    merge(valueFound, valueRange, f, v);
  }
  if (keys) plot->xAxis->setRange(sane(keyFound, keyRange, keyLog));
  if (values) plot->yAxis->setRange(sane(valueFound, valueRange, valueLog));
}

}  // namespace harmonia::ui
