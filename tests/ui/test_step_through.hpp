#pragma once
// The Generate page's step-through panel driven like a teacher: Step, Step bar, Run, a slider
// moved on a step. The chart must show the engine's own processed distribution (checked against
// core/generate's StepThrough run on its own), a slider must re-draw without drawing a token or
// running the model, Run must give generate()'s tokens, and the GUI thread must stay free.
#include <QMouseEvent>
#include <QAbstractButton>
#include <QScrollArea>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <numeric>
#include <qcustomplot.h>

#include "ui/pages/generate_page.hpp"
#include "ui/pages/step_through_panel.hpp"
#include "ui/widgets/note_highlighter.hpp"
#include "ui/widgets/piano_roll_widget.hpp"
#include "ui/widgets/token_chip_view.hpp"
#include "generation_reference.hpp"
#include "test_responsiveness.hpp"  // StallMeter
#include "ui_test_support.hpp"

using harmonia::ui::GeneratePage;
using harmonia::ui::StepThroughPanel;
using harmonia::ui::test::waitUntil;

class TestStepThrough final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(dir_.isValid());
    model_ = dir_.filePath("tiny");
    harmonia::ui::test::writeTinyModel(model_.toStdString(), 3);
  }

  // What the chart draws is the distribution the engine draws from, to 1e-6, and it sums to 1.
  void chartIsTheEnginesProcessedDistribution() {
    GeneratePage page;
    StepThroughPanel* panel = setUp(page, settings());
    for (int i = 0; i < 6; ++i) QVERIFY(click(panel, "Step"));
    const auto ref = harmonia::ui::test::referenceSteps(model_.toStdString(), settings(), 6, settings());
    QCOMPARE(chipTexts(panel), strings(ref.tokens));
    const auto& full = panel->state().processed;
    QCOMPARE(full.size(), ref.processed.size());
    QVERIFY(std::fabs(std::accumulate(full.begin(), full.end(), 0.0) - 1.0) < 1e-6);
    for (size_t id = 0; id < full.size(); ++id) QVERIFY2(std::fabs(full[id] - ref.processed[id]) < 1e-6, qPrintable(QString::number(id)));
    checkChart(panel, ref.processed);
  }

  // Moving a slider re-draws the current step from its stored logits: the chart changes as the
  // engine says it should, and no token is drawn, no forward pass runs.
  void sliderRedrawsWithoutSampling() {
    GeneratePage page;
    StepThroughPanel* panel = setUp(page, settings());
    for (int i = 0; i < 4; ++i) QVERIFY(click(panel, "Step"));
    const auto before = panel->state();
    const QStringList chips = chipTexts(panel);
    const size_t rollNotes = page.rollView()->roll()->notes().size();
    auto hotter = settings();
    hotter.temperature = 1.9;
    hotter.top_p = 1.0;
    const int redraws = panel->resampleCount();
    page.setSamplingSettings(hotter);  // as a user moves the sliders
    QVERIFY(waitUntil([&] { return panel->resampleCount() > redraws; }, 10000));
    QTest::qWait(300);  // each slider of the change asks for a re-draw; the last one wins
    const auto ref = harmonia::ui::test::referenceSteps(model_.toStdString(), settings(), 4, hotter);
    QCOMPARE(panel->state().draws, before.draws);
    QCOMPARE(panel->state().forward_passes, before.forward_passes);
    QCOMPARE(panel->state().drawn, before.drawn);
    QCOMPARE(chipTexts(panel), chips);
    QCOMPARE(page.rollView()->roll()->notes().size(), rollNotes);
    QVERIFY(panel->state().processed != before.processed);
    checkChart(panel, ref.reprocessed);
  }

  // Run to the end gives the tokens Generator::generate draws with the same seed.
  void runDrawsWhatGenerateDraws() {
    GeneratePage page;
    auto s = settings();
    s.bars = 2;
    s.max_new_tokens = 48;
    StepThroughPanel* panel = setUp(page, s);
    QVERIFY(click(panel, "Run"));
    QVERIFY(waitUntil([&] { return panel->state().finished && !panel->isBusy(); }, 60000));
    const auto generated = harmonia::ui::test::referenceGeneratedTokens(model_.toStdString(), s);
    QVERIFY(generated.size() > 3);
    QCOMPARE(chipTexts(panel), strings(generated));
    QVERIFY(!findButton(panel, "Step")->isEnabled());  // the piece ended
    QVERIFY(panel->statusText().contains(QStringLiteral("ended")));
  }

  // Step bar draws up to and including the next Bar token.
  void stepBarStopsAtABar() {
    GeneratePage page;
    auto s = settings();
    s.bars = 8;
    StepThroughPanel* panel = setUp(page, s);
    int bars = 0;
    for (int call = 0; call < 3; ++call) {
      const int before = int(chipTexts(panel).size());
      QVERIFY(click(panel, "Step bar"));
      if (panel->state().finished) break;
      const QStringList drawn = chipTexts(panel).mid(before);
      QVERIFY(!drawn.isEmpty());
      QVERIFY2(drawn.last().startsWith(QStringLiteral("Bar")), qPrintable(drawn.join(' ')));
      QCOMPARE(drawn.filter(QRegularExpression(QStringLiteral("^Bar"))).size(), 1);
      ++bars;
    }
    QVERIFY(bars >= 2);
  }

  // A chip under the mouse lights up its notes in the page's piano roll.
  void hoveringAChipLightsItsNotes() {
    GeneratePage page;
    auto s = settings();
    s.bars = 2;
    s.max_new_tokens = 64;
    StepThroughPanel* panel = setUp(page, s);
    QVERIFY(click(panel, "Run"));
    QVERIFY(waitUntil([&] { return panel->state().finished && !panel->isBusy(); }, 60000));
    QVERIFY(waitUntil([&] {
      const auto& chips = panel->chips()->chips();
      return std::any_of(chips.begin(), chips.end(), [](const auto& c) { return !c.notes.empty(); });
    }));
    const auto& chips = panel->chips()->chips();
    const int withNotes = int(std::find_if(chips.begin(), chips.end(), [](const auto& c) { return !c.notes.empty(); }) -
                              chips.begin());
    auto* highlighter = page.rollView()->findChild<harmonia::ui::NoteHighlighter*>();
    QVERIFY(highlighter);
    QVERIFY(highlighter->notes().empty());
    page.resize(1280, 720);
    const QPoint at = panel->chips()->chipRect(withNotes).center();
    if (auto* area = qobject_cast<QScrollArea*>(panel->chips()->parentWidget()->parentWidget()))
      area->ensureVisible(at.x(), at.y());
    QTest::qWait(50);
    QSignalSpy hovered(panel->chips(), &harmonia::ui::TokenChipView::chipHovered);
    // The move event itself (QTest::mouseMove on the offscreen platform sends none when the
    // cursor is already there from an earlier test).
    QMouseEvent move(QEvent::MouseMove, QPointF(at), QPointF(panel->chips()->mapToGlobal(at)), Qt::NoButton,
                     Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(panel->chips(), &move);
    QVERIFY(waitUntil([&] { return hovered.count() > 0; }, 5000));
    QCOMPARE(hovered.last().first().toInt(), withNotes);
    QVERIFY(waitUntil([&] { return !highlighter->notes().empty(); }, 5000));
    QCOMPARE(highlighter->notes().size(), chips[size_t(withNotes)].notes.size());
  }

  // The longest GUI stall while a class steps through a piece: Step, Step bar, sliders, Run.
  void steppingKeepsTheGuiResponsive() {
    GeneratePage page;
    page.resize(1280, 720);
    auto s = settings();
    s.bars = 16;
    StepThroughPanel* panel = setUp(page, s);
    StallMeter meter;
    for (int i = 0; i < 8; ++i) QVERIFY(click(panel, "Step"));
    for (int i = 0; i < 2; ++i) QVERIFY(click(panel, "Step bar"));
    for (double t : {0.5, 0.8, 1.2, 1.6}) {
      auto hot = s;
      hot.temperature = t;
      page.setSamplingSettings(hot);
      QTest::qWait(100);
    }
    findButton(panel, "Run")->click();
    QTest::qWait(2000);
    findButton(panel, "Stop")->click();
    QVERIFY(waitUntil([&] { return !panel->isBusy(); }, 30000));
    QTest::qWait(300);  // the chips' note links after Run
    qInfo("step-through: longest event-loop stall %.1f ms wall clock, %.1f ms without run-queue waits, "
          "%.1f ms GUI-thread CPU in one stall (%lld tokens)",
          meter.worstMs(), meter.worstOwnMs(), meter.worstCpuMs(), static_cast<long long>(panel->state().draws));
    QVERIFY2(meter.worstCpuMs() < 50.0, qPrintable(QStringLiteral("GUI thread busy %1 ms").arg(meter.worstCpuMs())));
  }

 private:
  static harmonia::ui::SamplingSettings settings() {
    harmonia::ui::SamplingSettings s;
    s.temperature = 1.2;
    s.top_p = 0.9;
    s.top_k = 30;
    s.repetition_penalty = 1.1;
    s.bars = 4;
    s.max_new_tokens = 160;
    s.seed = 7;
    return s;
  }

  StepThroughPanel* setUp(GeneratePage& page, const harmonia::ui::SamplingSettings& s) {
    page.show();
    page.setModelDir(model_);
    page.setSamplingSettings(s);
    auto* panel = page.findChild<StepThroughPanel*>();
    if (panel) QTest::qWait(20);  // the sliders' re-draw requests (nothing drawn yet: ignored)
    return panel;
  }

  static QAbstractButton* findButton(StepThroughPanel* panel, const char* text) {
    for (auto* b : panel->findChildren<QAbstractButton*>())
      if (b->text() == QLatin1String(text)) return b;
    return nullptr;
  }

  // Clicks a button and waits for the panel to be idle again.
  static bool click(StepThroughPanel* panel, const char* text) {
    QAbstractButton* b = panel ? findButton(panel, text) : nullptr;
    if (!b || !b->isEnabled()) return false;
    b->click();
    return waitUntil([&] { return !panel->isBusy(); }, 60000);
  }

  static QStringList strings(const std::vector<std::string>& v) {
    QStringList out;
    for (const auto& s : v) out << QString::fromStdString(s);
    return out;
  }

  static QStringList chipTexts(StepThroughPanel* panel) {
    QStringList out;
    for (const auto& c : panel->chips()->chips()) out << c.text;
    return out;
  }

  // The chart's bars as drawn: each candidate's processed bar (blue, or orange when drawn) is
  // the engine's probability for that token, the raw bar the softmax of its logits.
  static void checkChart(StepThroughPanel* panel, const std::vector<double>& expected) {
    const auto& candidates = panel->chartCandidates();
    QVERIFY(!candidates.empty());
    QCustomPlot* plot = panel->chart();
    QCOMPARE(plot->plottableCount(), 3);
    auto* processed = qobject_cast<QCPBars*>(plot->plottable(1));
    auto* drawn = qobject_cast<QCPBars*>(plot->plottable(2));
    QVERIFY(processed && drawn);
    QCOMPARE(processed->data()->size() + drawn->data()->size(), int(candidates.size()));
    QCOMPARE(drawn->data()->size(), 1);
    double shown = 0;
    for (size_t i = 0; i < candidates.size(); ++i) {
      const auto& c = candidates[i];
      QCPBars* bars = c.drawn ? drawn : processed;
      auto it = bars->data()->findBegin(double(i) + 0.2 - 0.01, false);
      QVERIFY(it != bars->data()->constEnd() && std::fabs(it->key - (double(i) + 0.2)) < 1e-9);
      QVERIFY2(std::fabs(it->value - expected[size_t(c.id)]) < 1e-6,
               qPrintable(QStringLiteral("%1: chart %2, engine %3").arg(QString::fromStdString(c.token)).arg(it->value).arg(expected[size_t(c.id)])));
      shown += it->value;
    }
    QVERIFY(shown <= 1.0 + 1e-9);
    // The top candidates by the engine's numbers are the chart's.
    std::vector<double> sorted = expected;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    QVERIFY(std::fabs(candidates.front().processed - sorted.front()) < 1e-12);
  }

  QTemporaryDir dir_;
  QString model_;
};
