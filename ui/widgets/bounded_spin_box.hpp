// A QSpinBox that lets a number above its maximum be typed and then says so: QSpinBox alone
// refuses the keystroke that goes past the maximum, so typing 4096 in a field that stops at
// 256 silently left 409 or 40. Here the typed number is set to the maximum when editing ends
// and outOfRange(typed) tells the page, which shows why.
#pragma once

#include <QSpinBox>

namespace harmonia::ui {

class BoundedSpinBox : public QSpinBox {
  Q_OBJECT
 public:
  using QSpinBox::QSpinBox;

 signals:
  void outOfRange(qlonglong typed);

 protected:
  QValidator::State validate(QString& input, int& pos) const override;
  void fixup(QString& input) const override;

 private:
  // The typed number without prefix and suffix; false when it is not a whole number.
  bool typedNumber(const QString& input, qlonglong* value) const;
};

}  // namespace harmonia::ui
