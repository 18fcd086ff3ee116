#pragma once
// The Runs page (issue 17): the table reads real run folders (the files the trainer writes,
// with a real model's weights) and shows their figures; the chart overlays one training
// curve per ticked run, named in the legend, against step, training time or tokens seen;
// it exports as PNG and SVG; a run's growing log reaches the chart while the page is shown,
// without stalling the GUI thread.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QRegularExpression>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

#include "core/tokenizer/tokenizer.hpp"
#include "generation_reference.hpp"
#include "test_responsiveness.hpp"  // StallMeter
#include "ui/bridge/training_backend.hpp"
#include "ui/pages/runs_page.hpp"
#include "ui/widgets/chart_export.hpp"
#include "ui_test_support.hpp"

// Where the studio links Qt SVG (for its export) the test can render the file back.
#if __has_include(<QSvgRenderer>)
#include <QSvgRenderer>
#define HARMONIA_TEST_SVG_RENDERER 1
#endif

using harmonia::ui::RunsPage;

namespace runs_test {

inline void writeFile(const QString& path, const QByteArray& text) {
  QDir().mkpath(QFileInfo(path).path());
  QFile f(path);
  QVERIFY2(f.open(QIODevice::WriteOnly), qPrintable(path));
  f.write(text);
}

// Run A: 6 steps of 6, validated at steps 3 and 6, its model saved (real weights). Tokens
// seen per train row: tokens/s x seconds since the row before.
const char* const kLogA =
    "step,epoch,train_loss,val_loss,lr,grad_norm,tokens_per_s,elapsed_s\n"
    "1,0,6.0,,0.001,1,1000,0.5\n"
    "2,0,5.5,,0.001,1,1200,1.0\n"
    "3,0,5.0,,0.001,1,1100,1.5\n"
    "3,0,,5.2,0.001,0,0,1.5\n"
    "4,0,4.6,,0.001,1,1000,2.0\n"
    "5,0,4.3,,0.001,1,1300,2.5\n"
    "6,0,4.0,,0.001,1,1400,3.0\n"
    "6,0,,4.1,0,0,0,3.0\n";
const double kTokensA[] = {500, 1100, 1650, 2150, 2800, 3500};

// Run B: 4 steps of 10 logged, no validation and no model yet (it is still training).
const char* const kLogB =
    "step,epoch,train_loss,val_loss,lr,grad_norm,tokens_per_s,elapsed_s\n"
    "1,0,6.2,,0.001,1,800,1\n"
    "2,0,6.0,,0.001,1,800,2\n"
    "3,0,5.9,,0.001,1,800,3\n"
    "4,0,5.7,,0.001,1,800,4\n";

// Two runs in `root` as the studio names them; the first with a real tiny GPT-2 saved.
inline void writeTwoRuns(const QString& root) {
  const QString a = root + QStringLiteral("/run-20261207-101500"), b = root + QStringLiteral("/run-20261207-111500");
  writeFile(a + QStringLiteral("/train_log.csv"), kLogA);
  writeFile(a + QStringLiteral("/run.json"), R"({"preset": "tiny", "max_steps": 6})");
  harmonia::ui::test::writeTinyModel((a + QStringLiteral("/model")).toStdString(), 1);
  writeFile(b + QStringLiteral("/train_log.csv"), kLogB);
  writeFile(b + QStringLiteral("/run.json"), R"({"preset": "tiny", "max_steps": 10})");
}

inline QString cell(RunsPage& page, int row, int column) {
  auto* item = page.table()->item(row, column);
  return item ? item->text() : QStringLiteral("<no item>");
}

inline QString digits(QString s) { return s.remove(QRegularExpression(QStringLiteral("[^0-9]"))); }

inline bool readAll(RunsPage& page) {
  return harmonia::ui::test::waitUntil([&] { return !page.isReading() && page.table()->rowCount() > 0; }, 30000);
}

}  // namespace runs_test

