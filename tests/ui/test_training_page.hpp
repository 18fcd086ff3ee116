#pragma once
// The Model & Training page: preset parameter counts come from the real models, the log
// scale switch changes the loss axis, Start needs a dataset and a tokenizer, and when the
// engine is present the tiny preset trains a few steps with points reaching the plot.
#include <QCheckBox>
#include <QComboBox>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>

#include "core/tokenizer/tokenizer.hpp"
#include "ui/training_page.hpp"
#include "ui_test_support.hpp"

using harmonia::ui::StepState;
using harmonia::ui::TrainingPage;
using harmonia::ui::test::someMidiFiles;
using harmonia::ui::test::waitUntil;

namespace {
QPushButton* buttonNamed(QWidget& w, const QString& text) {
  for (auto* b : w.findChildren<QPushButton*>())
    if (b->text().remove('&') == text) return b;
  return nullptr;
}
}  // namespace

class TestTrainingPage final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void presetShowsParameterCount() {
    TrainingPage page;
    QSignalSpy ready(&page, &TrainingPage::parameterCountReady);
    const auto tok = harmonia::tokenizer::Tokenizer::create("REMI");
    page.setTokenizer(QString::fromStdString(tok->to_json().dump()), qint64(tok->vocab_size()));
    QVERIFY(waitUntil([&] { return ready.count() >= 1; }, 60000));
    const qint64 tiny = page.parameterCount();
    QVERIFY(tiny > 1000);
    QCOMPARE(tiny, qint64(harmonia::ui::parameter_count("tiny", "", qint64(tok->vocab_size()))));
    // A bigger preset has more parameters.
    QComboBox* preset = nullptr;
    for (auto* c : page.findChildren<QComboBox*>())
      if (c->findText("tiny") >= 0) preset = c;
    QVERIFY(preset);
    const int small = preset->findText("small");
    QVERIFY(small >= 0);
    preset->setCurrentIndex(small);
    QVERIFY(waitUntil([&] { return ready.count() >= 2 && page.parameterCount() != tiny; }, 60000));
    QVERIFY(page.parameterCount() > tiny);
  }

  void logScaleSwitchesTheLossAxis() {
    TrainingPage page;
    QVERIFY(!page.logScale());
    auto* box = page.findChild<QCheckBox*>();
    QVERIFY(box);
    box->setChecked(true);
    QVERIFY(page.logScale());
    page.setLogScale(false);
    QVERIFY(!box->isChecked());
  }

  void startNeedsDatasetAndTokenizer() {
    TrainingPage page;
    auto* start = buttonNamed(page, "Start");
    QVERIFY(start);
    QVERIFY(!start->isEnabled());
    QVERIFY(!buttonNamed(page, "Pause")->isEnabled());
    QVERIFY(!buttonNamed(page, "Cancel")->isEnabled());
    page.start();  // no dataset, no tokenizer: nothing starts
    QVERIFY(!page.isTraining());
    if (!harmonia::ui::training_available()) QCOMPARE(page.state(), StepState::Unavailable);
  }

  void tinyPresetTrainsAndPlots() {
    if (!harmonia::ui::training_available()) QSKIP("training engine not in this build");
    const QStringList files = someMidiFiles(4);
    if (files.isEmpty()) QSKIP("no MIDI files on this machine");
    QTemporaryDir runs;
    TrainingPage page;
    page.setRunsRoot(runs.path());
    const auto tok = harmonia::tokenizer::Tokenizer::create("REMI");
    page.setTokenizer(QString::fromStdString(tok->to_json().dump()), qint64(tok->vocab_size()));
    page.setDataset(files);
    QSignalSpy finished(&page, &TrainingPage::trainingFinished);
    page.start();
    QVERIFY(page.isTraining());
    QVERIFY(waitUntil([&] { return finished.count() == 1; }, 100000));
    QVERIFY(finished.first().first().toBool());
    QVERIFY(page.lossPoints() > 0);
    QCOMPARE(page.state(), StepState::Done);
  }
};

