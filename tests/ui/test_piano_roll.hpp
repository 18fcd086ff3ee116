#pragma once
// The piano roll as a user sees it: notes where they belong, colours by track or velocity,
// zoom limits, the prompt band, the play-head and live appends.
#include <QImage>
#include <QScrollBar>
#include <QtTest>

#include "ui/widgets/piano_roll_widget.hpp"
#include "ui/bridge/score_tools.hpp"
#include "ui/theme.hpp"

using harmonia::midi::Note;
using harmonia::midi::Score;
using harmonia::midi::Track;
using harmonia::ui::PianoRollView;
using harmonia::ui::PianoRollWidget;
using harmonia::ui::RollNote;

namespace {
Score twoTrackScore() {
  Score s;
  s.ticks_per_quarter = 480;
  Track a, b;
  a.notes = {Note{0, 480, 60, 100}, Note{480, 960, 64, 40}};
  b.notes = {Note{1920, 480, 48, 120}};
  s.tracks = {a, b};
  return s;
}
}  // namespace

class TestPianoRoll final : public QObject {
  Q_OBJECT
 private slots:
  void holdsTheScoreNotes() {
    PianoRollWidget roll;
    roll.setScore(twoTrackScore());
    QCOMPARE(int(roll.notes().size()), 3);
    QCOMPARE(roll.notes()[2].track, 1);
    QCOMPARE(roll.notes()[2].pitch, 48);
  }
  void geometryFollowsTimeAndPitch() {
    PianoRollWidget roll;
    roll.setScore(twoTrackScore());
    roll.setPixelsPerQuarter(40);
    const QRect r0 = roll.noteRect(roll.notes()[0]);
    const QRect r1 = roll.noteRect(roll.notes()[1]);
    QCOMPARE(r1.left() - r0.left(), 40);   // one quarter later
    QCOMPARE(r1.width(), 80);              // two quarters long
    QVERIFY(r1.top() < r0.top());          // higher pitch is higher up
    QCOMPARE(r0.top() - r1.top(), 4 * roll.rowHeight());
  }
  void zoomIsClampedAndSignalled() {
    PianoRollWidget roll;
    QSignalSpy spy(&roll, &PianoRollWidget::zoomChanged);
    const double before = roll.pixelsPerQuarter();
    roll.zoomIn();
    QVERIFY(roll.pixelsPerQuarter() > before);
    QCOMPARE(spy.count(), 1);
    for (int i = 0; i < 100; ++i) roll.zoomIn();
    QCOMPARE(roll.pixelsPerQuarter(), 400.0);
    for (int i = 0; i < 200; ++i) roll.zoomOut();
    QCOMPARE(roll.pixelsPerQuarter(), 4.0);
  }
  void widensForLiveAppends() {
    PianoRollWidget roll;
    roll.setScore(twoTrackScore());
    const int before = roll.width();
    roll.appendNote(RollNote{480 * 64, 480, 72, 90, 0});
    QCOMPARE(int(roll.notes().size()), 4);
    QVERIFY(roll.width() > before);
  }
  void paintsNotesInTrackOrVelocityColour() {
    PianoRollWidget roll;
    roll.setScore(twoTrackScore());
    roll.resize(roll.minimumSize());
    const RollNote n = roll.notes()[2];
    const QPoint centre = roll.noteRect(n).center();
    QImage img = roll.grab().toImage();
    QCOMPARE(img.pixelColor(centre).rgb(), harmonia::ui::trackColor(1).rgb());
    roll.setColorMode(PianoRollWidget::ColorMode::ByVelocity);
    img = roll.grab().toImage();
    QCOMPARE(img.pixelColor(centre).rgb(), harmonia::ui::velocityColor(120).rgb());
    QVERIFY(harmonia::ui::velocityColor(20) != harmonia::ui::velocityColor(120));
  }
  void promptNotesAreDrawnDistinctly() {
    PianoRollWidget roll;
    roll.setScore(twoTrackScore(), 960);  // the first two notes are the prompt
    roll.resize(roll.minimumSize());
    const QImage img = roll.grab().toImage();
    const QColor prompt = img.pixelColor(roll.noteRect(roll.notes()[0]).center());
    // Faded on the background, so not the full track colour the generated notes get.
    QVERIFY(prompt.rgb() != harmonia::ui::trackColor(0).rgb());
    // Background inside the prompt band differs from background after it.
    const int y = roll.yForPitch(100) + 1;
    QVERIFY(img.pixelColor(int(roll.xForTick(100)), y) != img.pixelColor(int(roll.xForTick(3000)), y));
  }
  void playHeadIsDrawn() {
    PianoRollWidget roll;
    roll.setScore(twoTrackScore());
    roll.resize(roll.minimumSize());
    roll.setPlayHead(1200);
    QCOMPARE(roll.playHead(), harmonia::midi::Tick(1200));
    const QImage img = roll.grab().toImage();
    const QColor c = img.pixelColor(int(roll.xForTick(1200)), roll.yForPitch(100));
    QVERIFY(c.red() > 200 && c.green() < 100);
  }
  void viewScrollsToTick() {
    PianoRollView view;
    view.resize(400, 300);
    Score s = twoTrackScore();
    s.tracks[0].notes.push_back(Note{480 * 200, 480, 60, 100});
    view.roll()->setScore(s);
    view.show();
    view.ensureTickVisible(480 * 200);
    const int x = int(view.roll()->xForTick(480 * 200));
    const int left = view.horizontalScrollBar()->value();
    QVERIFY(x >= left && x <= left + view.viewport()->width());
  }
  void firstBarsCutsThePrompt() {
    Score s = twoTrackScore();  // 4/4: one bar = 1920 ticks
    QCOMPARE(harmonia::ui::barTicks(s), harmonia::midi::Tick(1920));
    const Score cut = harmonia::ui::firstBars(s, 1);
    QCOMPARE(int(cut.note_count()), 2);  // the note at 1920 starts in bar 2
    QCOMPARE(harmonia::ui::promptEndTick(cut, 1), harmonia::midi::Tick(1920));
    s.tracks[0].notes[1].duration = 4000;  // held across the bar line
    QCOMPARE(harmonia::ui::firstBars(s, 1).tracks[0].notes[1].end(), harmonia::midi::Tick(1920));
  }
};

