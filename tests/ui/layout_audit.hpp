// What a user sees cut off: every visible button, label, check box, combo box and group box
// whose text needs more width (QFontMetrics) than the widget has, and every visible widget
// that lies outside the window (or outside a scroll area that cannot scroll sideways).
// Returns one line per problem, naming the widget's class, its text and the widths.
#pragma once

#include <QAbstractScrollArea>
#include <QCheckBox>
#include <QComboBox>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollBar>
#include <QStringList>
#include <QStyle>
#include <QStyleOptionComboBox>
#include <QTextDocument>
#include <QToolButton>
#include <QWidget>

namespace harmonia::ui::test {

namespace layout_detail {

// The text as drawn: a single '&' marks a mnemonic and takes no room.
inline QString shownText(QString text) {
  text.replace(QLatin1String("&&"), QStringLiteral("\x01"));
  text.remove(QLatin1Char('&'));
  text.replace(QLatin1Char('\x01'), QLatin1Char('&'));
  return text;
}

inline int widestLine(const QFontMetrics& fm, const QString& text) {
  int w = 0;
  for (const auto& line : text.split(QLatin1Char('\n'))) w = std::max(w, fm.horizontalAdvance(line));
  return w;
}

inline QString describe(const QWidget* w, const QString& text) {
  QString name = QString::fromLatin1(w->metaObject()->className());
  if (!w->objectName().isEmpty()) name += QLatin1Char('#') + w->objectName();
  return QStringLiteral("%1 \"%2\"").arg(name, text.left(60));
}

// The scroll area whose viewport holds `w`, if any.
inline const QAbstractScrollArea* enclosingScrollArea(const QWidget* w, const QWidget* top) {
  for (const QWidget* p = w->parentWidget(); p && p != top; p = p->parentWidget())
    if (auto* area = qobject_cast<const QAbstractScrollArea*>(p->parentWidget()))
      if (area->viewport() == p) return area;
  return nullptr;
}

// Width the text needs beside what the widget has; 0 when the widget shows no such text.
inline QString elisionProblem(const QWidget* w) {
  const QFontMetrics fm = w->fontMetrics();
  const QStyle* style = w->style();
  if (auto* b = qobject_cast<const QPushButton*>(w)) {
    const QString text = shownText(b->text());
    if (text.isEmpty()) return {};
    // The label is drawn inside the frame (and the default-button ring): QCommonStyle's
    // SE_PushButtonContents. The style's extra margin is slack, not needed to show the text.
    int needed = widestLine(fm, text) + 2 * style->pixelMetric(QStyle::PM_DefaultFrameWidth, nullptr, w);
    if (b->autoDefault() || b->isDefault()) needed += 2 * style->pixelMetric(QStyle::PM_ButtonDefaultIndicator, nullptr, w);
    if (!b->icon().isNull()) needed += b->iconSize().width() + 4;
    if (b->menu()) needed += style->pixelMetric(QStyle::PM_MenuButtonIndicator, nullptr, w);
    if (b->width() < needed)
      return QStringLiteral("%1 is %2 px wide, its text needs %3").arg(describe(w, text)).arg(b->width()).arg(needed);
    return {};
  }
  if (qobject_cast<const QCheckBox*>(w) || qobject_cast<const QRadioButton*>(w) || qobject_cast<const QToolButton*>(w)) {
    auto* b = static_cast<const QAbstractButton*>(w);
    const QString text = shownText(b->text());
    if (text.isEmpty() && b->icon().isNull()) return {};
    // These have no minimum of their own: their size hint is what the text and the
    // indicator (or icon) need.
    if (b->width() < b->sizeHint().width())
      return QStringLiteral("%1 is %2 px wide, needs %3").arg(describe(w, text)).arg(b->width()).arg(b->sizeHint().width());
    return {};
  }
  if (auto* c = qobject_cast<const QComboBox*>(w)) {
    if (c->isEditable() || c->currentText().isEmpty()) return {};
    QStyleOptionComboBox opt;
    opt.initFrom(c);
    opt.editable = false;
    opt.frame = c->hasFrame();
    opt.currentText = c->currentText();
    opt.subControls = QStyle::SC_All;
    const QRect field = style->subControlRect(QStyle::CC_ComboBox, &opt, QStyle::SC_ComboBoxEditField, c);
    int needed = fm.horizontalAdvance(c->currentText()) + 2;  // drawn in the field less 1 px each side
    if (!c->itemIcon(c->currentIndex()).isNull()) needed += c->iconSize().width() + 4;
    if (field.width() < needed)
      return QStringLiteral("%1 shows %2 px of text, needs %3").arg(describe(w, c->currentText())).arg(field.width()).arg(needed);
    return {};
  }
  if (auto* g = qobject_cast<const QGroupBox*>(w)) {
    const QString text = shownText(g->title());
    if (text.isEmpty()) return {};
    const int needed = fm.horizontalAdvance(text) + 12;  // the title's indent and padding
    if (g->width() < needed)
      return QStringLiteral("%1 is %2 px wide, its title needs %3").arg(describe(w, text)).arg(g->width()).arg(needed);
    return {};
  }
  if (auto* l = qobject_cast<const QLabel*>(w)) {
    if (l->text().isEmpty()) return {};
    if (l->wordWrap()) {
      const int needed = l->heightForWidth(l->width());
      if (needed > l->height() + 1)
        return QStringLiteral("%1 is %2 px high, its wrapped text needs %3").arg(describe(w, l->text())).arg(l->height()).arg(needed);
      return {};
    }
    // The size hint is the text's own extent (rich text laid out by QTextDocument) plus margins.
    const int needed = l->sizeHint().width();
    if (l->width() + 1 < needed)
      return QStringLiteral("%1 is %2 px wide, its text needs %3").arg(describe(w, l->text())).arg(l->width()).arg(needed);
    return {};
  }
  return {};
}

}  // namespace layout_detail

// Problems of the widgets the user can see in `window` now.
inline QStringList layoutProblems(QWidget* window) {
  using namespace layout_detail;
  QStringList problems;
  const QRect frame = window->rect();
  for (QWidget* w : window->findChildren<QWidget*>()) {
    if (!w->isVisible() || w->isWindow() || w->width() <= 0) continue;
    // Children of item views (editors, header sections) and of a scroll bar draw themselves.
    if (qobject_cast<QScrollBar*>(w)) continue;
    const QString problem = elisionProblem(w);
    if (!problem.isEmpty()) problems << problem;
    const QRect r(w->mapTo(window, QPoint(0, 0)), w->size());
    if (const auto* area = enclosingScrollArea(w, window)) {
      // Inside a scroll area: what scrolls vertically is reachable; sideways only when the
      // area has a horizontal scroll bar.
      if (area->horizontalScrollBarPolicy() == Qt::ScrollBarAlwaysOff) {
        const QWidget* vp = area->viewport();
        const QRect inView(w->mapTo(vp, QPoint(0, 0)), w->size());
        if (inView.left() < 0 || inView.right() > vp->width() - 1 + 1)
          problems << QStringLiteral("%1 spans x %2..%3 in a scroll area %4 px wide that cannot scroll sideways")
                          .arg(describe(w, QString()))
                          .arg(inView.left())
                          .arg(inView.right())
                          .arg(vp->width());
      }
      continue;
    }
    if (!frame.contains(r))
      problems << QStringLiteral("%1 at (%2,%3) %4x%5 lies outside the %6x%7 window")
                      .arg(describe(w, QString()))
                      .arg(r.x())
                      .arg(r.y())
                      .arg(r.width())
                      .arg(r.height())
                      .arg(frame.width())
                      .arg(frame.height());
  }
  return problems;
}

}  // namespace harmonia::ui::test
