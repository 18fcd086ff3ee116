#include "ui/widgets/note_brightness.hpp"

#include <QPaintEvent>
#include <QPainter>

#include "ui/widgets/token_chip_view.hpp"

namespace harmonia::ui {

NoteBrightnessOverlay::NoteBrightnessOverlay(PianoRollView* view) : QWidget(view->roll()), view_(view) {
  setAttribute(Qt::WA_TransparentForMouseEvents);
  setAttribute(Qt::WA_NoSystemBackground);
  setGeometry(view->roll()->rect());
  view->roll()->installEventFilter(this);
  raise();
}

void NoteBrightnessOverlay::setWeights(std::vector<std::pair<RollNote, float>> weights, std::vector<RollNote> query) {
  weights_ = std::move(weights);
  query_ = std::move(query);
  update();
}

bool NoteBrightnessOverlay::eventFilter(QObject* watched, QEvent* event) {
  if (watched == view_->roll() && event->type() == QEvent::Resize) {
    setGeometry(view_->roll()->rect());
    raise();
  }
  return QWidget::eventFilter(watched, event);
}

void NoteBrightnessOverlay::paintEvent(QPaintEvent* event) {
  if (weights_.empty() && query_.empty()) return;
  QPainter p(this);
  // Dim everything, so that only attended notes stand out.
  QColor veil = palette().color(QPalette::Base);
  veil.setAlpha(170);
  p.fillRect(event->rect(), veil);
  const auto* roll = view_->roll();
  for (const auto& [note, weight] : weights_) {
    const QRect r = roll->noteRect(note);
    if (!r.intersects(event->rect()) || weight <= 0.01f) continue;
    QColor c = TokenChipView::heatColor(weight);
    c.setAlphaF(0.35f + 0.65f * weight);
    p.fillRect(r.adjusted(0, -1, 0, 1), c);
  }
  p.setRenderHint(QPainter::Antialiasing);
  p.setBrush(Qt::NoBrush);
  for (const auto& n : query_) {
    const QRectF r = QRectF(roll->noteRect(n)).adjusted(-2.5, -2.5, 2.5, 2.5);
    p.setPen(QPen(palette().color(QPalette::Base), 5));
    p.drawRoundedRect(r, 3, 3);
    p.setPen(QPen(palette().color(QPalette::Highlight), 2.5));
    p.drawRoundedRect(r, 3, 3);
  }
}

}  // namespace harmonia::ui
