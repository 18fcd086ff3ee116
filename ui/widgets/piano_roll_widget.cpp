#include "ui/widgets/piano_roll_widget.hpp"

#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QTimer>
#include <QWheelEvent>
#include <algorithm>
#include <limits>
#include <tuple>

#include "ui/theme.hpp"
#include "ui/widgets/piano_roll_rulers.hpp"

namespace harmonia::ui {

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
  emit scoreChanged();
}

void PianoRollWidget::clear() {
  notes_.clear();
  endTick_ = 0;
  maxDuration_ = 0;
  promptEnd_ = 0;
  playHead_ = -1;
  updateSize();
  update();
  emit scoreChanged();
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
  emit scoreChanged();
}

void PianoRollWidget::setColorMode(ColorMode mode) {
  colorMode_ = mode;
  update();
}

QColor PianoRollWidget::noteColor(const RollNote& note) const {
  return colorMode_ == ColorMode::ByTrack ? trackColor(note.track) : velocityColor(note.velocity);
}

void PianoRollWidget::setPixelsPerQuarter(double ppq) {
  const double clamped = std::clamp(ppq, kMinPixelsPerQuarter, 400.0);
  if (clamped == ppq_) return;
  ppq_ = clamped;
  updateSize();
  update();
  emit zoomChanged(ppq_);
}

void PianoRollWidget::setRowHeight(int pixels) {
  const int clamped = std::clamp(pixels, 3, 24);
  if (clamped == rowHeight_) return;
  rowHeight_ = clamped;
  updateSize();
  update();
  emit rowHeightChanged(rowHeight_);
}

std::pair<int, int> PianoRollWidget::pitchRange(midi::Tick from, midi::Tick to) const {
  int lo = 128, hi = -1;
  for (const auto& n : notes_)
    if (n.time >= from && n.time < to) {
      lo = std::min(lo, n.pitch);
      hi = std::max(hi, n.pitch);
    }
  return {lo, hi};
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

double PianoRollWidget::xForTick(midi::Tick tick) const { return double(tick) / tpq_ * ppq_; }

int PianoRollWidget::yForPitch(int pitch) const { return (127 - pitch) * rowHeight_; }

QRect PianoRollWidget::noteRect(const RollNote& note) const {
  const int x0 = int(xForTick(note.time));
  const int x1 = std::max(x0 + 2, int(xForTick(note.time + note.duration)));
  return QRect(x0, yForPitch(note.pitch), x1 - x0, rowHeight_);
}

QSize PianoRollWidget::sizeHint() const { return {int(xForTick(endTick_)) + 200, 128 * rowHeight_}; }

midi::Tick PianoRollWidget::tickForX(double x) const { return midi::Tick(x / ppq_ * tpq_); }

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
    if (isBlackKey(pitch)) p.fillRect(QRect(0, yForPitch(pitch), width(), rowHeight_), blackRow);

  // Prompt region: a tinted band so the prompt reads as "given", not "generated".
  if (promptEnd_ > 0) {
    const QRect prompt(0, 0, int(xForTick(promptEnd_)), height());
    p.fillRect(prompt.intersected(clip), dark ? QColor(120, 160, 255, 28) : QColor(60, 100, 220, 22));
  }

  // Grid: beats thin, bars strong. Beat length follows the time signature's denominator.
  // Bar numbers are the ruler's (PianoBarRuler), not drawn here: whatever is drawn here must
  // not depend on the clip, or scrolling (which repaints only the strip it exposes) would
  // paint it again at the top of every strip.
  const double beatTicks = tpq_ * 4.0 / denominator_;
  const QColor beatColor = dark ? QColor(255, 255, 255, 22) : QColor(0, 0, 0, 25);
  const QColor barColor = dark ? QColor(255, 255, 255, 70) : QColor(0, 0, 0, 80);
  const double beatPx = beatTicks / tpq_ * ppq_;
  const bool drawBeats = beatPx >= 6.0;
  // Zoomed out to a whole piece, every bar line would merge into grey: every 4th or 16th.
  const long barStep = barLineStep(beatPx * numerator_);
  const long firstBeat = std::max(0L, long(clip.left() / beatPx));
  const long lastBeat = long(clip.right() / beatPx) + 1;
  for (long b = firstBeat; b <= lastBeat; ++b) {
    const bool isBar = b % numerator_ == 0;
    if (isBar ? (b / numerator_) % barStep != 0 : !drawBeats) continue;
    const int x = int(xForTick(midi::Tick(b * beatTicks)));
    p.setPen(isBar ? barColor : beatColor);
    p.drawLine(x, clip.top(), x, clip.bottom());
  }

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
  // The keyboard and the ruler sit in the scroll area's margins, outside the scrolled
  // viewport: the note names stay at the left edge and the bar numbers at the top.
  keyboard_ = new PianoKeyboardColumn(roll_, this);
  ruler_ = new PianoBarRuler(roll_, this);
  setViewportMargins(PianoKeyboardColumn::kWidth, PianoBarRuler::kHeight, 0, 0);
  connect(verticalScrollBar(), &QScrollBar::valueChanged, keyboard_, &PianoKeyboardColumn::setOffset);
  connect(horizontalScrollBar(), &QScrollBar::valueChanged, ruler_, &PianoBarRuler::setOffset);
  connect(roll_, &PianoRollWidget::zoomChanged, ruler_, qOverload<>(&QWidget::update));
  connect(roll_, &PianoRollWidget::rowHeightChanged, keyboard_, qOverload<>(&QWidget::update));
  connect(roll_, &PianoRollWidget::scoreChanged, ruler_, qOverload<>(&QWidget::update));
}

