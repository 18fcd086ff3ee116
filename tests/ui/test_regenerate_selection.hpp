#pragma once
// Issue 18's "Regenerate selection" on the Generate page: bars dragged on the ruler are filled
// again by a fill-in-the-middle model, the candidates auditioned, one kept, then undone; a
// model without FIM tokens is refused with a message saying how to get one.
#include <QAction>
#include <QComboBox>
#include <QListWidget>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <set>
#include <tuple>
#include <vector>

#include "fim_reference.hpp"
#include "generation_reference.hpp"
#include "ui/bridge/playback_controller.hpp"
#include "ui/pages/generate_page.hpp"
#include "ui/pages/regenerate_panel.hpp"
#include "ui/widgets/bar_selection.hpp"
#include "ui/widgets/model_choice_box.hpp"
#include "ui/widgets/note_highlighter.hpp"
#include "ui/widgets/piano_roll_rulers.hpp"
#include "ui/widgets/piano_roll_widget.hpp"
#include "ui_test_support.hpp"

namespace regenerate_detail {

namespace midi = harmonia::midi;

// Five bars of 4/4: piano (program 0) on every beat, bass (program 33) a note a bar, each
// bar's pitches its own (bar b: piano 60+b, bass 36+b). Durations off the tokenizer's grid
// (470 ticks), so a piece that went through the tokens would not compare equal.
inline midi::Score fiveBars() {
  midi::Score s;
  s.ticks_per_quarter = 480;
  s.tempos = {{0, 500000}};
  s.time_signatures = {{0, 4, 4}};
  midi::Track piano, bass;
  piano.name = "Piano";
  piano.channel = 0;
  bass.name = "Bass";
  bass.program = 33;
  bass.channel = 1;
  for (int b = 0; b < 5; ++b) {
    for (int q = 0; q < 4; ++q) piano.notes.push_back({b * 1920 + q * 480, 470, 60 + b, 90});
    bass.notes.push_back({b * 1920, 1790, 36 + b, 80});
  }
  s.tracks = {piano, bass};
  return s;
}

// Each track's notes outside [start, end), in order.
inline std::vector<std::vector<midi::Note>> outside(const midi::Score& s, midi::Tick start, midi::Tick end) {
  std::vector<std::vector<midi::Note>> out;
  for (const auto& t : s.tracks) {
    out.emplace_back();
    for (const auto& n : t.notes)
      if (n.time < start || n.time >= end) out.back().push_back(n);
  }
  return out;
}

inline std::vector<std::tuple<int, midi::Tick, midi::Tick, int>> inside(const midi::Score& s, midi::Tick start, midi::Tick end) {
  std::vector<std::tuple<int, midi::Tick, midi::Tick, int>> out;  // (track, onset, duration, pitch)
  for (size_t t = 0; t < s.tracks.size(); ++t)
    for (const auto& n : s.tracks[t].notes)
      if (n.time >= start && n.time < end) out.emplace_back(int(t), n.time, n.duration, n.pitch);
  return out;
}

// Bars [first, last] (0-based) dragged along the ruler, as a user selects them.
inline void dragBars(harmonia::ui::GeneratePage& page, int first, int last) {
  auto* roll = page.rollView()->roll();
  auto* ruler = page.rollView()->ruler();
  roll->setPixelsPerQuarter(20);  // a bar is 80 px: five fit
  page.rollView()->horizontalScrollBar()->setValue(0);
  QTest::qWait(30);
  const int y = ruler->height() / 2;
  const auto x = [&](int bar) { return int(roll->xForTick(bar * 1920)) + 30 - ruler->offset(); };
  QTest::mousePress(ruler, Qt::LeftButton, {}, QPoint(x(first), y));
  QMouseEvent move(QEvent::MouseMove, QPointF(x(last), y), ruler->mapToGlobal(QPointF(0, 0)), Qt::NoButton, Qt::LeftButton,
                   Qt::NoModifier);
  QApplication::sendEvent(ruler, &move);
  QTest::mouseRelease(ruler, Qt::LeftButton, {}, QPoint(x(last), y));
}

}  // namespace regenerate_detail

