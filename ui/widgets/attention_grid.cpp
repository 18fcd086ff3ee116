#include "ui/widgets/attention_grid.hpp"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

#include "ui/widgets/token_chip_view.hpp"

namespace harmonia::ui {

namespace {
constexpr int kGap = 6;
}

AttentionGrid::AttentionGrid(QWidget* parent) : QWidget(parent) {
  setAccessibleName(tr("Attention of every layer and head"));
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void AttentionGrid::setMaps(std::vector<QImage> thumbnails, int layers, int heads, QStringList rowLabels) {
  thumbs_ = std::move(thumbnails);
  layers_ = layers;
  heads_ = heads;
  rowLabels_ = std::move(rowLabels);
  selLayer_ = std::clamp(selLayer_, 0, std::max(0, layers_ - 1));
  selHead_ = std::clamp(selHead_, 0, heads_);
  updateGeometry();
  update();
}

void AttentionGrid::clear() { setMaps({}, 0, 0, {}); }

void AttentionGrid::setSelection(int layer, int head) {
  selLayer_ = layer;
  selHead_ = head;
  update();
}

void AttentionGrid::setQueryRow(int row, int length) {
  queryRow_ = row;
  length_ = length;
  update();
}

int AttentionGrid::labelWidth() const { return fontMetrics().horizontalAdvance(QStringLiteral("Layer 88")) + kGap; }
int AttentionGrid::headerHeight() const { return fontMetrics().height() + 4; }

int AttentionGrid::cellSize() const {
  if (layers_ == 0) return 0;
  const int byWidth = (width() - labelWidth() - 3 * kGap) / (heads_ + 1) - kGap;
  const int byHeight = (height() - headerHeight() - kGap) / layers_ - kGap;
  return std::clamp(std::min(byWidth, byHeight), 8, 160);
}

QRect AttentionGrid::cellRect(int layer, int head) const {
  const int s = cellSize();
  // The mean column stands a little apart from the heads.
  const int extra = head == heads_ ? kGap * 2 : 0;
  return {labelWidth() + head * (s + kGap) + extra, headerHeight() + layer * (s + kGap), s, s};
}

QSize AttentionGrid::sizeHint() const {
  const int s = 64;
  return {labelWidth() + (heads_ + 1) * (s + kGap) + 3 * kGap, headerHeight() + std::max(1, layers_) * (s + kGap)};
}

QSize AttentionGrid::minimumSizeHint() const { return {labelWidth() + 120, headerHeight() + 80}; }

QImage AttentionGrid::thumbnail(const float* matrix, int length, QColor future) {
  QImage img(length, length, QImage::Format_RGB32);
  for (int i = 0; i < length; ++i) {
    const float* row = matrix + size_t(i) * size_t(length);
    const float top = std::max(*std::max_element(row, row + i + 1), 1e-12f);
    auto* line = reinterpret_cast<QRgb*>(img.scanLine(i));
    for (int j = 0; j < length; ++j) line[j] = j > i ? future.rgb() : TokenChipView::heatColor(row[j] / top).rgb();
  }
  return img;
}

void AttentionGrid::paintEvent(QPaintEvent*) {
  QPainter p(this);
  if (layers_ == 0) return;
  p.setPen(palette().color(QPalette::WindowText));
  for (int h = 0; h <= heads_; ++h) {
    const QRect c = cellRect(0, h);
    p.drawText(QRect(c.left() - kGap, 0, c.width() + 2 * kGap, headerHeight()), Qt::AlignCenter,
               h == heads_ ? tr("mean") : tr("H%1").arg(h + 1));
  }
  for (int l = 0; l < layers_; ++l) {
    const QRect first = cellRect(l, 0);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(0, first.top(), labelWidth() - kGap, first.height()), Qt::AlignRight | Qt::AlignVCenter | Qt::TextWordWrap,
               rowLabels_.value(l, tr("L%1").arg(l + 1)));
    for (int h = 0; h <= heads_; ++h) {
      const size_t index = size_t(l) * size_t(heads_ + 1) + size_t(h);
      if (index >= thumbs_.size()) continue;
      const QRect c = cellRect(l, h);
      p.drawImage(c, thumbs_[index]);  // unsmoothed: each token stays a crisp square
      if (queryRow_ >= 0 && length_ > 0) {
        const int y = c.top() + int((queryRow_ + 0.5) * c.height() / length_);
        p.setPen(QPen(palette().color(QPalette::Highlight), 1, Qt::DotLine));
        p.drawLine(c.left(), y, c.right(), y);
      }
    }
  }
  const QRect sel = cellRect(selLayer_, selHead_);
  p.setBrush(Qt::NoBrush);
  p.setPen(QPen(palette().color(QPalette::Highlight), 3));
  p.drawRect(sel.adjusted(-2, -2, 2, 2));
}

void AttentionGrid::mousePressEvent(QMouseEvent* event) {
  for (int l = 0; l < layers_; ++l)
    for (int h = 0; h <= heads_; ++h)
      if (cellRect(l, h).adjusted(-2, -2, 2, 2).contains(event->position().toPoint())) {
        setSelection(l, h);
        emit cellClicked(l, h);
        return;
      }
  QWidget::mousePressEvent(event);
}

}  // namespace harmonia::ui
