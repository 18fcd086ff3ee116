// The studio's main window: the pipeline as a visible sequence of pages.
#pragma once

#include <QMainWindow>

class QListWidget;
class QStackedWidget;

namespace harmonia::ui {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  int pageCount() const;
  QString pageTitle(int index) const;
  void showPage(int index);
  int currentPage() const;

 private:
  QListWidget* steps_ = nullptr;
  QStackedWidget* pages_ = nullptr;
};

}  // namespace harmonia::ui