class TestRegenerateSelection final : public QObject {
  Q_OBJECT
  using GeneratePage = harmonia::ui::GeneratePage;
  using RegeneratePanel = harmonia::ui::RegeneratePanel;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(fimDir_.isValid() && plainDir_.isValid());
    harmonia::ui::test::writeTinyFimModel(fimDir_.path().toStdString(), 5);
    harmonia::ui::test::writeTinyModel(plainDir_.path().toStdString(), 5);
  }

  // Select bars 2-4 -> Ctrl+R -> 3 candidates to audition (the roll shows each with its new
  // notes ringed, the bars loop) -> Keep the second: only those bars changed, every note
  // outside them as it was -> Undo: the piece exactly as before -> Redo: the kept one again.
  void regenerateKeepUndo() {
    using namespace regenerate_detail;
    GeneratePage page;
    page.resize(1280, 720);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.setModelDir(fimDir_.path());
    QCOMPARE(page.modelChoice()->activeModelDir(), fimDir_.path());
    const midi::Score original = fiveBars();
    page.usePrompt(original, "five bars");
    RegeneratePanel* panel = page.regeneratePanel();
    QVERIFY2(!panel->regenerateAction()->isEnabled(), "Regenerate needs a selection first");
    dragBars(page, 1, 3);
    QCOMPARE(page.barSelection()->firstBar(), 1);
    QCOMPARE(page.barSelection()->lastBar(), 3);
    QVERIFY2(panel->problem().isEmpty(), qPrintable(panel->problem()));
    QVERIFY(panel->regenerateAction()->isEnabled());
    // Also in the roll's right-click menu.
    QCOMPARE(page.rollView()->roll()->contextMenuPolicy(), Qt::ActionsContextMenu);
    QVERIFY(page.rollView()->roll()->actions().contains(panel->regenerateAction()));
    QSignalSpy done(panel, &RegeneratePanel::finished);
    page.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&page));
    QTest::keyClick(&page, Qt::Key_R, Qt::ControlModifier);  // the page's shortcut
    QVERIFY2(panel->isRunning() || done.count() > 0, "Ctrl+R did not start regenerating");
    QVERIFY(harmonia::ui::test::waitUntil([&] { return done.count() > 0; }, 120000));
    QVERIFY2(done.at(0).at(0).toBool(), qPrintable(panel->status()));

    const midi::Tick start = 1920, end = 4 * 1920;
    QCOMPARE(panel->startTick(), start);
    QCOMPARE(panel->endTick(), end);
    QCOMPARE(panel->candidateCount(), 3);  // the page's Candidates
    QVERIFY(panel->candidateList()->isVisible());
    QVERIFY(panel->auditioning());
    // Candidate 1 on audition: the roll shows it, its bars' notes ringed, the bars loop.
    const midi::Score first = page.currentScore();
    QVERIFY(first != original);
    QCOMPARE(page.rollView()->roll()->notes().size(), first.note_count());
    const auto firstInside = inside(first, start, end);
    QCOMPARE(page.regeneratedNotes()->notes().size(), firstInside.size());
    QVERIFY(page.loopButton()->isChecked());
    QVERIFY(page.playback()->looping());
    // The project keeps the piece, not the candidate on audition.
    QVERIFY(page.session().shown == original);
    // A/B: the second candidate.
    panel->candidateList()->setCurrentRow(1);
    const midi::Score second = page.currentScore();
    QVERIFY(inside(second, start, end) != firstInside);
    QCOMPARE(page.regeneratedNotes()->notes().size(), inside(second, start, end).size());

    QPushButton* keep = keepButton(panel);
    QVERIFY(keep && keep->isEnabled());
    QTest::mouseClick(keep, Qt::LeftButton);
    QVERIFY(!panel->auditioning());
    const midi::Score kept = page.currentScore();
    QVERIFY(kept == second);
    QVERIFY(page.session().shown == kept);
    // Only the selected bars changed: outside them every note of every track is the same.
    // (An untrained model may write instruments the piece lacks: new tracks, only in the bars.)
    auto keptOutside = outside(kept, start, end);
    QVERIFY(keptOutside.size() >= original.tracks.size());
    for (size_t t = original.tracks.size(); t < keptOutside.size(); ++t) QVERIFY(keptOutside[t].empty());
    keptOutside.resize(original.tracks.size());
    QVERIFY(keptOutside == outside(original, start, end));
    QVERIFY(inside(kept, start, end) != inside(original, start, end));
    QVERIFY(kept.tempos == original.tempos && kept.time_signatures == original.time_signatures);
    QVERIFY(kept.tracks.size() >= original.tracks.size());
    for (size_t t = 0; t < original.tracks.size(); ++t) {
      QCOMPARE(kept.tracks[t].program, original.tracks[t].program);
      QCOMPARE(kept.tracks[t].name, original.tracks[t].name);
    }
    for (const auto& [track, onset, duration, pitch] : inside(kept, start, end)) {
      Q_UNUSED(duration);
      Q_UNUSED(pitch);
      QVERIFY(onset >= start && onset < end && track >= 0);
    }

    // Undo (Ctrl+Z): the piece exactly as it was; Redo (Ctrl+Shift+Z): the kept one.
    QVERIFY(panel->undoAction()->isEnabled());
    QTest::keyClick(&page, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(page.currentScore() == original);
    QVERIFY(page.session().shown == original);
    QVERIFY(panel->canRedo());
    QTest::keyClick(&page, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(page.currentScore() == kept);
    panel->undo();
    QVERIFY(page.currentScore() == original);
  }

  // Discard puts the piece back; a second regeneration makes new candidates of the piece.
  void discardKeepsThePiece() {
    using namespace regenerate_detail;
    GeneratePage page;
    page.setModelDir(fimDir_.path());
    const midi::Score original = fiveBars();
    page.usePrompt(original, "five bars");
    page.barSelection()->selectBars(4, 4);
    RegeneratePanel* panel = page.regeneratePanel();
    QSignalSpy done(panel, &RegeneratePanel::finished);
    panel->regenerateAction()->trigger();
    QVERIFY(harmonia::ui::test::waitUntil([&] { return done.count() > 0; }, 120000));
    QVERIFY2(done.at(0).at(0).toBool(), qPrintable(panel->status()));
    QVERIFY(page.currentScore() != original);
    panel->discard();
    QVERIFY(page.currentScore() == original);
    QVERIFY(!panel->canUndo());
  }

  // One instrument: only the bass is written again in the bars; the piano, there too, stays.
  void oneInstrumentKeepsTheOthers() {
    using namespace regenerate_detail;
    GeneratePage page;
    page.setModelDir(fimDir_.path());
    const midi::Score original = fiveBars();
    page.usePrompt(original, "five bars");
    page.barSelection()->selectBars(1, 2);
    RegeneratePanel* panel = page.regeneratePanel();
    QCOMPARE(panel->programBox()->count(), 3);  // all, piano, bass
    panel->setProgram(33);
    QCOMPARE(panel->program(), 33);
    QVERIFY2(panel->problem().isEmpty(), qPrintable(panel->problem()));
    QSignalSpy done(panel, &RegeneratePanel::finished);
    panel->regenerate();
    QVERIFY(harmonia::ui::test::waitUntil([&] { return done.count() > 0; }, 120000));
    QVERIFY2(done.at(0).at(0).toBool(), qPrintable(panel->status()));
    panel->keep();
    const midi::Score kept = page.currentScore();
    QCOMPARE(kept.tracks.size(), original.tracks.size());
    QVERIFY(kept.tracks[0] == original.tracks[0]);
    QVERIFY(outside(kept, 1920, 3 * 1920) == outside(original, 1920, 3 * 1920));
    QVERIFY(kept.tracks[1].notes != original.tracks[1].notes);
    panel->undo();
    QVERIFY(page.currentScore() == original);
  }

  // A model trained without FIM tokens cannot fill bars: Regenerate says how to get one.
  void modelWithoutFimSaysHowToTrainOne() {
    using namespace regenerate_detail;
    GeneratePage page;
    page.setModelDir(plainDir_.path());
    const midi::Score original = fiveBars();
    page.usePrompt(original, "five bars");
    page.barSelection()->selectBars(1, 2);
    RegeneratePanel* panel = page.regeneratePanel();
    QVERIFY(!panel->regenerateAction()->isEnabled());
    QVERIFY2(panel->problem().contains("Fill-in-the-middle") && panel->problem().contains("--fim-rate"),
             qPrintable(panel->problem()));
    QSignalSpy messages(panel, &RegeneratePanel::message);
    panel->regenerate();  // as the shortcut would, with the button disabled
    QCOMPARE(messages.count(), 1);
    QVERIFY2(page.bannerText().contains("not trained to fill in the middle"), qPrintable(page.bannerText()));
    QVERIFY(!panel->isRunning());
    QVERIFY(page.currentScore() == original);
    QCOMPARE(panel->candidateCount(), 0);
  }

 private:
  static QPushButton* keepButton(RegeneratePanel* panel) {
    for (auto* b : panel->findChildren<QPushButton*>())
      if (b->text() == QStringLiteral("Keep")) return b;
    return nullptr;
  }
  QTemporaryDir fimDir_, plainDir_;
};
