#include "ui/widgets/token_chip_view.hpp"

#include <QFontMetrics>
#include <QHash>
#include <QPaintEvent>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <algorithm>

namespace harmonia::ui {

namespace {
constexpr int kPadX = 6, kPadY = 3, kGap = 4;
constexpr int kStrip = 9;  // the heat strip under each chip, when shown
}

TokenChipView::TokenChipView(QWidget* parent) : QWidget(parent) {
  setAccessibleName(tr("Token preview"));
  QSizePolicy sp(QSizePolicy::Preferred, QSizePolicy::Preferred);
  sp.setHeightForWidth(true);
  setSizePolicy(sp);
  setMouseTracking(true);  // hover reports a chip without a button held
}

void TokenChipView::setHighlightedChips(std::vector<int> indices) {
  highlighted_ = std::move(indices);
  update();
}

void TokenChipView::setHeat(std::vector<float> heat) {
  const bool relayout = heat.empty() != heat_.empty();
  heat_ = std::move(heat);
  if (relayout) {
    layoutChips(width(), &rects_);
    updateGeometry();
    setMinimumHeight(heightForWidth(width()));
  }
  update();
}

QColor TokenChipView::heatColor(double value) {
  // From a pale cream through orange to a deep red: more attention reads as hotter and darker.
  const double v = std::clamp(value, 0.0, 1.0);
  const QColor lo(255, 240, 200), mid(245, 140, 40), hi(170, 20, 30);
  const auto mix = [](const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t), float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
  };
  return v < 0.5 ? mix(lo, mid, v * 2) : mix(mid, hi, (v - 0.5) * 2);
}

QRect TokenChipView::chipRect(int index) const {
  return index >= 0 && size_t(index) < rects_.size() ? rects_[size_t(index)] : QRect();
}

int TokenChipView::chipAt(const QPoint& pos) const {
  for (size_t i = 0; i < rects_.size() && i < chips_.size(); ++i)
    if (rects_[i].contains(pos)) return int(i);
  return -1;
}

void TokenChipView::mouseMoveEvent(QMouseEvent* event) {
  const int at = chipAt(event->position().toPoint());
  if (at != hovered_) {
    hovered_ = at;
    update();
    emit chipHovered(at);
  }
  QWidget::mouseMoveEvent(event);
}

void TokenChipView::leaveEvent(QEvent* event) {
  if (hovered_ != -1) {
    hovered_ = -1;
    update();
    emit chipHovered(-1);
  }
  QWidget::leaveEvent(event);
}

void TokenChipView::setChips(std::vector<TokenChip> chips) {
  chips_ = std::move(chips);
  highlighted_.clear();
  hovered_ = -1;
  measureChips();
  layoutChips(width(), &rects_);
  updateGeometry();
  setMinimumHeight(heightForWidth(width()));
  update();
}

QColor TokenChipView::colorForType(const QString& type) {
  static const QHash<QString, QColor> known = {
      {"Bar", QColor(120, 120, 130)},     {"Position", QColor(95, 150, 220)},
      {"TimeShift", QColor(95, 150, 220)}, {"Pitch", QColor(230, 120, 60)},
      {"NoteOn", QColor(230, 120, 60)},    {"NoteOff", QColor(200, 150, 100)},
      {"PitchDrum", QColor(200, 90, 90)},  {"DrumOn", QColor(200, 90, 90)},
      {"Velocity", QColor(90, 180, 110)},  {"Duration", QColor(170, 110, 210)},
      {"Program", QColor(200, 170, 40)},   {"Tempo", QColor(60, 170, 170)},
      {"TimeSig", QColor(60, 170, 170)},   {"Chord", QColor(220, 90, 160)},
      {"Rest", QColor(150, 150, 150)},     {"Family", QColor(110, 110, 110)},
  };
  const auto it = known.find(type);
  if (it != known.end()) return it.value();
  return QColor(140, 140, 150);  // specials and anything new
}

void TokenChipView::measureChips() {
  const QFontMetrics fm(font());
  widths_.clear();
  partWidths_.clear();
  widths_.reserve(chips_.size());
  partWidths_.resize(chips_.size());
  for (size_t i = 0; i < chips_.size(); ++i) {
    const auto& c = chips_[i];
    if (c.parts.isEmpty()) {
      widths_.push_back(fm.horizontalAdvance(c.text) + 2 * kPadX);
      continue;
    }
    int w = 0;
    for (const auto& part : c.parts) {
      partWidths_[i].push_back(fm.horizontalAdvance(part) + 2 * kPadX);
      w += partWidths_[i].back();
    }
    widths_.push_back(w);
  }
}

