#include "ui/widgets/message_banner.hpp"

#include <QApplication>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace harmonia::ui {

MessageBanner::MessageBanner(QWidget* parent) : QFrame(parent) {
  setObjectName(QStringLiteral("messageBanner"));
  setFrameShape(QFrame::StyledPanel);
  setAutoFillBackground(true);
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(8, 4, 4, 4);
  label_ = new QLabel;
  label_->setWordWrap(true);
  // Plain text: an error quoting a file name or a library's message must not be read as HTML.
  label_->setTextFormat(Qt::PlainText);
  label_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  label_->setAccessibleName(tr("Message"));
  close_ = new QToolButton;
  close_->setText(QStringLiteral("✕"));
  close_->setToolTip(tr("Dismiss this message"));
  close_->setAccessibleName(tr("Dismiss"));
  close_->setAutoRaise(true);
  row->addWidget(label_, 1);
  row->addWidget(close_, 0, Qt::AlignTop);
  connect(close_, &QToolButton::clicked, this, &MessageBanner::dismiss);
  hide();
}

void MessageBanner::showMessage(const QString& text, Kind kind) {
  kind_ = kind;
  label_->setText(text);
  label_->setToolTip(text);
  applyColours();
  show();
}

QString MessageBanner::text() const { return isHidden() ? QString() : label_->text(); }

void MessageBanner::dismiss() {
  if (isHidden()) return;
  hide();
  emit dismissed();
}

void MessageBanner::changeEvent(QEvent* event) {
  QFrame::changeEvent(event);
  if (event->type() == QEvent::PaletteChange) applyColours();  // the dark theme
}

void MessageBanner::applyColours() {
  // Tinted from the theme's own base colour, so it reads in the light and the dark theme.
  QPalette pal = palette();
  const QPalette around = parentWidget() ? parentWidget()->palette() : QApplication::palette();
  const bool dark = around.color(QPalette::Window).lightness() < 128;
  const QColor tint = kind_ == Kind::Error ? (dark ? QColor(110, 35, 35) : QColor(253, 226, 222))
                                           : (dark ? QColor(35, 60, 100) : QColor(222, 235, 252));
  if (pal.color(QPalette::Window) == tint) return;
  pal.setColor(QPalette::Window, tint);
  pal.setColor(QPalette::WindowText, dark ? QColor(245, 245, 245) : QColor(40, 20, 20));
  setPalette(pal);
}

}  // namespace harmonia::ui
