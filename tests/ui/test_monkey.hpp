#pragma once
// GUI chaos (issue 20): a seeded "monkey" drives the whole studio for a while as a class of
// students would — switches pages, clicks whatever button is enabled (Import, Train, Pause,
// Cancel, Generate, Play, Export...), moves sliders and spin boxes, picks combo entries, fires
// menu actions (New Project, Open, Save...), resizes the window. Every modal dialog it opens is
// answered (rejected) by a watchdog. It must not crash, no GUI-thread stall may pass 100 ms of
// the GUI thread's own work, and closing the window must join every worker in time.
// HARMONIA_MONKEY_SECONDS (default 60, CI) and HARMONIA_MONKEY_SEED (default 1) set the run;
// it prints the event count, dialogs answered and the longest stall.
#include <QAbstractButton>
#include <QAbstractSlider>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QMenuBar>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>
#include <cstdio>
#include <dirent.h>
#include <random>

#include "test_responsiveness.hpp"  // StallMeter
#include "ui/main_window.hpp"
#include "ui_test_support.hpp"

namespace {

int processThreads() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

template <typename T>
QList<T*> usable(QWidget* root) {
  QList<T*> out;
  for (auto* w : root->findChildren<T*>())
    if (w->isVisible() && w->isEnabled()) out << w;
  return out;
}

}  // namespace

class TestMonkey final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void monkeyDrivesTheStudio() {
    const QStringList files = harmonia::ui::test::someMidiFiles(6);
    if (files.isEmpty()) QSKIP("no MIDI files on this machine");
    const int seconds = qEnvironmentVariableIsSet("HARMONIA_MONKEY_SECONDS")
                            ? qEnvironmentVariableIntValue("HARMONIA_MONKEY_SECONDS") : 60;
    const unsigned seed = qEnvironmentVariableIsSet("HARMONIA_MONKEY_SEED")
                              ? unsigned(qEnvironmentVariableIntValue("HARMONIA_MONKEY_SEED")) : 1u;
    QTemporaryDir dir;
    for (int i = 0; i < files.size(); ++i) QFile::copy(files[i], dir.filePath(QStringLiteral("f%1.mid").arg(i)));

    int dialogs = 0;
    QTimer watchdog;  // answers every modal dialog, nested event loops included
    watchdog.setInterval(50);
    connect(&watchdog, &QTimer::timeout, this, [&] {
      if (QWidget* modal = QApplication::activeModalWidget()) {
        ++dialogs;
        if (auto* d = qobject_cast<QDialog*>(modal)) d->reject();
        else modal->close();
      } else if (QWidget* popup = QApplication::activePopupWidget()) {
        // A tool button's menu (a row's » menu) runs its own event loop until closed, as a user's
        // click elsewhere does: left open, the monkey sat in it until Qt Test's time limit.
        ++dialogs;
        popup->close();
      }
    });
    watchdog.start();