bool TokenChipView::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    const auto* help = static_cast<QHelpEvent*>(e);
    for (size_t i = 0; i < rects_.size() && i < chips_.size(); ++i)
      if (rects_[i].contains(help->pos())) {
        QToolTip::showText(help->globalPos(), chips_[i].toolTip.isEmpty() ? chips_[i].text : chips_[i].toolTip, this,
                           rects_[i]);
        return true;
      }
    QToolTip::hideText();
    e->ignore();
    return true;
  }
  return QWidget::event(e);
}

void TokenChipView::changeEvent(QEvent* event) {
  if (event->type() == QEvent::FontChange) {
    measureChips();
    layoutChips(width(), &rects_);
    setMinimumHeight(heightForWidth(width()));
  }
  QWidget::changeEvent(event);
}

int TokenChipView::layoutChips(int width, std::vector<QRect>* rects) const {
  const QFontMetrics fm(font());
  const int h = fm.height() + 2 * kPadY;
  const int strip = heat_.empty() ? 0 : kStrip;
  int x = kGap, y = kGap;
  if (rects) rects->clear();
  for (size_t i = 0; i < chips_.size() && i < widths_.size(); ++i) {
    const int w = widths_[i];
    if (x + w > width - kGap && x > kGap) {
      x = kGap;
      y += h + strip + kGap;
    }
    if (rects) rects->push_back(QRect(x, y, w, h));
    x += w + kGap;
  }
  return chips_.empty() ? h : y + h + strip + kGap;
}

int TokenChipView::heightForWidth(int width) const { return layoutChips(width, nullptr); }

QSize TokenChipView::sizeHint() const { return {400, heightForWidth(400)}; }

void TokenChipView::resizeEvent(QResizeEvent*) {
  layoutChips(width(), &rects_);
  setMinimumHeight(heightForWidth(width()));
}

void TokenChipView::paintLearnedChip(QPainter& p, const QRect& r, const QStringList& parts, const std::vector<int>& widths) const {
  // Segments in their base tokens' colours inside one rounded outline: the outline, in the
  // text colour and thicker than a base chip's, is what says "this is a single token".
  QPainterPath outline;
  outline.addRoundedRect(QRectF(r).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);
  p.save();
  p.setClipPath(outline, Qt::IntersectClip);
  int x = r.left();
  for (int k = 0; k < parts.size() && size_t(k) < widths.size(); ++k) {
    const QRect seg(x, r.top(), widths[size_t(k)], r.height());
    const QColor c = colorForType(parts[k].section('_', 0, 0));
    p.fillRect(seg, c);
    if (k > 0) {
      p.setPen(c.darker(150));
      p.drawLine(seg.topLeft(), seg.bottomLeft());
    }
    p.setPen(c.lightness() > 150 ? Qt::black : Qt::white);
    p.drawText(seg, Qt::AlignCenter, parts[k]);
    x += widths[size_t(k)];
  }
  p.restore();
  p.setPen(QPen(palette().color(QPalette::WindowText), 2));
  p.setBrush(Qt::NoBrush);
  p.drawPath(outline);
}

void TokenChipView::paintEvent(QPaintEvent* event) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QRect clip = event->rect();
  for (size_t i = 0; i < chips_.size() && i < rects_.size(); ++i) {
    const QRect& r = rects_[i];
    if (!r.intersects(clip)) continue;
    if (!chips_[i].parts.isEmpty() && i < partWidths_.size()) {
      paintLearnedChip(p, r, chips_[i].parts, partWidths_[i]);
      continue;
    }
    const QColor c = colorForType(chips_[i].type);
    p.setPen(c.darker(130));
    p.setBrush(c);
    p.drawRoundedRect(r, 5, 5);
    // Dark text on light chips, white on dark ones, for projector contrast.
    p.setPen(c.lightness() > 150 ? Qt::black : Qt::white);
    p.drawText(r, Qt::AlignCenter, chips_[i].text);
  }
  // The heat strip: a bar under each chip, its colour the chip's value.
  for (size_t i = 0; i < heat_.size() && i < rects_.size(); ++i) {
    const QRect bar(rects_[i].left(), rects_[i].bottom() + 3, rects_[i].width(), kStrip - 3);
    if (heat_[i] < 0 || !bar.intersects(clip)) continue;
    p.setPen(Qt::NoPen);
    p.setBrush(heatColor(heat_[i]));
    p.drawRect(bar);
  }
  // Rings last, over the chips: the hovered one and a clicked note's tokens.
  p.setBrush(Qt::NoBrush);
  p.setPen(QPen(palette().color(QPalette::Highlight), 3));
  std::vector<int> ringed = highlighted_;
  if (hovered_ >= 0) ringed.push_back(hovered_);
  for (int i : ringed) {
    const QRect r = chipRect(i);
    if (!r.isEmpty() && r.adjusted(-3, -3, 3, 3).intersects(clip)) p.drawRoundedRect(QRectF(r).adjusted(-1.5, -1.5, 1.5, 1.5), 6, 6);
  }
}

}  // namespace harmonia::ui
