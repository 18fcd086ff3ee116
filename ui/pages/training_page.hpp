// Model & Training page: architecture + preset (parameter count), hyperparameters with
// defaults and tooltips, Start / Pause / Resume / Cancel, live loss / learning-rate /
// tokens-per-second charts, step counter and ETA, checkpoints list, run folder.
#pragma once

#include <QFutureWatcher>
#include <QPointF>
#include <QVector>
#include <QStringList>
#include <QTimer>
#include <memory>

#include "ui/pages/pipeline_page.hpp"
#include "ui/bridge/training_backend.hpp"

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace harmonia::ui {

class TrainingPage : public PipelinePage {
  Q_OBJECT
 public:
  explicit TrainingPage(QWidget* parent = nullptr);
  ~TrainingPage() override;

  // What training needs from earlier pages: the Dataset page's usable files (shown, and
  // enabling Start) and what it imported (a folder or file list; empty = exactly `files`),
  // which a run imports again with its own tokenizer into the Dataset page's cache.
  void setDataset(const QStringList& files, const DatasetInput& input = {});
  // Root of the dataset caches (the Dataset page's; "" = QStandardPaths::CacheLocation/datasets).
  void setCacheRoot(const QString& root) { cacheRoot_ = root; }
  void setTokenizer(const QString& tokenizerJson, qint64 vocabSize);
  void setRunsRoot(const QString& dir);  // run folders are made under it
  QString runsRoot() const { return runsRoot_; }

  TrainingSpec spec() const;
  // Sets the hyperparameter controls from `s` (preset, steps, batch, sequence length, lr,
  // warm-up, precision, threads, validation interval), as a user would.
  void setHyperparameters(const TrainingSpec& s);
  bool isTraining() const { return session_ != nullptr && !finished_; }
  bool isPaused() const { return paused_; }
  QString runDir() const { return runDir_; }
  // Shows an existing run folder as the page's run (a reopened project): its whole loss,
  // learning-rate and speed history from train_log.csv, its checkpoints, and its state.
  // Returns false and fills `error` for a folder that is not a run or a log that is unreadable.
  bool openRun(const QString& dir, QString* error = nullptr);
  // No run: empty charts and checkpoints, "not started" (File › New Project). Not while training.
  void clearRun();
  // The newest step-N checkpoint's folder ("" when none).
  QString lastCheckpoint() const;
  // The checkpoint list's lines, as shown ("Step 50", "Best so far: step 75, validation 2.41").
  QStringList checkpointLabels() const;
  // The loss chart's train points as (step, loss), for tests.
  QVector<QPointF> lossCurve() const;
  // Why Start is disabled ("" when it is enabled or training runs), shown under the buttons.
  QString startBlockedReason() const;
  qint64 parameterCount() const { return params_; }
  // Points on the charts (for tests).
  int lossPoints() const;
  int validationPoints() const;
  bool logScale() const;
  void setLogScale(bool on);

 public slots:
  void start();
  void pause();
  void resume();
  void cancel();
  void resumePrevious();  // asks for the folder
  // Continues the run in `dir` (a run folder or one of its checkpoints) up to the step count.
  void resumeFrom(const QString& dir);

 signals:
  void trainingFinished(bool ok, const QString& runDir);
  void parameterCountReady(qint64 params);

 private slots:
  void onUpdate(const harmonia::ui::TrainingUpdate& update);

 private:
  void updateParameterCount();
  void updateButtons();
  void replotSoon();
  // The run folder's history (train_log.csv) on the charts: what a resumed run continues.
  bool loadHistory(const QString& dir, QString* error);
  void refreshCheckpoints();  // the list, from the run folder's checkpoints/

  QComboBox* arch_ = nullptr;
  QComboBox* preset_ = nullptr;
  QLabel* params_label_ = nullptr;
  QLabel* archInfo_ = nullptr;  // the chosen architecture in one line
  QSpinBox* steps_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QSpinBox* seqLen_ = nullptr;
  QDoubleSpinBox* lr_ = nullptr;
  QSpinBox* warmup_ = nullptr;
  QDoubleSpinBox* fimRate_ = nullptr;
  QComboBox* precision_ = nullptr;
  QSpinBox* threads_ = nullptr;
  QSpinBox* evalEvery_ = nullptr;
  QPushButton* start_ = nullptr;
  QPushButton* pause_ = nullptr;
  QPushButton* resume_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QPushButton* resumePrevious_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* stepLabel_ = nullptr;
  QLabel* availability_ = nullptr;
  QCheckBox* logScale_ = nullptr;
  QCustomPlot* lossPlot_ = nullptr;
  QCustomPlot* lrPlot_ = nullptr;
  QCustomPlot* speedPlot_ = nullptr;
  QListWidget* checkpoints_ = nullptr;
  QLabel* runLabel_ = nullptr;

  QStringList files_;
  DatasetInput input_;
  QString cacheRoot_;
  QString tokenizerJson_;
  qint64 vocabSize_ = 0;
  QString runsRoot_;
  QString runDir_;
  QString resumeFrom_;
  qint64 params_ = 0;
  std::unique_ptr<TrainingSession> session_;
  bool finished_ = true;
  bool paused_ = false;
  QTimer replot_;
  QFutureWatcher<qint64> paramWatcher_;
  bool paramAgain_ = false;
};

}  // namespace harmonia::ui

Q_DECLARE_METATYPE(harmonia::ui::TrainingUpdate)
