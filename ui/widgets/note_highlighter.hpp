// Rings chosen notes of a piano roll and reports clicks on its notes, from outside the roll:
// a transparent child laid over PianoRollWidget that draws with the roll's own geometry
// (noteRect), so the roll itself needs no highlighting code. The Tokenizer page uses it to
// link token chips and notes both ways.
#pragma once

#include <QWidget>
#include <vector>

#include "ui/widgets/piano_roll_widget.hpp"

namespace harmonia::ui {

class NoteHighlighter : public QWidget {
  Q_OBJECT
 public:
  explicit NoteHighlighter(PianoRollView* view);
  // Rings these notes and scrolls the first into view; an empty list clears.
  void setNotes(std::vector<RollNote> notes);
  const std::vector<RollNote>& notes() const { return notes_; }

 signals:
  // A note of the roll was clicked: its index in roll()->notes().
  void noteClicked(int rollIndex);

 protected:
  void paintEvent(QPaintEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  PianoRollView* view_;
  std::vector<RollNote> notes_;
};

}  // namespace harmonia::ui
