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
#include "ui/presentation.hpp"
#include "ui/widgets/queued_plot.hpp"
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

  // Picking a key on a step re-draws it at once, like a slider: every out-of-key pitch token
  // gets probability 0, and no token is drawn, the model does not run (it used to wait for
  // Restart).
  void keyRedrawsTheCurrentStep() {
    GeneratePage page;
    auto s = settings();
    s.top_k = 0;
    s.top_p = 1.0;  // every pitch the grammar allows keeps some probability
    StepThroughPanel* panel = setUp(page, s);
    const auto vocab = harmonia::ui::test::referenceSteps(model_.toStdString(), s, 0, s).vocab;
    const QRegularExpression pitch(QStringLiteral("^Pitch_(\\d+)$"));
    auto outOfC = [&](const std::vector<double>& p) {  // C major: no black keys
      double mass = 0;
      for (size_t id = 0; id < p.size() && id < vocab.size(); ++id) {
        const auto m = pitch.match(QString::fromStdString(vocab[id]));
        if (m.hasMatch() && QList<int>{1, 3, 6, 8, 10}.contains(m.captured(1).toInt() % 12)) mass += p[id];
      }
      return mass;
    };
    int steps = 0;  // to a step where a pitch may come (the grammar allows none after some tokens)
    while (steps < 30 && (steps == 0 || outOfC(panel->state().processed) == 0.0)) {
      QVERIFY(click(panel, "Step"));
      ++steps;
    }
    QVERIFY2(outOfC(panel->state().processed) > 0.0, "no step let an out-of-key pitch come");
    const auto before = panel->state();
    const QStringList chips = chipTexts(panel);
    auto inC = s;
    inC.key = "C:major";
    const int redraws = panel->resampleCount();
    page.setSamplingSettings(inC);  // as a user picks C major in the Key box
    QVERIFY(waitUntil([&] { return panel->resampleCount() > redraws; }, 10000));
    QTest::qWait(300);
    const auto& after = panel->state().processed;
    QCOMPARE(outOfC(after), 0.0);
    QVERIFY(std::fabs(std::accumulate(after.begin(), after.end(), 0.0) - 1.0) < 1e-6);
    QCOMPARE(panel->state().draws, before.draws);
    QCOMPARE(panel->state().forward_passes, before.forward_passes);
    QCOMPARE(panel->state().drawn, before.drawn);
    QCOMPARE(chipTexts(panel), chips);
    const auto ref = harmonia::ui::test::referenceSteps(model_.toStdString(), s, steps, inC);
    QCOMPARE(after.size(), ref.reprocessed.size());
    for (size_t id = 0; id < after.size(); ++id) QVERIFY2(std::fabs(after[id] - ref.reprocessed[id]) < 1e-6, qPrintable(QString::number(id)));
    checkChart(panel, ref.reprocessed);
  }

  // The chart's legend sits outside the plot area, so it covers no bar, however flat the
  // distribution (inside it, bottom right, it hid the smallest candidates' bars), and it has
  // the width its entries need, in presentation mode (text x1.6) too.
  void legendCoversNoBar_data() {
    QTest::addColumn<bool>("presenting");
    QTest::newRow("normal") << false;
    QTest::newRow("presentation") << true;
  }

  void legendCoversNoBar() {
    QFETCH(bool, presenting);
    GeneratePage page;  // the mode styles the charts that exist when it is switched on
    harmonia::ui::setPresentationMode(*qApp, presenting);
    auto normal = qScopeGuard([] { harmonia::ui::setPresentationMode(*qApp, false); });
    page.resize(1000, 660);  // what the window leaves the page at 1280x720 beside the sidebar
    auto s = settings();
    s.temperature = 2.0;  // a flat distribution: long bars on every row
    s.top_k = 0;
    s.top_p = 1.0;
    StepThroughPanel* panel = setUp(page, s);
    panel->setExpanded(true);
    for (int i = 0; i < 3; ++i) QVERIFY(click(panel, "Step"));
    QCustomPlot* plot = panel->chart();
    for (int i = 0; i < 3; ++i) {  // a first layout may change the rows shown and the legend's wrap
      QTest::qWait(20);
      harmonia::ui::ReplotQueue::flush();
      plot->replot();
    }
    QVERIFY(plot->legend->visible());
    const QRect legend = plot->legend->outerRect();
    QVERIFY2(!legend.intersects(plot->axisRect()->rect()), "the legend lies in the plot area");
    QVERIFY(plot->rect().contains(legend));
    QVERIFY2(legend.width() >= plot->legend->minimumOuterSizeHint().width(),
             qPrintable(QStringLiteral("legend %1 px wide, its entries need %2").arg(legend.width()).arg(plot->legend->minimumOuterSizeHint().width())));
    int bars = 0;
    for (int i = 0; i < plot->plottableCount(); ++i) {
      auto* b = qobject_cast<QCPBars*>(plot->plottable(i));
      QVERIFY(b);
      for (auto it = b->data()->constBegin(); it != b->data()->constEnd(); ++it) {
        const double y0 = plot->yAxis->coordToPixel(it->key - b->width() / 2), y1 = plot->yAxis->coordToPixel(it->key + b->width() / 2);
        const double x0 = plot->xAxis->coordToPixel(0), x1 = plot->xAxis->coordToPixel(it->value);
        const QRectF bar = QRectF(QPointF(x0, y0), QPointF(x1, y1)).normalized();
        QVERIFY2(!QRectF(legend).intersects(bar), qPrintable(QStringLiteral("bar %1 under the legend").arg(it->key)));
        ++bars;
      }
    }
    QVERIFY(panel->chartCandidates().size() >= 3);
    QCOMPARE(bars, 2 * int(panel->chartCandidates().size()));  // each candidate's two bars checked
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

  // The longest GUI stall while a class steps through a piece: Step, Step bar, sliders, Run;
  // in presentation mode too (larger text, thicker lines: each replot draws more).
  void steppingKeepsTheGuiResponsive_data() {
    QTest::addColumn<bool>("presenting");
    QTest::newRow("normal") << false;
    QTest::newRow("presentation") << true;
  }

  void steppingKeepsTheGuiResponsive() {
    QFETCH(bool, presenting);
    GeneratePage page;
    harmonia::ui::setPresentationMode(*qApp, presenting);
    auto normal = qScopeGuard([] { harmonia::ui::setPresentationMode(*qApp, false); });
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
    qInfo("step-through%s: longest event-loop stall %.1f ms wall clock, %.1f ms without run-queue waits, "
          "%.1f ms GUI-thread CPU in one stall (%lld tokens)",
          presenting ? " in presentation mode" : "", meter.worstMs(), meter.worstOwnMs(), meter.worstCpuMs(), static_cast<long long>(panel->state().draws));
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
