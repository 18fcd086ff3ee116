// The piano roll: notes as bars on a pitch x time grid with bar/beat lines, coloured by
// track or velocity, a shaded prompt region, a play-head, zoom and live note appends.
// Meant to sit inside a QScrollArea (see PianoRollView): it sizes itself to its content. The
// view keeps the keyboard (note names) and the bar ruler fixed beside and above it.
#pragma once

#include <optional>
#include <utility>

#include <QPixmap>
#include <QScrollArea>
#include <QWidget>
#include <utility>
#include <vector>

#include "core/midi/score.hpp"

namespace harmonia::ui {

struct RollNote {
  midi::Tick time = 0;
  midi::Tick duration = 0;
  int pitch = 60;
  int velocity = 100;
  int track = 0;
};

class PianoRollWidget : public QWidget {
  Q_OBJECT
 public:
  enum class ColorMode { ByTrack, ByVelocity };

  explicit PianoRollWidget(QWidget* parent = nullptr);

  // Replaces the notes with the Score's; ticks before `promptEndTick` are the prompt.
  void setScore(const midi::Score& score, midi::Tick promptEndTick = 0);
  void clear();
  // Live generation: one note at a time, repainting only what changed.
  void appendNote(const RollNote& note);
  // Sorted by start time (stable: notes starting together keep their order).
  const std::vector<RollNote>& notes() const { return notes_; }

  void setPromptEnd(midi::Tick tick);
  midi::Tick promptEnd() const { return promptEnd_; }
  void setTicksPerQuarter(int tpq);
  int ticksPerQuarter() const { return tpq_; }
  void setTimeSignature(int numerator, int denominator);
  int beatsPerBar() const { return numerator_; }
  int beatUnit() const { return denominator_; }
  midi::Tick endTick() const { return endTick_; }
  // Lowest and highest pitch of the notes starting in [from, to); {128, -1} when none.
  std::pair<int, int> pitchRange(midi::Tick from, midi::Tick to) const;

  void setColorMode(ColorMode mode);
  ColorMode colorMode() const { return colorMode_; }
  QColor noteColor(const RollNote& note) const;

  // Horizontal zoom in pixels per quarter note; clamped to [kMinPixelsPerQuarter, 400]: low
  // enough for a whole piece of a few hundred bars to fit ("Fit piece").
  static constexpr double kMinPixelsPerQuarter = 0.25;
  void setPixelsPerQuarter(double ppq);
  double pixelsPerQuarter() const { return ppq_; }
  void setRowHeight(int pixels);  // vertical zoom, clamped to [3, 24]
  int rowHeight() const { return rowHeight_; }

  // -1 hides it.
  void setPlayHead(midi::Tick tick);
  midi::Tick playHead() const { return playHead_; }

  // Geometry, public so tests and the view can map between notes and pixels.
  double xForTick(midi::Tick tick) const;
  int yForPitch(int pitch) const;  // top of the pitch's row
  QRect noteRect(const RollNote& note) const;

  QSize sizeHint() const override;

 public slots:
  void zoomIn();
  void zoomOut();

 signals:
  void zoomChanged(double pixelsPerQuarter);
  void rowHeightChanged(int pixels);
  void scoreChanged();  // new notes, time signature or resolution: the ruler follows

 protected:
  void paintEvent(QPaintEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;

 private:
  // Fits the width to the notes plus a few spare bars (shrinks too).
  void updateSize();
  // Live appends: widens only past the spare room, by several bars at once, so that a
  // growing clip does not resize (and repaint) the roll on every note.
  void growToFit();
  midi::Tick tickForX(double x) const;

  std::vector<RollNote> notes_;
  midi::Tick maxDuration_ = 0;  // bounds how far back a note can start and still be visible
  midi::Tick endTick_ = 0;
  midi::Tick promptEnd_ = 0;
  midi::Tick playHead_ = -1;
  int tpq_ = 480;
  int numerator_ = 4;
  int denominator_ = 4;
  double ppq_ = 40.0;
  int rowHeight_ = 8;
  ColorMode colorMode_ = ColorMode::ByTrack;
};

class PianoKeyboardColumn;
class PianoBarRuler;

// The roll in a scroll area that follows the play-head and the newest live note, with the
// keyboard column and the bar ruler fixed in its margins.
class PianoRollView : public QScrollArea {
  Q_OBJECT
 public:
  explicit PianoRollView(QWidget* parent = nullptr);
  PianoRollWidget* roll() const { return roll_; }
  PianoKeyboardColumn* keyboard() const { return keyboard_; }
  PianoBarRuler* ruler() const { return ruler_; }
  // Scrolls so that `tick` is visible (used for the play-head and live appends).
  void ensureTickVisible(midi::Tick tick);
  // Scrolls vertically to centre the notes' pitch range.
  void centreOnNotes();
  // Zooms so that [from, to) fills the width (never below `minPixelsPerQuarter`, so that a
  // long piece stays readable: then it starts at `from`), and centres its notes' pitches,
  // with smaller rows where they would not fit. What generation leaves in view: the new music.
  void frameTicks(midi::Tick from, midi::Tick to, double minPixelsPerQuarter = 8.0);
  // frameTicks() now if the view is on screen, else when it is next shown: a hidden view
  // (a reopened project's Generate page) has no size yet to frame anything in.
  void frameWhenShown(midi::Tick from, midi::Tick to);

 public slots:
  // The whole piece in view, however small that makes it.
  void fitPiece();

 protected:
  void resizeEvent(QResizeEvent* event) override;
  void showEvent(QShowEvent* event) override;

 private:
  void centreOnPitches(int lo, int hi);
  bool shown_ = false;
  std::optional<std::pair<midi::Tick, midi::Tick>> pendingFrame_;

  PianoRollWidget* roll_;
  PianoKeyboardColumn* keyboard_;
  PianoBarRuler* ruler_;
};

}  // namespace harmonia::ui
