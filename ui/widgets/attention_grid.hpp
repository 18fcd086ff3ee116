// The layer x head grid of the attention view: one thumbnail per head of a layer (and one for
// the mean of its heads) showing its whole attention matrix, queries top to bottom, keys left
// to right (the upper triangle is the future, which no token sees). Clicking a thumbnail
// chooses what the chips and the piano roll show; the chosen one is ringed and the row of the
// token under the cursor marked in it.
#pragma once

#include <QImage>
#include <QStringList>
#include <QWidget>
#include <vector>

namespace harmonia::ui {

class AttentionGrid : public QWidget {
  Q_OBJECT
 public:
  explicit AttentionGrid(QWidget* parent = nullptr);
  // thumbnails: layers * (heads + 1) images, layer by layer, each layer's heads then its mean.
  // rowLabels: one per layer ("Layer 2 (local: last 4)").
  void setMaps(std::vector<QImage> thumbnails, int layers, int heads, QStringList rowLabels);
  void clear();
  // head == heads() is the mean of the layer's heads.
  void setSelection(int layer, int head);
  void setQueryRow(int row, int length);
  int layers() const { return layers_; }
  int heads() const { return heads_; }
  QRect cellRect(int layer, int head) const;

  // A T x T attention matrix (row-major, rows summing to 1) as a thumbnail: each row scaled to
  // its own largest weight (where a token looks, however spread), the future in the base colour.
  static QImage thumbnail(const float* matrix, int length, QColor future);

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 signals:
  void cellClicked(int layer, int head);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  int labelWidth() const;
  int headerHeight() const;
  int cellSize() const;

  std::vector<QImage> thumbs_;
  QStringList rowLabels_;
  int layers_ = 0, heads_ = 0;
  int selLayer_ = 0, selHead_ = 0;
  int queryRow_ = -1, length_ = 0;
};

}  // namespace harmonia::ui
