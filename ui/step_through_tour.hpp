// The screenshot tour's picture of step-through generation (issue 17): the Generate page with
// the step-through panel open a few tokens into a piece, the chart showing the last draw.
// Called by takeScreenshots (ui/screenshot_tour.hpp) once per theme.
#pragma once

#include <QString>
#include <QStringList>

namespace harmonia::ui {

class MainWindow;

// Saves "4b-step-through" as `pattern`.arg(name) in `dir` (pattern e.g. "%1-light.png" or
// "presentation-%1.png"); returns the files written. Steps the Generate page's model the first
// time (nothing when it has none), and leaves the page's roll and panel as it found them.
QStringList takeStepThroughScreenshots(MainWindow& window, const QString& dir, const QString& pattern);

}  // namespace harmonia::ui
