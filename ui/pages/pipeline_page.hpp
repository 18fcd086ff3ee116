// What every pipeline page shares: a state the sidebar shows (not started / running / paused /
// done / error), a one-line hint about what the next step needs, and a banner under the
// page's title for its errors (the status bar is for passing news only).
#pragma once

#include <QString>
#include <QWidget>

class QToolBar;

namespace harmonia::ui {

enum class StepState { NotStarted, Running, Done, Error, Unavailable, Paused };
QString stepStateText(StepState state);

class MessageBanner;

class PipelinePage : public QWidget {
  Q_OBJECT
 public:
  using QWidget::QWidget;
  StepState state() const { return state_; }
  QString stateDetail() const { return detail_; }
  // The page's banner (created on first use, under the page's title); its text() is "" while
  // hidden.
  MessageBanner* banner();
  QString bannerText() const;

 public slots:
  // Shows `message` in the page's banner until dismissed or until the page starts something
  // new (setState(Running)). For errors and anything the user must read in full.
  void showError(const QString& message);
  void clearBanner();

 signals:
  void stateChanged(harmonia::ui::StepState state, const QString& detail);
  // A message for the status bar: errors say what to do.
  void statusMessage(const QString& message);

 protected:
  void setState(StepState state, const QString& detail);
  // The settings column at a page's left: scrolls vertically when the window is short
  // (a projector at 1080p), never horizontally, and keeps a readable width.
  static QWidget* sideColumn(QWidget* content);
  // A row of buttons and combos above a page's main view: what does not fit the width moves
  // into a » menu at its end instead of being squeezed until its text is cut (1280x720).
  static QToolBar* toolRow();

 private:
  StepState state_ = StepState::NotStarted;
  QString detail_;
  MessageBanner* banner_ = nullptr;
};

}  // namespace harmonia::ui
