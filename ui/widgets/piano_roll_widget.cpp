#include "ui/widgets/piano_roll_widget.hpp"

#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>
#include <algorithm>

#include "ui/theme.hpp"

namespace harmonia::ui {

namespace {
bool isBlackKey(int pitch) {
  const int pc = pitch % 12;
  return pc == 1 || pc == 3 || pc == 6 || pc == 8 || pc == 10;
}
}  // namespace

PianoRollWidget::PianoRollWidget(QWidget* parent) : QWidget(parent) {
  setAccessibleName(tr("Piano roll"));
  setFocusPolicy(Qt::WheelFocus);
  // paintEvent fills every pixel it is asked for, and widening keeps what is drawn: Qt then
  // neither clears the background first nor repaints the old area when the roll grows.
  setAttribute(Qt::WA_OpaquePaintEvent);
  setAttribute(Qt::WA_StaticContents);
  updateSize();
}

void PianoRollWidget::setScore(const midi::Score& score, midi::Tick promptEndTick) {
  notes_.clear();
  endTick_ = 0;
  tpq_ = score.ticks_per_quarter > 0 ? score.ticks_per_quarter : 480;
  if (!score.time_signatures.empty()) {
    numerator_ = score.time_signatures.front().numerator;
    denominator_ = score.time_signatures.front().denominator;
  } else {
    numerator_ = denominator_ = 4;
  }
  maxDuration_ = 0;
  for (size_t t = 0; t < score.tracks.size(); ++t)
    for (const auto& n : score.tracks[t].notes) {
      notes_.push_back({n.time, n.duration, n.pitch, n.velocity, int(t)});
      endTick_ = std::max(endTick_, n.end());
      maxDuration_ = std::max(maxDuration_, n.duration);
    }
  std::stable_sort(notes_.begin(), notes_.end(), [](const RollNote& a, const RollNote& b) { return a.time < b.time; });
  promptEnd_ = promptEndTick;
  updateSize();
  update();
}

void PianoRollWidget::clear() {
  notes_.clear();
  endTick_ = 0;
  maxDuration_ = 0;
  promptEnd_ = 0;
  playHead_ = -1;
  updateSize();
  update();
}

void PianoRollWidget::appendNote(const RollNote& note) {
  // Generated notes mostly arrive in time order: the insertion point is then the end.
  const auto at = std::upper_bound(notes_.begin(), notes_.end(), note.time,
                                   [](midi::Tick t, const RollNote& n) { return t < n.time; });
  notes_.insert(at, note);
  maxDuration_ = std::max(maxDuration_, note.duration);
  if (note.time + note.duration > endTick_) {
    endTick_ = note.time + note.duration;
    growToFit();
  }
  update(noteRect(note).adjusted(-2, -2, 2, 2));
}

void PianoRollWidget::setPromptEnd(midi::Tick tick) {
  promptEnd_ = tick;
  update();
}

void PianoRollWidget::setTicksPerQuarter(int tpq) {
  tpq_ = tpq > 0 ? tpq : 480;
  updateSize();
  update();
}

void PianoRollWidget::setTimeSignature(int numerator, int denominator) {
  numerator_ = numerator > 0 ? numerator : 4;
  denominator_ = denominator > 0 ? denominator : 4;
  update();
}

void PianoRollWidget::setColorMode(ColorMode mode) {
  colorMode_ = mode;
  update();
}

QColor PianoRollWidget::noteColor(const RollNote& note) const {
  return colorMode_ == ColorMode::ByTrack ? trackColor(note.track) : velocityColor(note.velocity);
}

void PianoRollWidget::setPixelsPerQuarter(double ppq) {
  const double clamped = std::clamp(ppq, 4.0, 400.0);
  if (clamped == ppq_) return;
  ppq_ = clamped;
  updateSize();
  update();
  emit zoomChanged(ppq_);
}

void PianoRollWidget::setRowHeight(int pixels) {
  rowHeight_ = std::clamp(pixels, 3, 24);
  updateSize();
  update();
}

void PianoRollWidget::zoomIn() { setPixelsPerQuarter(ppq_ * 1.25); }
void PianoRollWidget::zoomOut() { setPixelsPerQuarter(ppq_ / 1.25); }

void PianoRollWidget::setPlayHead(midi::Tick tick) {
  if (tick == playHead_) return;
  const int oldX = int(xForTick(playHead_));
  playHead_ = tick;
  // Repaint only the two thin strips the line leaves and enters.
  update(QRect(oldX - 2, 0, 5, height()));
  update(QRect(int(xForTick(tick)) - 2, 0, 5, height()));
}

double PianoRollWidget::xForTick(midi::Tick tick) const {
  return kKeyboardWidth + double(tick) / tpq_ * ppq_;
}

int PianoRollWidget::yForPitch(int pitch) const { return (127 - pitch) * rowHeight_; }

QRect PianoRollWidget::noteRect(const RollNote& note) const {
  const int x0 = int(xForTick(note.time));
  const int x1 = std::max(x0 + 2, int(xForTick(note.time + note.duration)));
  return QRect(x0, yForPitch(note.pitch), x1 - x0, rowHeight_);
}

QSize PianoRollWidget::sizeHint() const { return {int(xForTick(endTick_)) + 200, 128 * rowHeight_}; }

midi::Tick PianoRollWidget::tickForX(double x) const { return midi::Tick((x - kKeyboardWidth) / ppq_ * tpq_); }

void PianoRollWidget::updateSize() {
  // Four spare bars after the last note leave room for live appends without constant resizing.
  const midi::Tick spare = midi::Tick(tpq_) * 16;
  setMinimumSize(int(xForTick(endTick_ + spare)), 128 * rowHeight_);
  resize(minimumSize());
}

void PianoRollWidget::growToFit() {
  const int needed = int(xForTick(endTick_ + midi::Tick(tpq_) * 4)) + 1;  // at least a bar of room
  if (needed <= width()) return;
  // Sixteen more bars of room: a clip streaming in resizes the roll once every few pages.
  setMinimumSize(int(xForTick(endTick_ + midi::Tick(tpq_) * 64)), 128 * rowHeight_);
  resize(minimumSize());
}

void PianoRollWidget::changeEvent(QEvent* event) {
  if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange ||
      event->type() == QEvent::StyleChange)
    keyboard_ = QPixmap();
  QWidget::changeEvent(event);
}

