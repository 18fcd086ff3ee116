#include "ui/widgets/slider_spin_box.hpp"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QSlider>
#include <algorithm>
#include <cmath>

namespace harmonia::ui {

namespace {
constexpr int kSteps = 1000;  // slider resolution
}

SliderSpinBox::SliderSpinBox(double min, double max, double value, int decimals, QWidget* parent)
    : QWidget(parent), slider_(new QSlider(Qt::Horizontal)), spin_(new QDoubleSpinBox), min_(min), max_(max) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  slider_->setRange(0, kSteps);
  spin_->setRange(min, max);
  spin_->setDecimals(decimals);
  spin_->setSingleStep(decimals == 0 ? 1.0 : std::pow(10.0, -decimals) * 5);
  spin_->setMinimumWidth(80);
  layout->addWidget(slider_, 1);
  layout->addWidget(spin_);
  setFocusProxy(spin_);
  connect(slider_, &QSlider::valueChanged, this, [this](int pos) {
    const double v = min_ + (max_ - min_) * pos / kSteps;
    if (std::abs(v - spin_->value()) * kSteps > (max_ - min_)) spin_->setValue(v);
  });
  connect(spin_, &QDoubleSpinBox::valueChanged, this, [this](double v) {
    QSignalBlocker block(slider_);
    slider_->setValue(int(std::lround((v - min_) / (max_ - min_) * kSteps)));
    emit valueChanged(v);
  });
  setValue(value);
}

double SliderSpinBox::value() const { return spin_->value(); }

void SliderSpinBox::setValue(double v) {
  spin_->setValue(v);
  QSignalBlocker block(slider_);
  slider_->setValue(int(std::lround((spin_->value() - min_) / (max_ - min_) * kSteps)));
}

void SliderSpinBox::setRange(double min, double max) {
  min_ = min;
  max_ = std::max(max, min + 1e-9);  // the slider divides by the span
  spin_->setRange(min_, max_);
  setValue(spin_->value());
}

}  // namespace harmonia::ui
