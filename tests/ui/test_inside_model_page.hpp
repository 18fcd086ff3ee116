#pragma once
// The "Inside the model" page (issue 17): the attention it shows is the core's attention for
// the same model and music, its rows sum to 1, hovering a chip shows that token's row; the
// embedding map's points are the PCA of the model's embedding table (checked against LAPACK's
// eigh); a Mamba model says it has no attention; the GUI thread stays free while it works.
#include <QCheckBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "inspect_reference.hpp"
#include "test_responsiveness.hpp"  // StallMeter
#include "ui/pages/inside_model_page.hpp"
#include "ui/widgets/attention_grid.hpp"
#include "ui/widgets/embedding_map.hpp"
#include "ui/widgets/model_choice_box.hpp"
#include "ui/widgets/note_brightness.hpp"
#include "ui_test_support.hpp"

using harmonia::ui::InsideModelPage;

namespace {

// Two bars of a C major scale and chords: enough tokens for a few dozen positions.
harmonia::midi::Score scaleScore() {
  harmonia::midi::Score s;
  s.ticks_per_quarter = 480;
  harmonia::midi::Track t;
  const int pitches[] = {60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62, 60, 55};
  for (int i = 0; i < 16; ++i) {
    t.notes.push_back({harmonia::midi::Tick(i * 240), 240, pitches[i], 80 + (i % 4) * 8});
    if (i % 4 == 0) t.notes.push_back({harmonia::midi::Tick(i * 240), 960, pitches[i] - 12, 70});
  }
  s.tracks.push_back(t);
  s.sort_events();
  return s;
}

}  // namespace

