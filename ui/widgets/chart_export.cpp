#include "ui/widgets/chart_export.hpp"

#include <QFile>
#include <QFileInfo>
#include <qcustomplot.h>

#ifdef HARMONIA_HAVE_QT_SVG
#include <QSvgGenerator>
#endif

namespace harmonia::ui {

bool svgExportAvailable() {
#ifdef HARMONIA_HAVE_QT_SVG
  return true;
#else
  return false;
#endif
}

bool exportChart(QCustomPlot* plot, const QString& path, QString* error) {
  auto fail = [&](const QString& why) {
    if (error) *error = QObject::tr("%1: %2").arg(path, why);
    return false;
  };
  // A hidden or tiny chart (a test, a page not shown yet) still gives a readable picture.
  const int w = std::max(plot->width(), 640), h = std::max(plot->height(), 360);
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == QLatin1String("png")) {
    // Twice the pixels: sharp on a slide or a high-density screen.
    if (!plot->savePng(path, w, h, 2.0)) return fail(QObject::tr("could not write the PNG (is the folder writable?)"));
    return true;
  }
  if (suffix == QLatin1String("svg")) {
#ifdef HARMONIA_HAVE_QT_SVG
    QFile probe(path);  // QSvgGenerator says nothing when it cannot write
    if (!probe.open(QIODevice::WriteOnly)) return fail(QObject::tr("cannot write (%1)").arg(probe.errorString()));
    probe.close();
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(QSize(w, h));
    svg.setViewBox(QRect(0, 0, w, h));
    svg.setTitle(QObject::tr("Harmonia Studio chart"));
    QCPPainter painter;
    if (!painter.begin(&svg)) return fail(QObject::tr("could not start the SVG"));
    plot->toPainter(&painter, w, h);
    painter.end();
    if (QFileInfo(path).size() == 0) return fail(QObject::tr("the SVG came out empty"));
    return true;
#else
    return fail(QObject::tr("this build has no SVG export (Qt 6 SVG was not found when it was built; install "
                            "qt6-svg-dev and build again), export a PNG instead"));
#endif
  }
  return fail(QObject::tr("choose a file name ending in .png or .svg"));
}

}  // namespace harmonia::ui
