// `harmonia-studio --screenshot DIR`: drives the window through the pipeline on the default
// corpus (import, tokenizer preview, a short training run of the tiny preset, three
// candidates generated after a prompt; a second run at three times the learning rate for the
// Runs page) and saves one PNG per page, light and dark, and in presentation mode, for the
// README and for checking the layout by eye.
#pragma once

#include <QString>
#include <QStringList>

namespace harmonia::ui {

class MainWindow;

// Returns the files written; `error` says why when the list is empty.
// `trainingSteps` sets the length of the tour's training run (tests keep it short).
QStringList takeScreenshots(MainWindow& window, const QString& dir, QString* error = nullptr, int trainingSteps = 60);

}  // namespace harmonia::ui
