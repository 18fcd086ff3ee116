#include "ui/widgets/piano_roll_rulers.hpp"

#include <QPaintEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "ui/widgets/piano_roll_widget.hpp"

namespace harmonia::ui {

bool isBlackKey(int pitch) {
  const int pc = pitch % 12;
  return pc == 1 || pc == 3 || pc == 6 || pc == 8 || pc == 10;
}

long barLineStep(double barPixels) {
  long step = 1;
  while (barPixels * double(step) < 8.0 && step < 1024) step *= 4;
  return step;
}

PianoKeyboardColumn::PianoKeyboardColumn(const PianoRollWidget* roll, QWidget* parent) : QWidget(parent), roll_(roll) {
  setAccessibleName(tr("Piano keyboard"));
  setToolTip(tr("Pitches: each C is named (C4 is middle C)"));
}

void PianoKeyboardColumn::setOffset(int y) {
  if (y == offset_) return;
  offset_ = y;
  update();
}

void PianoKeyboardColumn::paintEvent(QPaintEvent* event) {
  QPainter p(this);
  // Drawn like a keyboard: white keys the whole width, black keys 3/5 of it, so that the note
  // names (at the right, on white) stay readable at any row height.
  p.fillRect(event->rect(), QColor(240, 240, 240));
  const int rowHeight = roll_->rowHeight();
  const int blackWidth = width() * 3 / 5;
  QFont f = font();
  f.setPixelSize(std::clamp(rowHeight + 1, 7, 10));
  p.setFont(f);
  const int first = std::clamp(127 - (offset_ + height()) / rowHeight, 0, 127);
  const int last = std::clamp(127 - offset_ / rowHeight, 0, 127);
  for (int pitch = first; pitch <= last; ++pitch) {
    const QRect row(0, roll_->yForPitch(pitch) - offset_, width(), rowHeight);
    if (isBlackKey(pitch)) p.fillRect(row.adjusted(0, 0, blackWidth - width(), 0), QColor(40, 40, 40));
    if (pitch % 12 == 0 || pitch % 12 == 5) {  // the edges between white keys B|C and E|F
      p.setPen(QColor(170, 170, 170));
      p.drawLine(row.left(), row.bottom(), row.right(), row.bottom());
    }
    // Names need room: at small rows every other octave is named.
    if (pitch % 12 == 0 && (rowHeight >= 6 || (pitch / 12) % 2 == 1)) {
      p.setPen(QColor(60, 60, 60));
      const QRect text(blackWidth - 4, row.center().y() - 7, width() - blackWidth + 3, 14);
      p.drawText(text, Qt::AlignVCenter | Qt::AlignRight, QStringLiteral("C%1").arg(pitch / 12 - 1));
    }
  }
  p.setPen(QColor(150, 150, 150));
  p.drawLine(width() - 1, event->rect().top(), width() - 1, event->rect().bottom());
}

PianoBarRuler::PianoBarRuler(const PianoRollWidget* roll, QWidget* parent) : QWidget(parent), roll_(roll) {
  setAccessibleName(tr("Bar numbers"));
}

void PianoBarRuler::setOffset(int x) {
  if (x == offset_) return;
  offset_ = x;
  update();
}

int PianoBarRuler::firstVisibleBar() const {
  const double barPx = roll_->pixelsPerQuarter() * 4.0 / roll_->beatUnit() * roll_->beatsPerBar();
  return int(std::ceil(offset_ / barPx)) + 1;
}

void PianoBarRuler::paintEvent(QPaintEvent* event) {
  QPainter p(this);
  p.fillRect(event->rect(), palette().color(QPalette::Window));
  const double barPx = roll_->pixelsPerQuarter() * 4.0 / roll_->beatUnit() * roll_->beatsPerBar();
  QFont f = font();
  f.setPixelSize(10);
  p.setFont(f);
  // Numbers need more room than lines: one every few bars when zoomed out.
  const int labelWidth = p.fontMetrics().horizontalAdvance(QStringLiteral("0000")) + 4;
  long step = barLineStep(barPx);
  while (barPx * double(step) < labelWidth) step *= 2;
  const long first = std::max(0L, long(offset_ / barPx) / step * step);
  const long last = long((offset_ + width()) / barPx) + 1;
  for (long bar = first; bar <= last; bar += step) {
    const int x = int(bar * barPx) - offset_;
    p.setPen(palette().color(QPalette::Mid));
    p.drawLine(x, height() - 5, x, height() - 1);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(x + 3, height() - 4, QString::number(bar + 1));
  }
  p.setPen(palette().color(QPalette::Mid));
  p.drawLine(0, height() - 1, width(), height() - 1);
}

}  // namespace harmonia::ui
