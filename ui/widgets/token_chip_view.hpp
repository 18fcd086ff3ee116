// Token strings shown as rounded chips coloured by token type (Bar, Position, Pitch, ...),
// flowing left to right and wrapping, so students see how music turns into a sequence.
// A learned token of a trained tokenizer (BPE...) is one outlined chip made of its base
// tokens' coloured segments: one id in the model, several tokens of music; a compound token
// (CPWord, Octuple) is drawn the same way: one token, one note, several fields. Hovering a
// chip reports it (the page lights up its notes); highlighted chips get a ring.
#pragma once

#include <QColor>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <vector>

#include "ui/bridge/token_note_links.hpp"

class QPainter;

namespace harmonia::ui {

struct TokenChip {
  QString text;
  QString type;       // "Bar", "Pitch", ...: picks the colour
  QStringList parts;  // a learned token's base tokens or a compound token's fields; empty for a base token
  QString toolTip;    // shown on hover; the text when empty
  std::vector<NoteRef> notes;  // the notes of the previewed score this token belongs to
};

class TokenChipView : public QWidget {
  Q_OBJECT
 public:
  explicit TokenChipView(QWidget* parent = nullptr);
  void setChips(std::vector<TokenChip> chips);
  const std::vector<TokenChip>& chips() const { return chips_; }
  // The colour a token type is drawn with (stable per type name).
  static QColor colorForType(const QString& type);
  // Rings these chips (a clicked note's tokens); an empty list clears.
  void setHighlightedChips(std::vector<int> indices);
  const std::vector<int>& highlightedChips() const { return highlighted_; }
  // A heat strip under every chip, one value in [0, 1] per chip (empty hides it; a negative
  // value leaves that chip without one): the attention view's weights of one token over the
  // others. The rows make room for it.
  void setHeat(std::vector<float> heat);
  const std::vector<float>& heat() const { return heat_; }
  // The strip's colour for a value in [0, 1]: pale to deep red, readable on light and dark themes.
  static QColor heatColor(double value);
  QRect chipRect(int index) const;  // empty when out of range
  int chipAt(const QPoint& pos) const;  // -1 when none


  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override;
  QSize sizeHint() const override;

 signals:
  // The chip under the mouse changed (-1: none).
  void chipHovered(int index);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void changeEvent(QEvent* event) override;
  bool event(QEvent* event) override;  // tooltips: the chip under the mouse
  void mouseMoveEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  // Each chip's width in the current font: measured once, not at every layout pass (the
  // layout asks heightForWidth many times while a page is first shown).
  void measureChips();
  // Lays chips out for `width`; returns the needed height and fills rects_ when asked.
  int layoutChips(int width, std::vector<QRect>* rects) const;
  void paintLearnedChip(QPainter& p, const QRect& r, const QStringList& parts, const std::vector<int>& widths) const;

  std::vector<TokenChip> chips_;
  std::vector<QRect> rects_;
  std::vector<int> widths_;
  std::vector<std::vector<int>> partWidths_;  // learned chips: each segment's width
  std::vector<int> highlighted_;
  std::vector<float> heat_;
  int hovered_ = -1;
};

}  // namespace harmonia::ui