class TestRunsPage final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void tableShowsEachRunsFigures() {
    QTemporaryDir root;
    runs_test::writeTwoRuns(root.path());
    // A third folder whose log is damaged: listed, saying which file and why.
    runs_test::writeFile(root.filePath(QStringLiteral("run-20261207-121500/train_log.csv")), "garbage\n");
    RunsPage page;
    QSignalSpy read(&page, &RunsPage::runsRead);
    page.setRuns({root.path()});  // a folder of runs: each run in it
    QVERIFY(harmonia::ui::test::waitUntil([&] { return read.count() >= 1 && !page.isReading(); }));
    QCOMPARE(page.table()->rowCount(), 3);
    using runs_test::cell;
    QCOMPARE(cell(page, 0, RunsPage::RunColumn), QStringLiteral("Run of 7 Dec 10:15"));
    QCOMPARE(cell(page, 0, RunsPage::ModelColumn), QStringLiteral("gpt2 (tiny)"));
    QCOMPARE(cell(page, 0, RunsPage::TokenizerColumn), QStringLiteral("REMI"));
    // The weights' element count from the safetensors header: the model's own.
    const auto tok = harmonia::tokenizer::Tokenizer::create("REMI");
    const qint64 params = harmonia::ui::parameter_count("tiny", "", qint64(tok->vocab_size()));
    QCOMPARE(runs_test::digits(page.table()->item(0, RunsPage::ParametersColumn)->toolTip()), QString::number(params));
    QCOMPARE(runs_test::digits(cell(page, 0, RunsPage::StepsColumn)), QStringLiteral("66"));  // 6 / 6
    QCOMPARE(cell(page, 0, RunsPage::TimeColumn), QStringLiteral("0:03"));
    QCOMPARE(cell(page, 0, RunsPage::BestValColumn), QStringLiteral("4.100 (step 6)"));
    QCOMPARE(runs_test::digits(cell(page, 0, RunsPage::SpeedColumn)), QStringLiteral("1167"));  // mean of 6 rows
    QCOMPARE(cell(page, 0, RunsPage::StatusColumn), QStringLiteral("finished"));
    QCOMPARE(runs_test::digits(cell(page, 1, RunsPage::StepsColumn)), QStringLiteral("410"));  // 4 / 10
    QCOMPARE(cell(page, 1, RunsPage::BestValColumn), QStringLiteral("—"));
    QCOMPARE(cell(page, 1, RunsPage::StatusColumn), QStringLiteral("no model yet"));
    QVERIFY2(cell(page, 2, RunsPage::StatusColumn).contains(QStringLiteral("train_log.csv: not a training log")),
             qPrintable(cell(page, 2, RunsPage::StatusColumn)));
    QCOMPARE(page.state(), harmonia::ui::StepState::Done);
  }

  void overlayDrawsTickedRunsAgainstTheChosenUnit() {
    QTemporaryDir root;
    runs_test::writeTwoRuns(root.path());
    RunsPage page;
    page.setRuns({root.path()});
    QVERIFY(runs_test::readAll(page));
    QCustomPlot* chart = page.chart();
    // One training curve per run in the legend (its validation curve beside it, unnamed).
    QCOMPARE(chart->legend->itemCount(), 2);
    QCOMPARE(chart->graphCount(), 4);
    QCOMPARE(chart->graph(0)->name(), QStringLiteral("Run of 7 Dec 10:15"));
    QCOMPARE(chart->graph(2)->name(), QStringLiteral("Run of 7 Dec 11:15"));
    auto keys = [&](int g) {
      QVector<double> k;
      for (auto it = chart->graph(g)->data()->constBegin(); it != chart->graph(g)->data()->constEnd(); ++it) k << it->key;
      return k;
    };
    QCOMPARE(keys(0), (QVector<double>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(keys(1), (QVector<double>{3, 6}));  // validation
    QCOMPARE(chart->xAxis->label(), QStringLiteral("step"));
    page.setXAxis(RunsPage::XAxis::Seconds);
    QCOMPARE(keys(0), (QVector<double>{0.5, 1.0, 1.5, 2.0, 2.5, 3.0}));
    QVERIFY(chart->xAxis->label().contains(QStringLiteral("time")));
    page.setXAxis(RunsPage::XAxis::Tokens);
    const QVector<double> tokens = keys(0);
    QCOMPARE(tokens.size(), 6);
    for (int i = 0; i < 6; ++i) QVERIFY2(std::abs(tokens[i] - runs_test::kTokensA[i]) < 1e-6, qPrintable(QString::number(tokens[i])));
    QCOMPARE(keys(1), (QVector<double>{1650, 3500}));
    QCOMPARE(chart->xAxis->label(), QStringLiteral("tokens seen"));
    QVERIFY(chart->xAxis->range().upper >= 3500);
    // Unticking a run takes its curves and its legend entry away.
    page.setRunChecked(1, false);
    QCOMPARE(chart->graphCount(), 2);
    QCOMPARE(chart->legend->itemCount(), 1);
    QCOMPARE(chart->graph(0)->name(), QStringLiteral("Run of 7 Dec 10:15"));
    page.setRunChecked(1, true);
    QCOMPARE(chart->legend->itemCount(), 2);
  }

  void chartExportsAsPngAndSvg() {
    QTemporaryDir root, out;
    runs_test::writeTwoRuns(root.path());
    RunsPage page;
    page.resize(900, 600);
    page.setRuns({root.path()});
    QVERIFY(runs_test::readAll(page));
    QString error;
    const QString png = out.filePath(QStringLiteral("chart.png"));
    QVERIFY2(page.exportChart(png, &error), qPrintable(error));
    QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 1280 && image.height() >= 720);  // at least 640x360, twice the pixels
    // The first run's curve is drawn in its colour.
    int blue = 0;
    for (int y = 0; y < image.height(); y += 1)
      for (int x = 0; x < image.width(); x += 1) {
        const QColor c = image.pixelColor(x, y);
        blue += std::abs(c.red() - 31) < 25 && std::abs(c.green() - 119) < 25 && std::abs(c.blue() - 180) < 25;
      }
    QVERIFY2(blue > 100, qPrintable(QString::number(blue)));
    if (!harmonia::ui::svgExportAvailable()) QSKIP("this build has no Qt SVG");
    const QString svg = out.filePath(QStringLiteral("chart.svg"));
    QVERIFY2(page.exportChart(svg, &error), qPrintable(error));
    QFile f(svg);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(text.contains("<svg"));
    QVERIFY(text.contains("#1f77b4"));  // the first run's curve, as a vector path
    QVERIFY(text.contains("Run of 7 Dec 10:15"));  // the legend, as text
#ifdef HARMONIA_TEST_SVG_RENDERER
    QVERIFY(QSvgRenderer(svg).isValid());
#endif
    // A name that is neither: refused, naming the file.
    QVERIFY(!page.exportChart(out.filePath(QStringLiteral("chart.txt")), &error));
    QVERIFY2(error.contains(QStringLiteral("chart.txt")) && error.contains(QStringLiteral(".png")), qPrintable(error));
  }

  // A live run: rows appended to its log reach the chart while the page is shown (checked
  // once a second, read off the GUI thread); a long log of 40,000 rows growing meanwhile
  // keeps the GUI thread's longest stretch of work under 50 ms.
  void liveLogReachesTheChartWithoutStalling() {
    QTemporaryDir root;
    runs_test::writeTwoRuns(root.path());
    RunsPage page;
    page.resize(1000, 650);
    page.setRuns({root.path()});
    page.show();
    QVERIFY(runs_test::readAll(page));
    QCOMPARE(page.chart()->graphCount(), 4);
    QCOMPARE(page.chart()->graph(2)->dataCount(), 4);
    const QString logB = root.filePath(QStringLiteral("run-20261207-111500/train_log.csv"));
    {
      QFile f(logB);
      QVERIFY(f.open(QIODevice::Append));
      f.write("5,0,5.5,,0.001,1,800,5\n6,0,5.4,,0.001,1,800,6\n");
    }
    QVERIFY(harmonia::ui::test::waitUntil([&] { return page.chart()->graph(2)->dataCount() == 6; }, 5000));
    StallMeter meter;
    QByteArray rows;
    int step = 7;  // the next step to log
    for (int round = 0; round < 4; ++round) {
      rows.clear();
      for (int i = 0; i < 10000; ++i, ++step)
        rows += QByteArray::number(step) + ",0," + QByteArray::number(5.0 - step * 1e-5) + ",,0.001,1,800," +
                QByteArray::number(step) + "\n";
      QFile f(logB);
      QVERIFY(f.open(QIODevice::Append));
      f.write(rows);
      f.close();
      const int want = step - 1;  // steps 1 .. step-1
      QVERIFY(harmonia::ui::test::waitUntil([&] { return page.chart()->graph(2)->dataCount() == want; }, 10000));
    }
    QTest::qWait(300);  // the last replot
    qInfo("Runs page with a 40,000-row live log: longest stall %.1f ms wall clock, %.1f ms of GUI-thread CPU",
          meter.worstMs(), meter.worstCpuMs());
    QVERIFY2(meter.worstCpuMs() < 50.0, qPrintable(QString::number(meter.worstCpuMs())));
  }
};
