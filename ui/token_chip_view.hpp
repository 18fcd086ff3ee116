// Token strings shown as rounded chips coloured by token type (Bar, Position, Pitch, ...),
// flowing left to right and wrapping, so students see how music turns into a sequence.
#pragma once

#include <QColor>
#include <QString>
#include <QWidget>
#include <vector>

namespace harmonia::ui {

struct TokenChip {
  QString text;
  QString type;  // "Bar", "Pitch", ...: picks the colour
};

class TokenChipView : public QWidget {
  Q_OBJECT
 public:
  explicit TokenChipView(QWidget* parent = nullptr);
  void setChips(std::vector<TokenChip> chips);
  const std::vector<TokenChip>& chips() const { return chips_; }
  // The colour a token type is drawn with (stable per type name).
  static QColor colorForType(const QString& type);

  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override;
  QSize sizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void changeEvent(QEvent* event) override;

 private:
  // Each chip's width in the current font: measured once, not at every layout pass (the
  // layout asks heightForWidth many times while a page is first shown).
  void measureChips();
  // Lays chips out for `width`; returns the needed height and fills rects_ when asked.
  int layoutChips(int width, std::vector<QRect>* rects) const;

  std::vector<TokenChip> chips_;
  std::vector<QRect> rects_;
  std::vector<int> widths_;
};

}  // namespace harmonia::ui