const QPixmap& PianoRollWidget::keyboardStrip() {
  const qreal dpr = devicePixelRatioF();
  const QSize size(kKeyboardWidth, 128 * rowHeight_);
  if (!keyboard_.isNull() && keyboard_.deviceIndependentSize().toSize() == size && keyboard_.devicePixelRatio() == dpr)
    return keyboard_;
  keyboard_ = QPixmap(size * dpr);
  keyboard_.setDevicePixelRatio(dpr);
  QPainter p(&keyboard_);
  QFont f = font();
  f.setPixelSize(std::max(6, rowHeight_ + 1));
  p.setFont(f);
  for (int pitch = 0; pitch <= 127; ++pitch) {
    const QRect row(0, yForPitch(pitch), kKeyboardWidth, rowHeight_);
    p.fillRect(row, isBlackKey(pitch) ? QColor(40, 40, 40) : QColor(235, 235, 235));
    if (pitch % 12 == 0 && rowHeight_ >= 6) {
      p.setPen(QColor(60, 60, 60));
      p.drawText(row.adjusted(2, -3, 0, 3), Qt::AlignVCenter | Qt::AlignLeft, QStringLiteral("C%1").arg(pitch / 12 - 1));
    }
  }
  return keyboard_;
}

void PianoRollWidget::paintEvent(QPaintEvent* event) {
  QPainter p(this);
  const QRect clip = event->rect();
  const QPalette& pal = palette();
  const bool dark = pal.color(QPalette::Base).lightness() < 128;
  p.fillRect(clip, pal.color(QPalette::Base));

  // Pitch rows: black-key rows slightly darker, C rows marked.
  const int firstPitch = std::clamp(127 - clip.bottom() / rowHeight_, 0, 127);
  const int lastPitch = std::clamp(127 - clip.top() / rowHeight_, 0, 127);
  const QColor blackRow = dark ? QColor(255, 255, 255, 10) : QColor(0, 0, 0, 14);
  for (int pitch = firstPitch; pitch <= lastPitch; ++pitch)
    if (isBlackKey(pitch)) p.fillRect(QRect(kKeyboardWidth, yForPitch(pitch), width(), rowHeight_), blackRow);

  // Prompt region: a tinted band so the prompt reads as "given", not "generated".
  if (promptEnd_ > 0) {
    const QRect prompt(kKeyboardWidth, 0, int(xForTick(promptEnd_)) - kKeyboardWidth, height());
    p.fillRect(prompt.intersected(clip), dark ? QColor(120, 160, 255, 28) : QColor(60, 100, 220, 22));
  }

  // Grid: beats thin, bars strong. Beat length follows the time signature's denominator.
  const double beatTicks = tpq_ * 4.0 / denominator_;
  const double barTicks = beatTicks * numerator_;
  const QColor beatColor = dark ? QColor(255, 255, 255, 22) : QColor(0, 0, 0, 25);
  const QColor barColor = dark ? QColor(255, 255, 255, 70) : QColor(0, 0, 0, 80);
  const double beatPx = beatTicks / tpq_ * ppq_;
  const bool drawBeats = beatPx >= 6.0;
  const long firstBeat = std::max(0L, long((clip.left() - kKeyboardWidth) / beatPx));
  const long lastBeat = long((clip.right() - kKeyboardWidth) / beatPx) + 1;
  for (long b = firstBeat; b <= lastBeat; ++b) {
    const bool isBar = b % numerator_ == 0;
    if (!isBar && !drawBeats) continue;
    const int x = int(xForTick(midi::Tick(b * beatTicks)));
    p.setPen(isBar ? barColor : beatColor);
    p.drawLine(x, clip.top(), x, clip.bottom());
    if (isBar) {
      p.setPen(pal.color(QPalette::PlaceholderText));
      p.drawText(x + 3, clip.top() + 12, QString::number(b / numerator_ + 1));
    }
  }
  (void)barTicks;

  // Notes: prompt notes are drawn faded with an outline so generated ones stand out. Only
  // those that can reach the clip are looked at: notes_ is sorted by start, and a note
  // starting before the clip's left edge by more than the longest duration ends before it
  // (the 3-pixel margin covers the minimum drawn width).
  const midi::Tick fromTick = tickForX(clip.left() - 3) - maxDuration_;
  const midi::Tick toTick = tickForX(clip.right() + 1) + 1;
  auto first = std::lower_bound(notes_.begin(), notes_.end(), fromTick,
                                [](const RollNote& n, midi::Tick t) { return n.time < t; });
  for (auto it = first; it != notes_.end() && it->time <= toTick; ++it) {
    const RollNote& n = *it;
    const QRect r = noteRect(n);
    if (!r.intersects(clip)) continue;
    QColor c = noteColor(n);
    const bool inPrompt = n.time < promptEnd_;
    if (inPrompt) c.setAlpha(110);
    p.fillRect(r, c);
    p.setPen(inPrompt ? c.darker(160) : c.darker(140));
    p.drawRect(r.adjusted(0, 0, -1, -1));
  }

  // Keyboard strip on the left, so pitches can be read.
  if (clip.left() < kKeyboardWidth) p.drawPixmap(0, 0, keyboardStrip());  // the painter clips to the event

  if (playHead_ >= 0) {
    const int x = int(xForTick(playHead_));
    p.setPen(QPen(QColor(230, 60, 60), 2));
    p.drawLine(x, clip.top(), x, clip.bottom());
  }
}

