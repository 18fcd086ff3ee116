// A slider paired with a value box, for sampling settings: drag for a feel, type for an
// exact value. Works in doubles; `decimals` 0 makes it an integer control.
#pragma once

#include <QWidget>

class QDoubleSpinBox;
class QSlider;

namespace harmonia::ui {

class SliderSpinBox : public QWidget {
  Q_OBJECT
 public:
  SliderSpinBox(double min, double max, double value, int decimals, QWidget* parent = nullptr);
  double value() const;
  void setValue(double v);
  // New limits (the value is clamped into them), e.g. a vocabulary that must exceed another.
  void setRange(double min, double max);
  QDoubleSpinBox* spinBox() const { return spin_; }

 signals:
  void valueChanged(double value);

 private:
  QSlider* slider_;
  QDoubleSpinBox* spin_;
  double min_, max_;
};

}  // namespace harmonia::ui
