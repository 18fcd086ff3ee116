#include "ui/widgets/scroll_wheel_guard.hpp"

#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QScrollArea>
#include <QScrollBar>

namespace harmonia::ui {

namespace {

class WheelGuard : public QObject {
 public:
  explicit WheelGuard(QScrollArea* scroll) : QObject(scroll), scroll_(scroll) {}

  bool eventFilter(QObject* watched, QEvent* event) override {
    if (event->type() != QEvent::Wheel) return false;
    auto* w = static_cast<QWidget*>(watched);
    if (w->hasFocus()) return false;  // the user chose this control: the wheel is theirs
    // Scroll the column instead; the scroll bar takes wheel events as a scroll area does.
    QCoreApplication::sendEvent(scroll_->verticalScrollBar(), event);
    return true;
  }

 private:
  QScrollArea* scroll_;
};

}  // namespace

void guardWheelInColumn(QScrollArea* scroll) {
  if (!scroll || !scroll->widget()) return;
  auto* guard = new WheelGuard(scroll);
  for (auto* w : scroll->widget()->findChildren<QWidget*>()) {
    if (qobject_cast<QScrollBar*>(w)) continue;  // a list's own scroll bar scrolls the list
    if (qobject_cast<QComboBox*>(w) || qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QAbstractSlider*>(w)) {
      w->setFocusPolicy(Qt::StrongFocus);  // no focus from the wheel alone
      w->installEventFilter(guard);
    }
  }
}

}  // namespace harmonia::ui
