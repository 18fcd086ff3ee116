// A range of whole bars selected in the piano roll: drag (or click) along the bar ruler.
// The selection is drawn as a band over the roll by a child widget that lets the mouse
// through, so the roll's own painting is untouched. Loop playback (and later gestures on a
// passage) read it.
#pragma once

#include <QObject>

#include "core/midi/score.hpp"

class QWidget;

namespace harmonia::ui {

class PianoRollView;

class BarSelection : public QObject {
  Q_OBJECT
 public:
  explicit BarSelection(PianoRollView* view);
  // Bars are 0-based; the range is [first, last] inclusive, in either order.
  void selectBars(int first, int last);
  void clear();
  bool active() const { return first_ >= 0; }
  int firstBar() const { return first_; }
  int lastBar() const { return last_; }
  // Ticks of the roll's score: [startTick, endTick).
  midi::Tick startTick() const;
  midi::Tick endTick() const;
  QWidget* band() const { return band_; }

 signals:
  void changed();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  midi::Tick barTicks() const;
  int barAt(int rulerX) const;
  void placeBand();

  PianoRollView* view_;
  QWidget* band_;
  int first_ = -1, last_ = -1;
  int anchor_ = -1;  // the bar a drag started on
};

}  // namespace harmonia::ui
