#include <QListWidget>
#include <QtTest>

#include "ui/main_window.hpp"

class TestMainWindow final : public QObject {
  Q_OBJECT
 private slots:
  void opensWithFourPipelinePages() {
    harmonia::ui::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.pageCount(), 4);
    QVERIFY(window.pageTitle(0).contains("Dataset"));
    QVERIFY(window.pageTitle(3).contains("Generate"));
  }
  void sidebarSwitchesPages() {
    harmonia::ui::MainWindow window;
    window.show();
    auto* list = window.findChild<QListWidget*>();
    QVERIFY(list);
    list->setCurrentRow(2);
    QCOMPARE(window.currentPage(), 2);
    QTest::keyClick(list, Qt::Key_Down);
    QCOMPARE(window.currentPage(), 3);
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
