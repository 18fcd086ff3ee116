#pragma once
// Presentation mode and the steps' explanations (issue 17): the mode scales the text at
// least 1.5x and every chart's lines at least 2x, sets the high-contrast palette, and puts
// all of it back; the explanation toggle shows and hides a "what happens in this step" on
// each pipeline page and the Runs page, and both are remembered. That nothing is cut off at
// 1280x720 in presentation mode is ui.layout's audit (its presentation rows).
#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QSettings>
#include <QtTest>
#include <qcustomplot.h>

#include "ui/classroom_view.hpp"
#include "ui/main_window.hpp"
#include "ui/pages/runs_page.hpp"
#include "ui/pages/training_page.hpp"
#include "ui/presentation.hpp"
#include "ui/theme.hpp"
#include "ui_test_support.hpp"

using harmonia::ui::MainWindow;

class TestPresentation final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
  }
  void cleanup() {
    harmonia::ui::setPresentationMode(*qApp, false);
    QSettings().clear();
  }

  void scalesTextAndChartLines() {
    MainWindow window;
    window.show();
    auto* lossPlot = window.trainingPage()->findChildren<QCustomPlot*>().value(0);
    QVERIFY(lossPlot && lossPlot->graphCount() > 0);
    const double font = QApplication::font().pointSizeF();
    const double label = window.trainingPage()->findChildren<QLabel*>().value(0)->font().pointSizeF();
    const double pen = lossPlot->graph(0)->pen().widthF();
    const double tick = lossPlot->xAxis->tickLabelFont().pointSizeF();
    const double legend = lossPlot->legend->font().pointSizeF();
    const QColor text = QApplication::palette().color(QPalette::WindowText);
    QVERIFY(font > 0 && pen > 0 && tick > 0);

    QAction* action = window.classroom()->presentationAction();
    QCOMPARE(action->shortcut(), QKeySequence(QStringLiteral("Ctrl+Shift+P")));
    action->trigger();
    QApplication::processEvents();  // the font change reaches the widgets as events
    QVERIFY(harmonia::ui::presentationMode());
    QVERIFY(QApplication::font().pointSizeF() >= 1.5 * font);
    QVERIFY(window.trainingPage()->findChildren<QLabel*>().value(0)->font().pointSizeF() >= 1.5 * label);
    QVERIFY(lossPlot->graph(0)->pen().widthF() >= 2 * pen);
    QVERIFY(lossPlot->xAxis->tickLabelFont().pointSizeF() >= 1.5 * tick);
    QVERIFY(lossPlot->legend->font().pointSizeF() >= 1.5 * legend);
    // High contrast: pure black text on white in the light theme.
    QCOMPARE(QApplication::palette().color(QPalette::WindowText), QColor(Qt::black));
    QCOMPARE(QApplication::palette().color(QPalette::Base), QColor(Qt::white));
    // A chart drawn after the switch (the Runs page's overlay) gets thick lines too.
    QTemporaryDir root;
    QDir().mkpath(root.filePath(QStringLiteral("run-20261207-101500")));
    QFile log(root.filePath(QStringLiteral("run-20261207-101500/train_log.csv")));
    QVERIFY(log.open(QIODevice::WriteOnly));
    log.write("step,epoch,train_loss,val_loss,lr,grad_norm,tokens_per_s,elapsed_s\n1,0,6,,0.001,1,100,1\n2,0,5,,0.001,1,100,2\n");
    log.close();
    auto* runs = window.runsPage();
    runs->setRuns({root.path()});
    QVERIFY(harmonia::ui::test::waitUntil([&] { return !runs->isReading() && runs->chart()->graphCount() == 2; }));
    QVERIFY2(runs->chart()->graph(0)->pen().widthF() >= 4.0, qPrintable(QString::number(runs->chart()->graph(0)->pen().widthF())));
    // Styling a chart again changes nothing; off puts every size back.
    harmonia::ui::stylePlotForPresentation(lossPlot);
    QCOMPARE(lossPlot->graph(0)->pen().widthF(), 2 * pen);
    action->trigger();
    QVERIFY(!harmonia::ui::presentationMode());
    QCOMPARE(QApplication::font().pointSizeF(), font);
    QCOMPARE(lossPlot->graph(0)->pen().widthF(), pen);
    QCOMPARE(lossPlot->xAxis->tickLabelFont().pointSizeF(), tick);
    QCOMPARE(QApplication::palette().color(QPalette::WindowText), text);
    QCOMPARE(runs->chart()->graph(0)->pen().widthF(), 2.0);
  }

  void presentationIsRemembered() {
    {
      MainWindow window;
      window.classroom()->setPresentationMode(true);
    }
    harmonia::ui::setPresentationMode(*qApp, false);  // as a new start of the studio finds it
    MainWindow again;
    QVERIFY(harmonia::ui::presentationMode());
    QVERIFY(again.classroom()->presentationAction()->isChecked());
  }

  void explanationsShowAndHide() {
    MainWindow window;
    window.resize(1280, 720);
    window.show();
    const auto labels = window.classroom()->explanations();
    QCOMPARE(labels.size(), 5);  // Dataset, Tokenizer, Training, Generate, Runs
    QStringList texts;
    for (int page = 0; page < window.pageCount(); ++page) {
      window.showPage(page);
      QApplication::processEvents();
      for (auto* l : labels)
        if (l->isVisible()) texts << l->text();
    }
    QVERIFY2(texts.isEmpty(), qPrintable(texts.join('\n')));  // off by default
    QAction* toggle = window.classroom()->explanationAction();
    toggle->trigger();
    for (int page = 0; page < 5; ++page) {  // the four steps and Compare runs
      window.showPage(page);
      QApplication::processEvents();
      int shown = 0;
      for (auto* l : labels)
        if (l->isVisible()) {
          ++shown;
          QVERIFY(l->text().contains(QStringLiteral("What happens in this step")));
          QVERIFY(l->text().size() > 100);
        }
      QVERIFY2(shown == 1, qPrintable(QStringLiteral("page %1 shows %2 explanations").arg(page + 1).arg(shown)));
    }
    // Each page its own words.
    QSet<QString> distinct;
    for (auto* l : labels) distinct.insert(l->text());
    QCOMPARE(distinct.size(), labels.size());
    QVERIFY(QSettings().value(QStringLiteral("stepExplanations")).toBool());
    toggle->trigger();
    for (auto* l : labels) QVERIFY(!l->isVisible());
    QVERIFY(!QSettings().value(QStringLiteral("stepExplanations")).toBool());
  }
};