    int threadsBefore = 0, events = 0;
    double worstOwn = 0, worstWall = 0, worstCpu = 0;
    {
      auto window = std::make_unique<harmonia::ui::MainWindow>();
      window->resize(1280, 720);
      window->show();
      QVERIFY(QTest::qWaitForWindowExposed(window.get()));
      auto* dataset = window->datasetPage();
      QSignalSpy imported(dataset, &harmonia::ui::DatasetPage::importFinished);
      dataset->setFolder(dir.path());
      dataset->startImport();
      QVERIFY(harmonia::ui::test::waitUntil([&] { return imported.count() >= 1; }, 120000));
      threadsBefore = processThreads();

      std::mt19937 rng(seed);
      auto pick = [&](int n) { return int(std::uniform_int_distribution<int>(0, n - 1)(rng)); };
      QStringList log;  // the last actions, printed when something fails
      StallMeter meter;
      QElapsedTimer clock;
      clock.start();
      while (clock.elapsed() < qint64(seconds) * 1000) {
        QWidget* page = window->centralWidget();
        QString what;
        switch (pick(10)) {
          case 0:
          case 1:
            window->showPage(pick(4));
            what = QStringLiteral("page");
            break;
          case 2:
          case 3:
          case 4: {  // a button, a check box, a tool button
            auto buttons = usable<QAbstractButton>(page);
            if (buttons.isEmpty()) break;
            auto* b = buttons[pick(int(buttons.size()))];
            what = QStringLiteral("click '%1'").arg(b->text().isEmpty() ? b->toolTip().left(30) : b->text());
            b->click();
            break;
          }
          case 5: {
            auto sliders = usable<QAbstractSlider>(page);
            if (sliders.isEmpty()) break;
            auto* s = sliders[pick(int(sliders.size()))];
            s->setValue(s->minimum() + pick(std::max(1, s->maximum() - s->minimum() + 1)));
            what = QStringLiteral("slider");
            break;
          }
          case 6: {
            auto spins = usable<QSpinBox>(page);
            if (spins.isEmpty()) break;
            auto* s = spins[pick(int(spins.size()))];
            s->setValue(s->minimum() + pick(std::max(1, std::min(1000, s->maximum() - s->minimum() + 1))));
            what = QStringLiteral("spin box");
            break;
          }
          case 7: {
            auto combos = usable<QComboBox>(page);
            if (combos.isEmpty()) break;
            auto* c = combos[pick(int(combos.size()))];
            if (c->count() > 0) c->setCurrentIndex(pick(c->count()));
            what = QStringLiteral("combo");
            break;
          }
          case 8: {  // a menu action, never Quit
            QList<QAction*> actions;
            for (auto* menu : window->menuBar()->findChildren<QMenu*>())
              for (auto* a : menu->actions())
                if (a->isEnabled() && !a->isSeparator() && !a->menu() &&
                    !a->text().remove('&').contains(QStringLiteral("Quit"), Qt::CaseInsensitive))
                  actions << a;
            if (actions.isEmpty()) break;
            auto* a = actions[pick(int(actions.size()))];
            what = QStringLiteral("menu '%1'").arg(a->text());
            a->trigger();
            break;
          }
          case 9:
            window->resize(1200 + pick(400), 680 + pick(220));
            what = QStringLiteral("resize");
            break;
        }
        if (!what.isEmpty()) {
          ++events;
          log << what;
          if (log.size() > 20) log.removeFirst();
        }
        QTest::qWait(20 + pick(180));  // a user's actions are separate events
      }
      worstOwn = meter.worstOwnMs();
      worstWall = meter.worstMs();
      worstCpu = meter.worstCpuMs();
      std::printf("[monkey] seed %u, %d s: %d events, %d dialogs answered, longest stall %.1f ms wall, %.1f ms own, "
                  "%.1f ms GUI CPU; threads %d after the import\n",
                  seed, seconds, events, dialogs, worstWall, worstOwn, worstCpu, threadsBefore);
      std::fflush(stdout);
      // Closing stops training, generation and playback: it must not hang.
      QElapsedTimer closing;
      closing.start();
      window->close();
      window.reset();
      std::printf("[monkey] window closed and destroyed in %lld ms\n", static_cast<long long>(closing.elapsed()));
      QVERIFY2(closing.elapsed() < 30000, "closing the window took more than 30 s");
      QVERIFY2(worstCpu < 100, qPrintable(QStringLiteral("GUI thread busy %1 ms at once; last actions: %2")
                                              .arg(worstCpu).arg(log.join(", "))));
    }
    QVERIFY(events > seconds);  // the monkey really acted
    QVERIFY2(QThreadPool::globalInstance()->waitForDone(30000), "a pooled worker still runs after the window closed");
    QTest::qWait(500);
    const int threadsAfter = processThreads();
    std::printf("[monkey] threads: %d after the import, %d after closing\n", threadsBefore, threadsAfter);
    QVERIFY2(threadsAfter <= threadsBefore + 2,  // Qt's own helper threads may start lazily
             qPrintable(QStringLiteral("%1 threads left running (%2 before)").arg(threadsAfter).arg(threadsBefore)));
  }
};