void PianoRollWidget::wheelEvent(QWheelEvent* event) {
  if (event->modifiers() & Qt::ControlModifier) {
    event->angleDelta().y() > 0 ? zoomIn() : zoomOut();
    event->accept();
    return;
  }
  QWidget::wheelEvent(event);
}

PianoRollView::PianoRollView(QWidget* parent) : QScrollArea(parent), roll_(new PianoRollWidget) {
  setWidget(roll_);
  setWidgetResizable(false);
  setBackgroundRole(QPalette::Base);
  setMinimumHeight(200);
}

void PianoRollView::ensureTickVisible(midi::Tick tick) {
  const int x = int(roll_->xForTick(tick));
  auto* bar = horizontalScrollBar();
  const int left = bar->value(), right = left + viewport()->width();
  if (x < left + 40 || x > right - 40) bar->setValue(std::max(0, x - viewport()->width() / 3));
}

void PianoRollView::centreOnNotes() {
  const auto& notes = roll_->notes();
  if (notes.empty()) {
    verticalScrollBar()->setValue(roll_->yForPitch(72) - viewport()->height() / 2);
    return;
  }
  int lo = 127, hi = 0;
  for (const auto& n : notes) {
    lo = std::min(lo, n.pitch);
    hi = std::max(hi, n.pitch);
  }
  const int mid = (roll_->yForPitch(hi) + roll_->yForPitch(lo)) / 2;
  verticalScrollBar()->setValue(mid - viewport()->height() / 2);
}

}  // namespace harmonia::ui
