#include "ui/widgets/bounded_spin_box.hpp"

#include <QMetaObject>

namespace harmonia::ui {

bool BoundedSpinBox::typedNumber(const QString& input, qlonglong* value) const {
  QString text = input;
  if (!prefix().isEmpty() && text.startsWith(prefix())) text.remove(0, prefix().size());
  if (!suffix().isEmpty() && text.endsWith(suffix())) text.chop(suffix().size());
  text = text.trimmed();
  if (text.isEmpty() || text.size() > 12) return false;
  bool ok = false;
  *value = text.toLongLong(&ok);
  return ok;
}

QValidator::State BoundedSpinBox::validate(QString& input, int& pos) const {
  qlonglong v = 0;
  // Above the maximum is not yet acceptable, but may be typed: fixup() decides at the end.
  if (typedNumber(input, &v) && v > maximum()) return QValidator::Intermediate;
  return QSpinBox::validate(input, pos);
}

void BoundedSpinBox::fixup(QString& input) const {
  qlonglong v = 0;
  if (typedNumber(input, &v) && v > maximum()) {
    input = prefix() + textFromValue(maximum()) + suffix();
    // fixup() is const and runs inside the spin box's own input handling: tell the page after.
    auto* self = const_cast<BoundedSpinBox*>(this);
    QMetaObject::invokeMethod(self, [self, v] { emit self->outOfRange(v); }, Qt::QueuedConnection);
    return;
  }
  QSpinBox::fixup(input);
}

}  // namespace harmonia::ui
