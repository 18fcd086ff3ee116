// One executable for all GUI suites (one compile and one link instead of seven: linking
// LibTorch dominates build time). `test_ui SUITE [QtTest options]` runs one suite; ctest
// registers each suite as its own test (ui.SUITE).
#include <QApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QThread>
#include <QtTest>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "test_dataset_page.hpp"
#include "test_disk_faults.hpp"
#include "test_generate_page.hpp"
#include "test_inside_model_page.hpp"
#include "test_layout.hpp"
#include "test_main_window.hpp"
#include "test_messages.hpp"
#include "test_monkey.hpp"
#include "test_piano_roll.hpp"
#include "test_presentation.hpp"
#include "test_record_audition.hpp"
#include "test_regenerate_selection.hpp"
#include "test_responsiveness.hpp"
#include "test_runs_page.hpp"
#include "test_soundfont_choice.hpp"
#include "test_step_through.hpp"
#include "test_tokenizer_page.hpp"
#include "test_training_page.hpp"

namespace {

// With HARMONIA_STALL_TRACE set, every event that keeps the GUI thread busy longer than that
// many milliseconds is printed with its receiver: how the responsiveness suite's stalls are
// tracked down. Nested deliveries (a paint inside a slot) are printed too, innermost first.
class TracingApplication : public QApplication {
 public:
  TracingApplication(int& argc, char** argv) : QApplication(argc, argv) {
    traceMs_ = qEnvironmentVariableIntValue("HARMONIA_STALL_TRACE");
  }
  bool notify(QObject* receiver, QEvent* event) override {
    if (traceMs_ <= 0 || QThread::currentThread() != thread()) return QApplication::notify(receiver, event);
    QElapsedTimer t;
    t.start();
    const double cpu0 = threadCpuMs();
    const int type = int(event->type());
    const char* cls = receiver->metaObject()->className();  // the receiver may delete itself
    const QString name = receiver->objectName();
    const bool result = QApplication::notify(receiver, event);
    const qint64 ms = t.elapsed();
    if (ms >= traceMs_)
      std::fprintf(stderr, "[stall] at %lld ms: %lld ms (%.1f ms CPU): event %d to %s \"%s\"\n",
                   static_cast<long long>(QDateTime::currentMSecsSinceEpoch() % 1000000), static_cast<long long>(ms), threadCpuMs() - cpu0, type,
                   cls, qPrintable(name));
    return result;
  }

 private:
  // CPU time of the GUI thread: on a loaded machine the wall clock also counts other processes.
  static double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
  }
  int traceMs_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const std::map<std::string, std::function<std::unique_ptr<QObject>()>> suites = {
      {"main_window", [] { return std::make_unique<TestMainWindow>(); }},
      {"piano_roll", [] { return std::make_unique<TestPianoRoll>(); }},
      {"tokenizer_page", [] { return std::make_unique<TestTokenizerPage>(); }},
      {"dataset_page", [] { return std::make_unique<TestDatasetPage>(); }},
      {"disk_faults", [] { return std::make_unique<TestDiskFaults>(); }},
      {"generate_page", [] { return std::make_unique<TestGeneratePage>(); }},
      {"inside_model", [] { return std::make_unique<TestInsideModelPage>(); }},
      {"layout", [] { return std::make_unique<TestLayout>(); }},
      {"messages", [] { return std::make_unique<TestMessages>(); }},
      {"monkey", [] { return std::make_unique<TestMonkey>(); }},
      {"soundfont_choice", [] { return std::make_unique<TestSoundFontChoice>(); }},
      {"step_through", [] { return std::make_unique<TestStepThrough>(); }},
      {"training_page", [] { return std::make_unique<TestTrainingPage>(); }},
      {"record_audition", [] { return std::make_unique<TestRecordAudition>(); }},
      {"regenerate_selection", [] { return std::make_unique<TestRegenerateSelection>(); }},
      {"responsiveness", [] { return std::make_unique<TestResponsiveness>(); }},
      {"runs_page", [] { return std::make_unique<TestRunsPage>(); }},
      {"presentation", [] { return std::make_unique<TestPresentation>(); }},
  };
  const auto it = argc > 1 ? suites.find(argv[1]) : suites.end();
  if (it == suites.end()) {
    std::fprintf(stderr, "usage: %s SUITE [QtTest options]\nsuites:", argv[0]);
    for (const auto& s : suites) std::fprintf(stderr, " %s", s.first.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  // A long monkey run (HARMONIA_MONKEY_SECONDS=1800) outlasts Qt Test's 5-minute limit for one
  // test function, whose watchdog aborted the first 30-minute attempt's reruns at 300 s.
  if (!qEnvironmentVariableIsSet("QTEST_FUNCTION_TIMEOUT") && qEnvironmentVariableIsSet("HARMONIA_MONKEY_SECONDS"))
    qputenv("QTEST_FUNCTION_TIMEOUT",
            QByteArray::number((qEnvironmentVariableIntValue("HARMONIA_MONKEY_SECONDS") + 900) * 1000LL));
  // Tests never read or write the user's settings.
  QStandardPaths::setTestModeEnabled(true);
  TracingApplication app(argc, argv);
  QApplication::setApplicationName("Harmonia Studio Tests");
  QApplication::setOrganizationName("Harmonia");
  auto suite = it->second();
  // QtTest sees the program name followed by the options after SUITE.
  std::vector<char*> args{argv[0]};
  for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
  return QTest::qExec(suite.get(), int(args.size()), args.data());
}
