// `harmonia-studio --screenshot DIR`: drives the window through the pipeline on the default
// corpus (import, tokenizer preview, a prompt in the piano roll) and saves one PNG per page,
// light and dark, for the README and for checking the layout by eye.
#pragma once

#include <QString>
#include <QStringList>

namespace harmonia::ui {

class MainWindow;

// Returns the files written; `error` says why when the list is empty.
QStringList takeScreenshots(MainWindow& window, const QString& dir, QString* error = nullptr);

}  // namespace harmonia::ui
