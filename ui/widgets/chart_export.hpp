// A chart as a file for slides and reports: PNG through QCustomPlot's own renderer, SVG
// through Qt SVG's QSvgGenerator (the same drawing, as vectors). The build has SVG only
// where Qt 6 SVG (Debian: qt6-svg-dev) was found; svgExportAvailable() says so.
#pragma once

#include <QString>

class QCustomPlot;

namespace harmonia::ui {

bool svgExportAvailable();
// Writes `plot` at its on-screen size (at least 640x360) to `path`: PNG for *.png, SVG for
// *.svg. False with a message naming the file otherwise (unknown extension, no SVG in this
// build, a folder that cannot be written).
bool exportChart(QCustomPlot* plot, const QString& path, QString* error = nullptr);

}  // namespace harmonia::ui
