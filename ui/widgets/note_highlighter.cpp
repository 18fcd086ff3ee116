#include "ui/widgets/note_highlighter.hpp"

#include <QMouseEvent>
#include <QPainter>

namespace harmonia::ui {

NoteHighlighter::NoteHighlighter(PianoRollView* view) : QWidget(view->roll()), view_(view) {
  setAttribute(Qt::WA_TransparentForMouseEvents);  // the roll gets the clicks; its filter sees them
  setAttribute(Qt::WA_NoSystemBackground);
  setGeometry(view->roll()->rect());
  view->roll()->installEventFilter(this);
  raise();
}

void NoteHighlighter::setNotes(std::vector<RollNote> notes) {
  notes_ = std::move(notes);
  if (!notes_.empty()) {
    view_->ensureTickVisible(notes_.front().time);
    const QRect r = view_->roll()->noteRect(notes_.front());
    view_->ensureVisible(r.center().x(), r.center().y(), 40, 60);
  }
  update();
}

bool NoteHighlighter::eventFilter(QObject* watched, QEvent* event) {
  if (watched == view_->roll()) {
    if (event->type() == QEvent::Resize) {
      setGeometry(view_->roll()->rect());
      raise();
    } else if (event->type() == QEvent::MouseButtonPress) {
      const QPoint pos = static_cast<QMouseEvent*>(event)->position().toPoint();
      const auto& all = view_->roll()->notes();
      // Later notes are drawn on top: the last one under the pointer is the one seen.
      for (size_t i = all.size(); i-- > 0;)
        if (view_->roll()->noteRect(all[i]).adjusted(-1, -1, 1, 1).contains(pos)) {
          emit noteClicked(int(i));
          break;
        }
    }
  }
  return QWidget::eventFilter(watched, event);
}

void NoteHighlighter::paintEvent(QPaintEvent*) {
  if (notes_.empty()) return;
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QColor ring = palette().color(QPalette::Highlight);
  p.setBrush(Qt::NoBrush);
  for (const auto& n : notes_) {
    const QRectF r = QRectF(view_->roll()->noteRect(n)).adjusted(-2.5, -2.5, 2.5, 2.5);
    p.setPen(QPen(palette().color(QPalette::Base), 5));  // a halo that reads on any note colour
    p.drawRoundedRect(r, 3, 3);
    p.setPen(QPen(ring, 2.5));
    p.drawRoundedRect(r, 3, 3);
  }
}

}  // namespace harmonia::ui
