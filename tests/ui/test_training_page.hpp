#pragma once
// The Model & Training page: preset parameter counts come from the real models, the log
// scale switch changes the loss axis, Start needs a dataset and a tokenizer, and when the
// engine is present the tiny preset trains a few steps with points reaching the plot.
#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QFile>
#include <QComboBox>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>

#include "core/compute/cpu_features.hpp"
#include "core/generate/music_recipe.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "ui/pages/dataset_page.hpp"
#include "ui/pages/training_page.hpp"
#include "ui_test_support.hpp"

using harmonia::ui::StepState;
using harmonia::ui::TrainingPage;
using harmonia::ui::test::someMidiFiles;
using harmonia::ui::test::fewTrainingSteps;
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
 private:
  // The set-up the training tests share: runs in `runs`, a default REMI tokenizer, `files`.
  static void useRemiRun(TrainingPage& page, const QTemporaryDir& runs, const QStringList& files) {
    page.setRunsRoot(runs.path());
    const auto tok = harmonia::tokenizer::Tokenizer::create("REMI");
    page.setTokenizer(QString::fromStdString(tok->to_json().dump()), qint64(tok->vocab_size()));
    page.setDataset(files);
  }

 private slots:
  // A batch and context that cannot fit are refused with the figures before LibTorch asks for
  // the memory. Before: the GUI monkey typed batch/context values that grew the studio to 23 GB
  // in a minute, and the kernel's OOM killer ended it with nothing saved.
  void aRunThatCannotFitInMemoryIsRefusedWithTheFigures() {
    if (!harmonia::ui::training_available()) QSKIP("training engine not in this build");
    const QStringList files = someMidiFiles(4);
    if (files.isEmpty()) QSKIP("no MIDI files on this machine");
    QTemporaryDir runs;
    TrainingPage page;
    useRemiRun(page, runs, files);
    auto spec = fewTrainingSteps(2);
    spec.batch_size = 16;  // the 4 files hold 16 windows of this context
    spec.seq_len = 8192;   // tiny preset: ~146 GB, 16 x 8192^2 attention scores per head and layer
    page.setHyperparameters(spec);
    QSignalSpy finished(&page, &TrainingPage::trainingFinished);
    page.start();
    QVERIFY(waitUntil([&] { return finished.count() == 1; }, 150000));
    QVERIFY(!finished.first().first().toBool());
    QCOMPARE(page.state(), StepState::Error);
    QVERIFY2(page.bannerText().contains("GB of memory") && page.bannerText().contains("lower the batch size"),
             qPrintable(page.bannerText()));
  }

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

  // Issue 19: every architecture is offered by its own name with a one-line explanation (its
  // tooltip, and a line under the box for the chosen one, the preset's own included), and
  // choosing one recounts the parameters for that family.
  void architecturePickerExplainsEachFamily() {
    TrainingPage page;
    QSignalSpy ready(&page, &TrainingPage::parameterCountReady);
    const auto tok = harmonia::tokenizer::Tokenizer::create("REMI");
    page.setTokenizer(QString::fromStdString(tok->to_json().dump()), qint64(tok->vocab_size()));
    QComboBox* arch = nullptr;
    for (auto* c : page.findChildren<QComboBox*>())
      if (c->findData(QStringLiteral("gpt2")) >= 0) arch = c;
    QVERIFY(arch);
    auto* info = page.findChild<QLabel*>(QStringLiteral("architectureExplanation"));
    QVERIFY(info);
    QVERIFY2(info->text().startsWith(QStringLiteral("GPT-2:")), qPrintable(info->text()));  // tiny is a GPT-2
    QStringList names;
    for (const auto& a : harmonia::ui::model_architectures()) {
      const int i = arch->findData(QString::fromStdString(a));
      QVERIFY2(i >= 0, a.c_str());
      const QString about = arch->itemData(i, Qt::ToolTipRole).toString();
      QVERIFY2(!about.isEmpty(), a.c_str());
      QVERIFY2(about.startsWith(arch->itemText(i) + QLatin1Char(':')), qPrintable(about));
      names << arch->itemText(i);
    }
    QVERIFY2(names.contains(QStringLiteral("Mamba")) && names.contains(QStringLiteral("GPT-NeoX (Pythia)")),
             qPrintable(names.join(", ")));
    QVERIFY(waitUntil([&] { return ready.count() >= 1; }, 60000));
    const int before = ready.count();
    arch->setCurrentIndex(arch->findData(QStringLiteral("mamba")));
    QCOMPARE(info->text(), arch->itemData(arch->currentIndex(), Qt::ToolTipRole).toString());
    QVERIFY(waitUntil([&] { return ready.count() > before; }, 60000));
    QCOMPARE(page.parameterCount(), qint64(harmonia::ui::parameter_count("tiny", "mamba", qint64(tok->vocab_size()))));
  }

  // Issue 15: training defaults to bf16 autocast where the CPU does bf16 natively (about twice
  // the tokens/s), fp32 elsewhere; the backend resolves "auto" per machine.
  void precisionDefaultsToAuto() {
    TrainingPage page;
    QCOMPARE(QString::fromStdString(page.spec().precision), QStringLiteral("auto"));
    QComboBox* precision = nullptr;
    for (auto* c : page.findChildren<QComboBox*>())
      if (c->findData(QStringLiteral("bf16")) >= 0) precision = c;
    QVERIFY(precision);
    QCOMPARE(precision->currentIndex(), 0);
    QVERIFY(precision->currentText().startsWith("auto"));
    QVERIFY(precision->findData(QStringLiteral("fp32")) >= 0);  // an explicit choice stays possible
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

  // The issue's check: the tiny preset trains a few steps from the page and the plots
  // receive points; the run folder holds its logs, checkpoints and the model; a previous run
  // resumes where it stopped.
  void tinyPresetTrainsPlotsAndResumes() {
    if (!harmonia::ui::training_available()) QSKIP("training engine not in this build");
    const QStringList files = someMidiFiles(4);
    if (files.isEmpty()) QSKIP("no MIDI files on this machine");
    QTemporaryDir runs;
    TrainingPage page;
    useRemiRun(page, runs, files);
    page.setHyperparameters(fewTrainingSteps(4));
    QSignalSpy finished(&page, &TrainingPage::trainingFinished);
    page.start();
    QVERIFY(page.isTraining());
    QVERIFY(waitUntil([&] { return finished.count() == 1; }, 150000));
    QVERIFY2(finished.first().first().toBool(), qPrintable(page.state() == StepState::Error ? "error" : "not ok"));
    QCOMPARE(page.state(), StepState::Done);
    QCOMPARE(page.lossPoints(), 4);
    QVERIFY(page.validationPoints() >= 1);
    QVERIFY(!page.lastCheckpoint().isEmpty());
    const QDir run(page.runDir());
    QVERIFY(run.exists("train_log.csv"));
    QVERIFY(run.exists("tokenizer.json"));
    QVERIFY(run.exists("model/config.json"));
    QVERIFY(run.exists("model/model.safetensors"));
    QVERIFY(QDir(run.filePath("checkpoints")).entryList({"step-*"}, QDir::Dirs).size() >= 1);

    // Resume: two more steps on top of the four, in the same run folder.
    auto more = fewTrainingSteps(6);
    page.setHyperparameters(more);
    page.resumeFrom(page.runDir());
    QVERIFY(page.isTraining());
    QVERIFY(waitUntil([&] { return finished.count() == 2; }, 150000));
    QVERIFY(finished.at(1).first().toBool());
    QCOMPARE(finished.at(1).at(1).toString(), run.absolutePath());
    // Issue 21: the chart keeps the run's whole history (steps 1-4 from train_log.csv, then
    // 5-6), not just the steps since the resume.
    QCOMPARE(page.lossPoints(), 6);
    QCOMPARE(page.lossCurve().first().x(), 1.0);
    QCOMPARE(page.lossCurve().last().x(), 6.0);
    QVERIFY2(page.lastCheckpoint().contains("step-00000006"), qPrintable(page.lastCheckpoint()));
    // Readable, distinct checkpoint lines (they were the same cut-off folder path, repeated).
    const QStringList labels = page.checkpointLabels();
    QVERIFY(!labels.isEmpty());
    QCOMPARE(QSet<QString>(labels.begin(), labels.end()).size(), labels.size());
    for (const auto& l : labels) QVERIFY2(!l.contains('/') && l.size() < 45, qPrintable(l));
    QVERIFY2(labels.contains("Step 6"), qPrintable(labels.join(" | ")));
  }

  // Issue 18: the fill-in-the-middle share set on the page trains a model with the FIM tokens
  // (what `harmonia infill` needs) and is recorded in run.json for a CLI resume.
  void fillInTheMiddleShareReachesTheRun() {
    if (!harmonia::ui::training_available()) QSKIP("training engine not in this build");
    const QStringList files = someMidiFiles(4);
    if (files.isEmpty()) QSKIP("no MIDI files on this machine");
    QTemporaryDir runs;
    TrainingPage page;
    useRemiRun(page, runs, files);
    auto spec = fewTrainingSteps(2);
    spec.fim_rate = 0.5;
    page.setHyperparameters(spec);
    QCOMPARE(page.spec().fim_rate, 0.5);
    QSignalSpy finished(&page, &TrainingPage::trainingFinished);
    page.start();
    QVERIFY(waitUntil([&] { return finished.count() == 1; }, 150000));
    QVERIFY(finished.first().first().toBool());
    const QDir run(page.runDir());
    const auto model_tok = harmonia::tokenizer::Tokenizer::load(run.filePath("model/tokenizer.json").toStdString());
    QVERIFY(model_tok->vocab().id("FIM_MID") >= 0);
    QFile json(run.filePath("run.json"));
    QVERIFY(json.open(QIODevice::ReadOnly));
    QCOMPARE(nlohmann::json::parse(json.readAll().toStdString()).at("fim_rate").get<double>(), 0.5);
  }

  // A run folder opened as it is on disk (a reopened project): the whole curve from its log,
  // a resume's redone steps replacing the old ones, its checkpoints by step, and its state.
  void openRunShowsItsHistoryAndCheckpoints() {
    QTemporaryDir run;
    QFile csv(run.filePath("train_log.csv"));
    QVERIFY(csv.open(QIODevice::WriteOnly));
    QByteArray text = "step,epoch,train_loss,val_loss,lr,grad_norm,tokens_per_s,elapsed_s\n";
    for (int s = 1; s <= 8; ++s) text += QByteArray::number(s) + ",0," + QByteArray::number(6.0 - 0.1 * s) + ",,0.001,1,900,1\n";
    text += "8,0,,5.0,0.001,0,0,1\n";
    // Resumed from the step-6 checkpoint: steps 7-10 logged again, the validation at 8 too.
    for (int s = 7; s <= 10; ++s) text += QByteArray::number(s) + ",0," + QByteArray::number(4.0 - 0.1 * s) + ",,0.001,1,900,1\n";
    text += "10,0,,3.5,0.001,0,0,1\n";
    csv.write(text);
    csv.close();
    for (const char* name : {"step-00000006", "step-00000010", "best"}) {
      QVERIFY(QDir(run.path()).mkpath(QStringLiteral("checkpoints/%1/model").arg(name)));
      QFile state(run.filePath(QStringLiteral("checkpoints/%1/trainer_state.json").arg(name)));
      QVERIFY(state.open(QIODevice::WriteOnly));
      state.write(QByteArray(name) == "step-00000006" ? R"({"step": 6, "best_val_loss": 5.0})"
                                                      : R"({"step": 10, "best_val_loss": 3.5})");
    }
    QVERIFY(QDir(run.path()).mkpath("model"));
    QFile config(run.filePath("model/config.json"));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("{}");
    config.close();

    TrainingPage page;
    QString error;
    QVERIFY2(page.openRun(run.path(), &error), qPrintable(error));
    QCOMPARE(page.lossPoints(), 10);
    QCOMPARE(page.validationPoints(), 1);  // the validation at 8 was of the steps redone
    QCOMPARE(page.lossCurve().at(7).y(), 4.0 - 0.8);  // step 8: the resumed run's loss
    QCOMPARE(page.checkpointLabels(),
             QStringList({"Step 6", "Step 10", "Best so far: step 10, validation 3.500"}));
    QVERIFY(page.lastCheckpoint().endsWith("step-00000010"));
    QCOMPARE(page.state(), StepState::Done);
    QCOMPARE(page.runDir(), QFileInfo(run.path()).absoluteFilePath());

    // A log that is not one is an error naming the file, and the page keeps what it showed.
    QTemporaryDir bad;
    QFile junk(bad.filePath("train_log.csv"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("step,epoch,train_loss,val_loss\nseven,0,1,\n");
    junk.close();
    QVERIFY(!page.openRun(bad.path(), &error));
    QVERIFY2(error.contains("train_log.csv") && error.contains("line 2"), qPrintable(error));
    QCOMPARE(page.lossPoints(), 10);
  }

  // Compound tokenizers train from the page too: the model gets one head per field, sized
  // like that field's vocabulary (config.json), so `harmonia generate` can load the run.
  void compoundTokenizerTrains() {
    if (!harmonia::ui::training_available()) QSKIP("training engine not in this build");
    const QStringList files = someMidiFiles(3);
    if (files.isEmpty()) QSKIP("no MIDI files on this machine");
    QTemporaryDir runs;
    TrainingPage page;
    page.setRunsRoot(runs.path());
    const auto tok = harmonia::tokenizer::Tokenizer::create("CPWord");
    QVERIFY(tok->is_compound());
    page.setTokenizer(QString::fromStdString(tok->to_json().dump()), qint64(tok->vocab_size()));
    page.setDataset(files);
    page.setHyperparameters(fewTrainingSteps(3));
    QSignalSpy finished(&page, &TrainingPage::trainingFinished);
    page.start();
    QVERIFY(waitUntil([&] { return finished.count() == 1; }, 150000));
    QVERIFY2(finished.first().first().toBool(), "CPWord training did not finish");
    QCOMPARE(page.lossPoints(), 3);
    QFile config(QDir(page.runDir()).filePath("model/config.json"));
    QVERIFY(config.open(QIODevice::ReadOnly));
    const auto json = nlohmann::json::parse(config.readAll().toStdString());
    QVERIFY2(json.contains("harmonia_compound"), "config.json records no per-field vocabularies");
    const auto& sizes = json["harmonia_compound"]["field_vocab_sizes"];
    QCOMPARE(sizes.size(), tok->vocabs().size());
    for (size_t f = 0; f < sizes.size(); ++f) QCOMPARE(sizes[f].get<size_t>(), tok->vocabs()[f].size());
  }

  // GUI training reads the Dataset page's token cache: the run records that cache, and a
  // start with the tokenizer the page imported with tokenizes nothing (quick index). A
  // tokenizer chosen after the import trains from its own cache, which the run tokenizes
  // once; the next start with it is answered by the quick index again.
  void trainsFromTheDatasetPageCache() {
    if (!harmonia::ui::training_available()) QSKIP("training engine not in this build");
    const QStringList files = someMidiFiles(4);
    if (files.isEmpty()) QSKIP("no MIDI files on this machine");
    QTemporaryDir folder, cache, runs;
    for (int i = 0; i < files.size(); ++i) QFile::copy(files[i], folder.filePath(QStringLiteral("f%1.mid").arg(i)));
    harmonia::ui::DatasetPage dataset;
    dataset.setCacheRoot(cache.path());
    const std::shared_ptr<const harmonia::tokenizer::Tokenizer> remi = harmonia::tokenizer::Tokenizer::create("REMI");
    const std::shared_ptr<const harmonia::tokenizer::Tokenizer> tsd = harmonia::tokenizer::Tokenizer::create("TSD");
    QVERIFY(remi->vocab_size() != tsd->vocab_size());  // the model's size tells which trained
    dataset.setTokenizer(remi);
    dataset.setFolder(folder.path());
    QSignalSpy imported(&dataset, &harmonia::ui::DatasetPage::importFinished);
    dataset.startImport();
    QVERIFY(waitUntil([&] { return imported.count() == 1; }, 120000));
    const QString remiCache = dataset.cacheDir();
    QVERIFY(QDir(remiCache).exists());
    QVERIFY(!dataset.usableFiles().isEmpty());

    TrainingPage page;
    page.setRunsRoot(runs.path());
    page.setCacheRoot(dataset.cacheRoot());
    page.setDataset(dataset.usableFiles(), dataset.importedInput());
    page.setTokenizer(QString::fromStdString(remi->to_json().dump()), qint64(remi->vocab_size()));
    page.setHyperparameters(fewTrainingSteps(2));
    QSignalSpy finished(&page, &TrainingPage::trainingFinished);
    const auto readJson = [&](const QString& name) {
      QFile f(QDir(page.runDir()).filePath(name));
      return f.open(QIODevice::ReadOnly) ? nlohmann::json::parse(f.readAll().toStdString()) : nlohmann::json();
    };
    const auto trainOnce = [&](int n) {
      if (n > 1) QTest::qWait(1100);  // run folders are named to the second
      page.start();
      return waitUntil([&] { return finished.count() == n; }, 150000) && finished.at(n - 1).first().toBool();
    };
    QVERIFY(trainOnce(1));
    auto run = readJson("run.json");
    QCOMPARE(QString::fromStdString(run.value("dataset_dir", "")), remiCache);
    // What "auto" became on this machine, and the windows kept and dropped on each side.
    QCOMPARE(run.value("precision_requested", ""), std::string("auto"));
    QCOMPARE(run.value("precision", ""), harmonia::compute::resolve_precision("auto", false));
    QCOMPARE(run["chunks"].value("min_notes", 0), int(harmonia::generate::kMinWindowNotes));
    QVERIFY2(run["chunks"]["train"].value("windows", 0) > 0, run.dump().c_str());
    QVERIFY(run["chunks"]["train"].contains("dropped_few_notes"));
    QVERIFY(run["chunks"]["validation"].contains("dropped_short"));
    // What the corpus taught besides the weights, for the Generate page (as `harmonia train`).
    QVERIFY(QFile::exists(QDir(page.runDir()).filePath("model/harmonia_music.json")));
    QVERIFY2(run["import"].value("from_quick_index", false), run.dump().c_str());
    QCOMPARE(run["import"].value("tokenized", -1), 0);
    QCOMPARE(readJson("model/config.json").value("vocab_size", 0), int(remi->vocab_size()));

    // The tokenizer changed after the import: the run imports with TSD into TSD's cache.
    dataset.setTokenizer(tsd);
    const QString tsdCache = dataset.cacheDir();
    QVERIFY(tsdCache != remiCache);
    QVERIFY(!QDir(tsdCache).exists());
    page.setTokenizer(QString::fromStdString(tsd->to_json().dump()), qint64(tsd->vocab_size()));
    QVERIFY(trainOnce(2));
    run = readJson("run.json");
    QCOMPARE(QString::fromStdString(run.value("dataset_dir", "")), tsdCache);
    QVERIFY(QDir(tsdCache).exists());
    QVERIFY(!run["import"].value("from_quick_index", true));
    QVERIFY(run["import"].value("tokenized", 0) >= 1);
    QCOMPARE(readJson("model/config.json").value("vocab_size", 0), int(tsd->vocab_size()));

    // Again with TSD: nothing is tokenized this time.
    QVERIFY(trainOnce(3));
    run = readJson("run.json");
    QCOMPARE(QString::fromStdString(run.value("dataset_dir", "")), tsdCache);
    QVERIFY(run["import"].value("from_quick_index", false));
    QCOMPARE(run["import"].value("tokenized", -1), 0);
  }

  // Cancel, pause and resume at any moment: no crash, the page ends in a consistent state.
  void cancelAndPauseAtAnyTime() {
    if (!harmonia::ui::training_available()) QSKIP("training engine not in this build");
    const QStringList files = someMidiFiles(3);
    if (files.isEmpty()) QSKIP("no MIDI files on this machine");
    QTemporaryDir runs;
    const auto tok = harmonia::tokenizer::Tokenizer::create("REMI");
    for (int delayMs : {0, 300, 1500}) {
      TrainingPage page;
      page.setRunsRoot(runs.path());
      page.setTokenizer(QString::fromStdString(tok->to_json().dump()), qint64(tok->vocab_size()));
      page.setDataset(files);
      page.setHyperparameters(fewTrainingSteps(1000));
      QSignalSpy finished(&page, &TrainingPage::trainingFinished);
      page.start();
      QTest::qWait(delayMs);
      page.pause();
      QTest::qWait(delayMs / 3);
      page.resume();
      page.cancel();
      QVERIFY(waitUntil([&] { return finished.count() == 1; }, 60000));
      QVERIFY(!finished.first().first().toBool());
      QVERIFY(!page.isTraining());
      QVERIFY(page.state() != StepState::Running);
    }
    // Destroying a page while it trains cancels and joins.
    TrainingPage page;
    page.setRunsRoot(runs.path());
    page.setTokenizer(QString::fromStdString(tok->to_json().dump()), qint64(tok->vocab_size()));
    page.setDataset(files);
    page.setHyperparameters(fewTrainingSteps(1000));
    page.start();
    QTest::qWait(500);
  }
};

