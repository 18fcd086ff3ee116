// What every pipeline page shares: a state the sidebar shows (not started / running / done /
// error) and a one-line hint about what the next step needs.
#pragma once

#include <QString>
#include <QWidget>

namespace harmonia::ui {

enum class StepState { NotStarted, Running, Done, Error, Unavailable };
QString stepStateText(StepState state);

class PipelinePage : public QWidget {
  Q_OBJECT
 public:
  using QWidget::QWidget;
  StepState state() const { return state_; }
  QString stateDetail() const { return detail_; }

 signals:
  void stateChanged(harmonia::ui::StepState state, const QString& detail);
  // A message for the status bar: errors say what to do.
  void statusMessage(const QString& message);

 protected:
  void setState(StepState state, const QString& detail);
  // The settings column at a page's left: scrolls vertically when the window is short
  // (a projector at 1080p), never horizontally, and keeps a readable width.
  static QWidget* sideColumn(QWidget* content);

 private:
  StepState state_ = StepState::NotStarted;
  QString detail_;
};

}  // namespace harmonia::ui
