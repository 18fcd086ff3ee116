// One executable for all GUI suites (one compile and one link instead of seven: linking
// LibTorch dominates build time). `test_ui SUITE [QtTest options]` runs one suite; ctest
// registers each suite as its own test (ui.SUITE).
#include <QApplication>
#include <QStandardPaths>
#include <QtTest>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "test_dataset_page.hpp"
#include "test_generate_page.hpp"
#include "test_main_window.hpp"
#include "test_piano_roll.hpp"
#include "test_responsiveness.hpp"
#include "test_tokenizer_page.hpp"
#include "test_training_page.hpp"

int main(int argc, char** argv) {
  const std::map<std::string, std::function<std::unique_ptr<QObject>()>> suites = {
      {"main_window", [] { return std::make_unique<TestMainWindow>(); }},
      {"piano_roll", [] { return std::make_unique<TestPianoRoll>(); }},
      {"tokenizer_page", [] { return std::make_unique<TestTokenizerPage>(); }},
      {"dataset_page", [] { return std::make_unique<TestDatasetPage>(); }},
      {"generate_page", [] { return std::make_unique<TestGeneratePage>(); }},
      {"training_page", [] { return std::make_unique<TestTrainingPage>(); }},
      {"responsiveness", [] { return std::make_unique<TestResponsiveness>(); }},
  };
  const auto it = argc > 1 ? suites.find(argv[1]) : suites.end();
  if (it == suites.end()) {
    std::fprintf(stderr, "usage: %s SUITE [QtTest options]\nsuites:", argv[0]);
    for (const auto& s : suites) std::fprintf(stderr, " %s", s.first.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  // Tests never read or write the user's settings.
  QStandardPaths::setTestModeEnabled(true);
  QApplication app(argc, argv);
  QApplication::setApplicationName("Harmonia Studio Tests");
  QApplication::setOrganizationName("Harmonia");
  auto suite = it->second();
  // QtTest sees the program name followed by the options after SUITE.
  std::vector<char*> args{argv[0]};
  for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
  return QTest::qExec(suite.get(), int(args.size()), args.data());
}
