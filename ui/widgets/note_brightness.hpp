// How much attention each note of a piano roll gets, drawn over the roll: the roll is dimmed
// and every weighted note drawn again in the heat colour (ui/widgets/token_chip_view.hpp's),
// hotter for more; the notes of the token doing the looking are ringed. A transparent child of
// the roll that uses the roll's own geometry (noteRect), like NoteHighlighter.
#pragma once

#include <QWidget>
#include <utility>
#include <vector>

#include "ui/widgets/piano_roll_widget.hpp"

namespace harmonia::ui {

class NoteBrightnessOverlay : public QWidget {
  Q_OBJECT
 public:
  explicit NoteBrightnessOverlay(PianoRollView* view);
  // Notes with a weight in [0, 1] (relative to the most attended note) and the query's notes;
  // both empty: the roll as it is.
  void setWeights(std::vector<std::pair<RollNote, float>> weights, std::vector<RollNote> query);
  const std::vector<std::pair<RollNote, float>>& weights() const { return weights_; }

 protected:
  void paintEvent(QPaintEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  PianoRollView* view_;
  std::vector<std::pair<RollNote, float>> weights_;
  std::vector<RollNote> query_;
};

}  // namespace harmonia::ui
