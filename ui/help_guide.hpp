// Help › Studio Guide (F1): what each page does and the words it uses (what a token is,
// what the loss is), and the keyboard shortcuts, read from the window's own actions so the
// list cannot drift from the menus. A non-modal window beside the studio.
#pragma once

#include <QString>

class QMainWindow;
class QWidget;

namespace harmonia::ui {

namespace HelpGuide {
// The guide as HTML; the shortcut table lists every action of `window` that has one.
QString html(const QMainWindow* window);
// Opens the guide (or raises the one already open); returns its window.
QWidget* show(QMainWindow* window);
}  // namespace HelpGuide

}  // namespace harmonia::ui