void PianoRollView::showEvent(QShowEvent* event) {
  QScrollArea::showEvent(event);
  // The first time it is seen, the middle of the keyboard (or the notes), not the top octave;
  // a frame asked for while hidden wins. After the layout has given the view its size.
  const bool first = !shown_;
  shown_ = true;
  if (first || pendingFrame_)
    QTimer::singleShot(0, this, [this] {
      if (pendingFrame_) {
        const auto [from, to] = *pendingFrame_;
        pendingFrame_.reset();
        frameTicks(from, to);
      } else {
        centreOnNotes();
      }
    });
}

void PianoRollView::frameWhenShown(midi::Tick from, midi::Tick to) {
  if (isVisible() && viewport()->width() > 0) {
    frameTicks(from, to);
  } else {
    pendingFrame_ = std::make_pair(from, to);
  }
}

void PianoRollView::resizeEvent(QResizeEvent* event) {
  QScrollArea::resizeEvent(event);
  const QRect vp = viewport()->geometry();
  keyboard_->setGeometry(vp.left() - PianoKeyboardColumn::kWidth, vp.top(), PianoKeyboardColumn::kWidth, vp.height());
  ruler_->setGeometry(vp.left(), vp.top() - PianoBarRuler::kHeight, vp.width(), PianoBarRuler::kHeight);
}

void PianoRollView::ensureTickVisible(midi::Tick tick) {
  const int x = int(roll_->xForTick(tick));
  auto* bar = horizontalScrollBar();
  const int left = bar->value(), right = left + viewport()->width();
  if (x < left + 40 || x > right - 40) bar->setValue(std::max(0, x - viewport()->width() / 3));
}

void PianoRollView::centreOnPitches(int lo, int hi) {
  const int mid = (roll_->yForPitch(hi) + roll_->yForPitch(lo) + roll_->rowHeight()) / 2;
  verticalScrollBar()->setValue(mid - viewport()->height() / 2);
}

void PianoRollView::centreOnNotes() {
  const auto [lo, hi] = roll_->pitchRange(0, std::numeric_limits<midi::Tick>::max());
  if (hi < 0) {
    centreOnPitches(72, 72);
    return;
  }
  centreOnPitches(lo, hi);
}

void PianoRollView::frameTicks(midi::Tick from, midi::Tick to, double minPixelsPerQuarter) {
  pendingFrame_.reset();  // the newest framing wins over one waiting for the view to show
  const double tpq = roll_->ticksPerQuarter();
  const midi::Tick span = std::max<midi::Tick>(to - from, midi::Tick(tpq));
  // A little of what comes before (the prompt's end) stays in view at the left.
  const int margin = std::min(60, viewport()->width() / 8);
  const double width = std::max(50, viewport()->width() - margin - 12);
  roll_->setPixelsPerQuarter(std::clamp(width / (double(span) / tpq), minPixelsPerQuarter, 80.0));
  // The pitches played there, with a row to spare: smaller rows where they would not fit.
  auto [lo, hi] = roll_->pitchRange(from, to);
  if (hi < 0) std::tie(lo, hi) = roll_->pitchRange(0, std::numeric_limits<midi::Tick>::max());
  if (hi >= 0) {
    const int rows = hi - lo + 3;
    const int fitting = std::max(1, viewport()->height() / rows);
    if (fitting < roll_->rowHeight()) roll_->setRowHeight(fitting);
    centreOnPitches(lo, hi);
  } else {
    centreOnPitches(72, 72);
  }
  horizontalScrollBar()->setValue(std::max(0, int(roll_->xForTick(from)) - margin));
}

void PianoRollView::fitPiece() {
  // The whole piece at any zoom, however small the notes get.
  frameTicks(0, std::max<midi::Tick>(roll_->endTick(), roll_->ticksPerQuarter() * 4), 0.0);
}

}  // namespace harmonia::ui
