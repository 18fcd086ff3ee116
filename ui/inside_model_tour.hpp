// The screenshot tour's pictures of the "Inside the model" page (issue 17): the attention view
// on the music the tour generated, and the embedding maps of the model before and after
// training. Called by takeScreenshots (ui/screenshot_tour.hpp) once per theme.
#pragma once

#include <QString>
#include <QStringList>

namespace harmonia::ui {

class MainWindow;

// Saves "6-attention" and "7-embeddings" as `pattern`.arg(name) in `dir` (pattern e.g.
// "%1-light.png" or "presentation-%1.png"); returns the files written.
QStringList takeInsideModelScreenshots(MainWindow& window, const QString& dir, const QString& pattern);

}  // namespace harmonia::ui