class TestInsideModelPage final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void attentionRowsSumToOneAndEqualTheCore() {
    for (const std::string arch : {"gpt2", "gpt_neo", "llama", "qwen3"}) {
      QTemporaryDir dir;
      harmonia::ui::test::writeTinyModelOf(dir.path().toStdString(), arch, 5);
      InsideModelPage page(nullptr);
      page.resize(1000, 650);
      page.show();
      QVERIFY(page.attentionModel()->openModelFolder(dir.path()));
      page.setMaxTokens(40);
      page.setMusic(scaleScore(), QStringLiteral("scale"));
      QVERIFY(harmonia::ui::test::waitUntil([&] { return !page.isBusy() && page.attention().length > 0; }));
      const auto& shown = page.attention();
      const auto core = harmonia::ui::test::coreAttention(dir.path().toStdString(), scaleScore(), 40);
      QCOMPARE(shown.length, core.length);
      QCOMPARE(shown.layers, core.layers);
      QCOMPARE(shown.heads, core.heads);
      QCOMPARE(int(page.chips().size()), shown.length);  // one chip per position the model read
      for (int layer = 0; layer < shown.layers; ++layer)
        for (int head = 0; head <= shown.heads; ++head) {  // heads, then their mean
          page.setLayerHead(layer, head);
          for (int q : {0, 7, shown.length - 1}) {
            page.showQuery(q);
            const auto& row = page.shownWeights();
            QCOMPARE(int(row.size()), q + 1);
            double sum = 0;
            for (int k = 0; k <= q; ++k) {
              double expected = 0;
              for (int h = 0; h < shown.heads; ++h)
                if (head == shown.heads || h == head) expected += core.at(layer, h, q, k);
              if (head == shown.heads) expected /= shown.heads;
              QVERIFY2(std::abs(row[size_t(k)] - expected) < 1e-6,
                       qPrintable(QStringLiteral("%1 layer %2 head %3 query %4 key %5: shown %6, core %7")
                                      .arg(QString::fromStdString(arch))
                                      .arg(layer).arg(head).arg(q).arg(k).arg(row[size_t(k)]).arg(expected)));
              sum += row[size_t(k)];
            }
            QVERIFY2(std::abs(sum - 1) < 1e-5, qPrintable(QStringLiteral("row sums to %1").arg(sum)));
            // The strip: the query's row relative to its largest weight, nothing after the query.
            const auto& heat = page.chipView()->heat();
            QCOMPARE(int(heat.size()), shown.length);
            if (q + 1 < shown.length) QCOMPARE(heat[size_t(q + 1)], -1.0f);
          }
        }
      // GPT-Neo's second layer is local: keys past its window get no strip.
      if (arch == "gpt_neo" && shown.window.size() > 1 && shown.window[1] > 0) {
        page.setLayerHead(1, 0);
        page.showQuery(shown.length - 1);
        QCOMPARE(page.chipView()->heat()[0], -1.0f);
      }
    }
  }

  void hoveringAChipShowsItsAttentionOnChipsRollAndGrid() {
    QTemporaryDir dir;
    harmonia::ui::test::writeTinyModelOf(dir.path().toStdString(), "gpt2", 6);
    InsideModelPage page(nullptr);
    page.resize(1100, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QVERIFY(page.attentionModel()->openModelFolder(dir.path()));
    page.setMaxTokens(30);
    page.setMusic(scaleScore(), QStringLiteral("scale"));
    QVERIFY(harmonia::ui::test::waitUntil([&] { return !page.isBusy() && page.attention().length > 0; }));
    QVERIFY(page.attentionMessage().isEmpty());
    QCOMPARE(page.query(), page.attention().length - 1);  // the last token at first
    const QRect chip = page.chipView()->chipRect(12);
    QVERIFY(!chip.isEmpty());
    QTest::mouseMove(page.chipView(), chip.center());
    QVERIFY(harmonia::ui::test::waitUntil([&] { return page.query() == 12; }, 3000));
    QCOMPARE(int(page.shownWeights().size()), 13);
    // The strip's brightest chip is the most attended token, at 1.
    const auto& heat = page.chipView()->heat();
    const auto top = std::max_element(page.shownWeights().begin(), page.shownWeights().end()) - page.shownWeights().begin();
    QCOMPARE(heat[size_t(top)], 1.0f);
    // The roll: the attended notes, the brightest at 1.
    const auto& notes = page.brightness()->weights();
    QVERIFY(!notes.empty());
    float most = 0;
    for (const auto& n : notes) most = std::max(most, n.second);
    QCOMPARE(most, 1.0f);
    // The grid: layer x (heads + mean); clicking a square chooses it.
    QCOMPARE(page.grid()->layers(), page.attention().layers);
    QTest::mouseClick(page.grid(), Qt::LeftButton, {}, page.grid()->cellRect(1, 0).center());
    QCOMPARE(page.layer(), 1);
    QCOMPARE(page.head(), 0);
  }

  void embeddingMapPointsAreThePcaOfTheEmbeddings() {
    QTemporaryDir dir;
    harmonia::ui::test::writeTinyModelOf(dir.path().toStdString(), "gpt2", 8);
    InsideModelPage page(nullptr);
    page.resize(1000, 650);
    page.show();
    page.tabs()->setCurrentIndex(1);
    page.mapUntrained(1)->setChecked(false);
    QVERIFY(page.mapModel(1)->openModelFolder(dir.path()));
    page.refreshMaps();
    QVERIFY(harmonia::ui::test::waitUntil([&] { return !page.isBusy() && !page.map(1)->points().empty(); }));
    const auto reference = harmonia::ui::test::referenceEmbeddingPca(dir.path().toStdString());
    const auto& points = page.map(1)->points();
    QCOMPARE(points.size(), reference.size());
    // Each axis up to its sign: the sign that fits the first point with a clear coordinate.
    for (int axis = 0; axis < 2; ++axis) {
      auto coord = [&](size_t i) { return axis == 0 ? points[i].x : points[i].y; };
      size_t pivot = 0;
      for (size_t i = 0; i < points.size(); ++i)
        if (std::abs(reference[i][size_t(axis)]) > std::abs(reference[pivot][size_t(axis)])) pivot = i;
      const double sign = coord(pivot) * reference[pivot][size_t(axis)] > 0 ? 1 : -1;
      double worst = 0;
      for (size_t i = 0; i < points.size(); ++i) worst = std::max(worst, std::abs(coord(i) - sign * reference[i][size_t(axis)]));
      QVERIFY2(worst < 1e-6, qPrintable(QStringLiteral("axis %1 differs by %2").arg(axis).arg(worst)));
    }
    // Every point is a token of the vocabulary; pitches are among them.
    QVERIFY(std::any_of(points.begin(), points.end(), [](const auto& p) { return p.token == QLatin1String("Pitch_60"); }));
    QVERIFY(page.map(1)->caption().contains(QLatin1String("tokens")));
    // The untrained map of the same model is another cloud of the same tokens.
    page.mapUntrained(1)->setChecked(true);
    QVERIFY(harmonia::ui::test::waitUntil([&] { return !page.isBusy(); }));
    QCOMPARE(page.map(1)->points().size(), reference.size());
    QVERIFY(page.map(1)->caption().contains(QLatin1String("before training")));
  }

  void mambaSaysItHasNoAttention() {
    QTemporaryDir dir;
    harmonia::ui::test::writeTinyModelOf(dir.path().toStdString(), "mamba", 9);
    InsideModelPage page(nullptr);
    page.show();
    QVERIFY(page.attentionModel()->openModelFolder(dir.path()));
    page.setMusic(scaleScore(), QStringLiteral("scale"));
    QVERIFY(harmonia::ui::test::waitUntil([&] { return !page.isBusy() && !page.attention().model_type.empty(); }));
    QVERIFY2(page.attentionMessage().contains(QLatin1String("no attention (state-space model)")),
             qPrintable(page.attentionMessage()));
    QCOMPARE(page.grid()->layers(), 0);
    QVERIFY(page.chips().empty());
    QVERIFY(page.bannerText().isEmpty());  // not an error
  }

  // The longest GUI-thread stall while the attention view reads a model and while a class
  // hovers over the chips and switches layers and heads (a 5 ms timer's gaps, CPU time of the
  // GUI thread; the wall clock is printed too).
  void attentionViewNeverStallsTheGuiThread() {
    QTemporaryDir dir;
    harmonia::ui::test::writeTinyModelOf(dir.path().toStdString(), "gpt2", 10);
    InsideModelPage page(nullptr);
    page.resize(1280, 720);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QVERIFY(page.attentionModel()->openModelFolder(dir.path()));
    page.setMaxTokens(256);
    const harmonia::midi::Score base = scaleScore();
    harmonia::midi::Score longer = base;
    for (int copy = 1; copy < 8; ++copy)
      for (auto n : base.tracks[0].notes) {
        n.time += copy * 16 * 240;
        longer.tracks[0].notes.push_back(n);
      }
    longer.sort_events();
    StallMeter meter;
    page.setMusic(longer, QStringLiteral("scale x8"));
    QVERIFY2(harmonia::ui::test::waitUntil([&] { return !page.isBusy() && page.attention().length > 0; }, 60000),
             qPrintable(page.attentionMessage()));
    const double reading = meter.worstCpuMs();
    StallMeter hover;
    for (int round = 0; round < 3; ++round)
      for (int chip = 0; chip < int(page.chips().size()); chip += 7) {
        QTest::mouseMove(page.chipView(), page.chipView()->chipRect(chip).center());
        page.setLayerHead(chip % page.attention().layers, chip % (page.attention().heads + 1));
        QTest::qWait(6);
      }
    std::printf("inside-model: %d tokens; longest GUI stall while reading %.1f ms CPU (%.1f ms wall), while hovering "
                "and switching %.1f ms CPU (%.1f ms wall)\n",
                page.attention().length, reading, meter.worstMs(), hover.worstCpuMs(), hover.worstMs());
    QVERIFY2(reading < 50, qPrintable(QStringLiteral("reading: %1 ms").arg(reading)));
    QVERIFY2(hover.worstCpuMs() < 50, qPrintable(QStringLiteral("hovering: %1 ms").arg(hover.worstCpuMs())));
  }
};
