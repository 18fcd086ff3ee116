// The piano roll's fixed margins: the keyboard column (note names) at the left and the bar
// ruler (bar numbers) at the top. They live outside the scrolled viewport of PianoRollView
// and follow its scroll bars, so they never scroll away and are painted once per change,
// whatever part of the roll a scroll repaints.
#pragma once

#include <QWidget>

namespace harmonia::ui {

class PianoRollWidget;

bool isBlackKey(int pitch);
// Bar lines and numbers drawn every 1st, 4th, 16th... bar: at least 8 pixels apart for lines.
long barLineStep(double barPixels);

class PianoKeyboardColumn : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kWidth = 36;
  PianoKeyboardColumn(const PianoRollWidget* roll, QWidget* parent);
  int offset() const { return offset_; }

 public slots:
  void setOffset(int y);  // the roll's vertical scroll position

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  const PianoRollWidget* roll_;
  int offset_ = 0;
};

class PianoBarRuler : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kHeight = 16;
  PianoBarRuler(const PianoRollWidget* roll, QWidget* parent);
  int offset() const { return offset_; }
  // The first bar whose number shows (1-based), for tests and the accessible description.
  int firstVisibleBar() const;

 public slots:
  void setOffset(int x);  // the roll's horizontal scroll position

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  const PianoRollWidget* roll_;
  int offset_ = 0;
};

}  // namespace harmonia::ui
