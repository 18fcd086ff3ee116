#include "ui/presentation.hpp"

#include <QApplication>
#include <QScrollArea>
#include <algorithm>
#include <QVariant>
#include <qcustomplot.h>

#include "ui/theme.hpp"
#include "ui/widgets/queued_plot.hpp"

namespace harmonia::ui {

namespace {

bool g_on = false;
constexpr int kPresentationColumnMin = 380, kPresentationColumnMax = 560;
QFont g_baseFont;

const char* const kBase = "harmoniaNormalSize";  // a size at normal scale, kept on the object
const char* const kColumnMin = "harmoniaNormalMinimumWidth";  // a settings column's own limits
const char* const kColumnMax = "harmoniaNormalMaximumWidth";

// The object's size at normal scale: recorded the first time it is seen.
double normalSize(QObject* o, double current) {
  const QVariant v = o->property(kBase);
  if (v.isValid()) return v.toDouble();
  o->setProperty(kBase, current);
  return current;
}

QFont scaledFont(QObject* owner, QFont font, double scale) {
  if (font.pointSizeF() > 0) font.setPointSizeF(normalSize(owner, font.pointSizeF()) * scale);
  return font;
}

}  // namespace

bool presentationMode() { return g_on; }

void stylePlotForPresentation(QCustomPlot* plot) {
  const double fontScale = g_on ? kPresentationFontScale : 1.0, penScale = g_on ? kPresentationPenScale : 1.0;
  for (int i = 0; i < plot->plottableCount(); ++i) {
    QCPAbstractPlottable* p = plot->plottable(i);
    QPen pen = p->pen();
    // A cosmetic 0-width pen is drawn 1 px wide.
    pen.setWidthF(std::max(1.0, normalSize(p, pen.widthF())) * penScale);
    p->setPen(pen);
    if (auto* g = qobject_cast<QCPGraph*>(p)) {
      QCPScatterStyle s = g->scatterStyle();
      if (!s.isNone()) {
        const QVariant base = g->property("harmoniaNormalScatter");
        const double size = base.isValid() ? base.toDouble() : s.size();
        g->setProperty("harmoniaNormalScatter", size);
        s.setSize(size * penScale);
        g->setScatterStyle(s);
      }
    }
  }
  for (QCPAxisRect* rect : plot->axisRects())
    for (QCPAxis* axis : rect->axes()) {
      // Two sizes on one object: the tick labels' and the axis label's.
      QFont tick = axis->tickLabelFont();
      const QVariant tb = axis->property("harmoniaNormalTick");
      const double tickPt = tb.isValid() ? tb.toDouble() : tick.pointSizeF();
      axis->setProperty("harmoniaNormalTick", tickPt);
      if (tickPt > 0) tick.setPointSizeF(tickPt * fontScale);
      axis->setTickLabelFont(tick);
      axis->setLabelFont(scaledFont(axis, axis->labelFont(), fontScale));
      // Fewer, larger tick labels: at 1.6x five of them overlap on a short chart.
      const bool vertical = axis->orientation() == Qt::Vertical;
      axis->ticker()->setTickCount(g_on ? (vertical ? 3 : 4) : 5);
      QPen base = axis->basePen();
      base.setWidthF(std::max(1.0, g_on ? 2.0 : 1.0));
      axis->setBasePen(base);
    }
  if (plot->legend) {
    plot->legend->setFont(scaledFont(plot->legend, plot->legend->font(), fontScale));
    for (int i = 0; i < plot->legend->itemCount(); ++i)
      if (auto* item = plot->legend->item(i)) item->setFont(plot->legend->font());
  }
  for (QCPLayoutElement* e : plot->plotLayout()->elements(true))
    if (auto* title = qobject_cast<QCPTextElement*>(e)) title->setFont(scaledFont(title, title->font(), fontScale));
  ReplotQueue::request(plot);
}

void setPresentationMode(QApplication& app, bool on) {
  if (on == g_on) return;
  if (on) {
    g_baseFont = app.font();
    QFont big = g_baseFont;
    if (big.pointSizeF() > 0)
      big.setPointSizeF(big.pointSizeF() * kPresentationFontScale);
    else
      big.setPixelSize(int(big.pixelSize() * kPresentationFontScale + 0.5));
    app.setFont(big);
  } else {
    app.setFont(g_baseFont);
  }
  g_on = on;
  setHighContrast(on);
  applyTheme(app, currentTheme());
  for (QWidget* w : QApplication::allWidgets()) {
    if (auto* plot = qobject_cast<QCustomPlot*>(w)) stylePlotForPresentation(plot);
    // The pages' settings columns (PipelinePage::sideColumn, 380-440 px; some pages set their
    // own): their forms need more width at 1.6x, and what still does not fit scrolls sideways
    // instead of being cut. A column may ask for more than 380 px (kPresentationMinimumWidth).
    // Each column gets its own limits back.
    if (auto* column = qobject_cast<QScrollArea*>(w); column && column->objectName() == QLatin1String("sideColumn")) {
      if (!column->property(kColumnMin).isValid()) {
        column->setProperty(kColumnMin, column->minimumWidth());
        column->setProperty(kColumnMax, column->maximumWidth());
      }
      const int wanted = std::clamp(column->property(kPresentationMinimumWidth).toInt(), kPresentationColumnMin,
                                    kPresentationColumnMax);
      column->setMinimumWidth(on ? wanted : column->property(kColumnMin).toInt());
      column->setMaximumWidth(on ? kPresentationColumnMax : column->property(kColumnMax).toInt());
      column->setHorizontalScrollBarPolicy(on ? Qt::ScrollBarAsNeeded : Qt::ScrollBarAlwaysOff);
    }
  }
}

}  // namespace harmonia::ui
