#pragma once
// The piano roll as a user sees it: notes where they belong, colours by track or velocity,
// zoom limits, the prompt band, the play-head and live appends.
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QScreen>
#include <QScrollBar>
#include <QWheelEvent>
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

// A piece of `bars` 4/4 bars: a rising and falling line around middle C.
Score longScore(int bars) {
  Score s;
  s.ticks_per_quarter = 480;
  Track t;
  for (int q = 0; q < bars * 4; ++q) t.notes.push_back(Note{q * 480, 400, 48 + (q * 5) % 30, 90});
  s.tracks = {t};
  return s;
}

// What the window shows on screen (the backing store), not a fresh render: scrolling blits
// what was painted and repaints only the strip it exposes, which a grab() would hide.
QImage onScreen(QWidget& w) {
  QCoreApplication::processEvents();
  QTest::qWait(20);
  return QGuiApplication::primaryScreen()->grabWindow(w.winId()).toImage().convertToFormat(QImage::Format_RGB32);
}

void wheel(QWidget* target, int dy, int dx = 0) {
  const QPointF at(target->width() / 2.0, target->height() / 2.0);
  QWheelEvent e(at, target->mapToGlobal(at), QPoint(), QPoint(dx, dy), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase,
                false);
  QCoreApplication::sendEvent(target, &e);
  QCoreApplication::processEvents();
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
    QCOMPARE(roll.pixelsPerQuarter(), 0.25);  // low enough for "Fit piece" on a long piece
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
  // Issue 21: scrolling with the wheel left the bar-number row painted again and again down
  // the roll. Grab what is on screen, scroll, grab again, and compare with a view freshly
  // painted at the same scroll position: they must be the same picture.
  void wheelScrollingLeavesNoTraces() {
    PianoRollView view;
    view.resize(500, 320);
    view.roll()->setScore(longScore(40));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.verticalScrollBar()->setValue(view.roll()->yForPitch(80));
    (void)onScreen(view);
    for (int i = 0; i < 6; ++i) wheel(view.viewport(), -120);  // down, a few rows at a time
    for (int i = 0; i < 3; ++i) wheel(view.viewport(), 0, -120);  // and sideways
    const QImage scrolled = onScreen(view);
    PianoRollView fresh;
    fresh.resize(500, 320);
    fresh.roll()->setScore(longScore(40));
    fresh.show();
    QVERIFY(QTest::qWaitForWindowExposed(&fresh));
    fresh.verticalScrollBar()->setValue(view.verticalScrollBar()->value());
    fresh.horizontalScrollBar()->setValue(view.horizontalScrollBar()->value());
    QVERIFY(view.verticalScrollBar()->value() > view.roll()->yForPitch(80));  // it did scroll
    const QImage expected = onScreen(fresh);
    QCOMPARE(scrolled.size(), expected.size());
    int differing = 0;
    for (int y = 0; y < expected.height(); ++y)
      for (int x = 0; x < expected.width(); ++x) differing += scrolled.pixel(x, y) != expected.pixel(x, y);
    QVERIFY2(differing == 0, qPrintable(QStringLiteral("%1 pixels differ from a fresh paint").arg(differing)));
  }

  // The same in the roll itself: painting it in strips (what a scroll repaints) gives the
  // picture painting it whole gives, so nothing it draws depends on the part asked for.
  void paintingInStripsEqualsPaintingWhole() {
    PianoRollWidget roll;
    roll.setScore(longScore(12), 480 * 8);
    roll.setPlayHead(480 * 5);
    roll.resize(roll.minimumSize());
    QImage whole(roll.size(), QImage::Format_RGB32), strips(roll.size(), QImage::Format_RGB32);
    whole.fill(Qt::magenta);
    strips.fill(Qt::magenta);
    roll.render(&whole);
    for (int y = 0; y < roll.height(); y += 37) {
      const QRect strip(0, y, roll.width(), 37);
      QPainter p(&strips);
      roll.render(&p, strip.topLeft(), QRegion(strip));
    }
    QVERIFY(whole == strips);
  }

  // The keyboard (note names) stays at the left edge when the roll scrolls sideways, and the
  // bar numbers stay on top when it scrolls down.
  void keyboardAndRulerStayInView() {
    PianoRollView view;
    view.resize(500, 320);
    view.roll()->setScore(longScore(60));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.horizontalScrollBar()->setValue(view.horizontalScrollBar()->maximum());
    view.verticalScrollBar()->setValue(view.roll()->yForPitch(72));
    QVERIFY(view.horizontalScrollBar()->value() > 1000);
    const QImage shot = onScreen(view);
    // The black keys' dark rows at the left edge, whatever the horizontal scroll.
    int blackKeyPixels = 0;
    for (int y = 0; y < shot.height(); ++y) blackKeyPixels += QColor(shot.pixel(6, y)) == QColor(40, 40, 40);
    QVERIFY2(blackKeyPixels > 20, qPrintable(QStringLiteral("%1 keyboard pixels at the left edge").arg(blackKeyPixels)));
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

