#include "ui/pages/training_page.hpp"
#include "ui/widgets/chart_range.hpp"
#include "ui/widgets/queued_plot.hpp"
#include "ui/bridge/run_history.hpp"
#include "ui/bridge/worker_priority.hpp"

#include <QCheckBox>
#include <QGridLayout>
#include <algorithm>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QThread>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <qcustomplot.h>

namespace harmonia::ui {

namespace {

QCustomPlot* makePlot(const QString& title, const QString& yLabel) {
  auto* plot = new QueuedPlot;
  plot->plotLayout()->insertRow(0);
  plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, QFont(plot->font().family(), 11, QFont::Bold)));
  plot->xAxis->setLabel(QObject::tr("step"));
  plot->yAxis->setLabel(yLabel);
  plot->setMinimumHeight(150);
  return plot;
}

QString formatEta(double s) {
  if (s < 0) return QObject::tr("—");
  const int t = int(s + 0.5);
  return t >= 3600 ? QStringLiteral("%1 h %2 min").arg(t / 3600).arg(t % 3600 / 60)
                   : QStringLiteral("%1:%2").arg(t / 60).arg(t % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

TrainingPage::TrainingPage(QWidget* parent) : PipelinePage(parent) {
  qRegisterMetaType<TrainingUpdate>();
  runsRoot_ = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/runs");
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel(tr("<h2>3. Model &amp; Training</h2>")));
  auto* body = new QHBoxLayout;
  layout->addLayout(body, 1);

  auto* side = new QWidget;
  auto* sideLayout = new QVBoxLayout(side);
  sideLayout->setContentsMargins(0, 0, 6, 0);
  auto* modelBox = new QGroupBox(tr("Model"));
  auto* mform = new QFormLayout(modelBox);
  arch_ = new QComboBox;
  arch_->addItem(tr("preset's own"), QString());
  // Each family by its own name ("GPT-2" for gpt2), its one-line explanation as the tooltip.
  for (const auto& a : model_architectures()) {
    const QString about = QString::fromStdString(architecture_explanation(a));
    const QString name = about.contains(QLatin1Char(':')) ? about.section(QLatin1Char(':'), 0, 0) : QString::fromStdString(a);
    arch_->addItem(name, QString::fromStdString(a));
    arch_->setItemData(arch_->count() - 1, about, Qt::ToolTipRole);
  }
  arch_->setToolTip(tr("The network family. Train two families on the same data and compare them on the runs' charts."));
  preset_ = new QComboBox;
  for (const auto& p : model_presets()) preset_->addItem(QString::fromStdString(p));
  preset_->setToolTip(tr("Model size. 'tiny' trains in minutes on a laptop; bigger ones need a GPU and hours."));
  params_label_ = new QLabel(tr("choose a tokenizer first"));
  archInfo_ = new QLabel;
  archInfo_->setWordWrap(true);
  archInfo_->setObjectName(QStringLiteral("architectureExplanation"));
  mform->addRow(tr("&Architecture:"), arch_);
  mform->addRow(QString(), archInfo_);
  mform->addRow(tr("&Preset:"), preset_);
  mform->addRow(tr("Parameters:"), params_label_);
  sideLayout->addWidget(modelBox);

  auto* hyperBox = new QGroupBox(tr("Training"));
  auto* hform = new QFormLayout(hyperBox);
  steps_ = new QSpinBox;
  steps_->setRange(1, 1000000);
  steps_->setValue(200);
  steps_->setToolTip(tr("Optimizer steps. 200 steps of 'tiny' take a few minutes on a CPU."));
  batch_ = new QSpinBox;
  batch_->setRange(1, 512);
  batch_->setValue(8);
  batch_->setToolTip(tr("Sequences per step; larger is smoother but slower and uses more memory"));
  seqLen_ = new QSpinBox;
  seqLen_->setRange(16, 8192);
  seqLen_->setValue(256);
  seqLen_->setToolTip(tr("Tokens the model sees at once (its context)"));
  lr_ = new QDoubleSpinBox;
  lr_->setDecimals(5);
  lr_->setRange(1e-6, 1.0);
  lr_->setSingleStep(1e-4);
  lr_->setValue(1e-3);
  lr_->setToolTip(tr("Step size. If the loss jumps or becomes NaN, divide it by 3."));
  warmup_ = new QSpinBox;
  warmup_->setRange(0, 100000);
  warmup_->setValue(20);
  warmup_->setToolTip(tr("Steps over which the learning rate rises from 0"));
  fimRate_ = new QDoubleSpinBox;
  fimRate_->setRange(0.0, 1.0);
  fimRate_->setSingleStep(0.1);
  fimRate_->setDecimals(2);
  fimRate_->setSpecialValueText(tr("off"));
  fimRate_->setToolTip(tr("Share of training windows shown in fill-in-the-middle order (bars before and after, "
                          "then the bars between), so the model can regenerate a selection of bars. REMI only."));
  precision_ = new QComboBox;
  // The default: bf16 autocast about doubles the tokens/s where the CPU has native bf16, and
  // is slower than fp32 where LibTorch must emulate it; the backend resolves it per machine.
  precision_->addItem(tr("auto (bf16 if the CPU has it)"), QStringLiteral("auto"));
  precision_->addItem(tr("fp32 (exact)"), QStringLiteral("fp32"));
  precision_->addItem(tr("bf16 (fast on recent CPUs)"), QStringLiteral("bf16"));
  // As wide as its longest item: where that does not fit beside the labels (presentation
  // mode's larger text) the row wraps under its label instead of cutting the text.
  precision_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  precision_->setToolTip(tr("Number format for training. 'auto' uses bf16 on CPUs with native bf16 "
                            "(AVX512-BF16 or AMX) and fp32 elsewhere; run.json says which was used."));
  threads_ = new QSpinBox;
  threads_->setRange(0, QThread::idealThreadCount());
  threads_->setSpecialValueText(tr("all cores"));
  threads_->setToolTip(tr("CPU threads for training"));
  evalEvery_ = new QSpinBox;
  evalEvery_->setRange(0, 100000);
  evalEvery_->setValue(25);
  evalEvery_->setSpecialValueText(tr("only at the end"));
  evalEvery_->setToolTip(tr("Measure the validation loss every N steps"));
  hform->setRowWrapPolicy(QFormLayout::WrapLongRows);
  hform->addRow(tr("&Steps:"), steps_);
  hform->addRow(tr("&Batch size:"), batch_);
  hform->addRow(tr("Se&quence length:"), seqLen_);
  hform->addRow(tr("&Learning rate:"), lr_);
  hform->addRow(tr("&Warm-up steps:"), warmup_);
  hform->addRow(tr("Fill-in-the-&middle:"), fimRate_);
  hform->addRow(tr("P&recision:"), precision_);
  hform->addRow(tr("&Threads:"), threads_);
  hform->addRow(tr("&Validate every:"), evalEvery_);
  sideLayout->addWidget(hyperBox);

  auto* runBox = new QGroupBox(tr("Run"));
  auto* rl = new QVBoxLayout(runBox);
  auto* buttons = new QGridLayout;
  start_ = new QPushButton(tr("&Start"));
  pause_ = new QPushButton(tr("&Pause"));
  resume_ = new QPushButton(tr("&Resume"));
  cancel_ = new QPushButton(tr("Cancel"));
  resumePrevious_ = new QPushButton(tr("Resume a previous run…"));
  buttons->addWidget(start_, 0, 0);
  buttons->addWidget(pause_, 0, 1);
  buttons->addWidget(resume_, 1, 0);
  buttons->addWidget(cancel_, 1, 1);
  buttons->addWidget(resumePrevious_, 2, 0, 1, 2);
  rl->addLayout(buttons);
  availability_ = new QLabel;
  availability_->setWordWrap(true);
  rl->addWidget(availability_);
  runLabel_ = new QLabel;
  runLabel_->setWordWrap(true);
  runLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  rl->addWidget(runLabel_);
  rl->addWidget(new QLabel(tr("Checkpoints:")));
  checkpoints_ = new QListWidget;
  checkpoints_->setMaximumHeight(100);
  rl->addWidget(checkpoints_);
  sideLayout->addWidget(runBox);
  sideLayout->addStretch();
  body->addWidget(sideColumn(side));

  auto* right = new QVBoxLayout;
  auto* statusRow = new QHBoxLayout;
  progress_ = new QProgressBar;
  progress_->setRange(0, 1);
  progress_->setValue(0);
  stepLabel_ = new QLabel(tr("Step 0"));
  // Steady enough that the bar does not jump as the text changes; narrower would not fit
  // the settings column, the sidebar and the charts in 1200 px.
  stepLabel_->setMinimumWidth(240);
  logScale_ = new QCheckBox(tr("&Log-scale loss"));
  statusRow->addWidget(progress_, 1);
  statusRow->addWidget(stepLabel_);
  right->addLayout(statusRow);
  // On its own row, at the chart it changes: beside the step text it made the page too wide
  // for 1200 px in presentation mode (text x1.6).
  auto* chartRow = new QHBoxLayout;
  chartRow->addStretch(1);
  chartRow->addWidget(logScale_);
  right->addLayout(chartRow);
  lossPlot_ = makePlot(tr("Loss"), tr("cross-entropy"));
  lossPlot_->addGraph();
  lossPlot_->graph(0)->setName(tr("train"));
  lossPlot_->graph(0)->setPen(QPen(QColor(40, 110, 200), 2));
  lossPlot_->addGraph();
  lossPlot_->graph(1)->setName(tr("validation"));
  lossPlot_->graph(1)->setPen(QPen(QColor(220, 100, 40), 2));
  lossPlot_->graph(1)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
  lossPlot_->legend->setVisible(true);
  lrPlot_ = makePlot(tr("Learning rate"), tr("lr"));
  lrPlot_->addGraph();
  lrPlot_->graph(0)->setPen(QPen(QColor(90, 170, 90), 2));
  speedPlot_ = makePlot(tr("Speed"), tr("tokens/s"));
  speedPlot_->addGraph();
  speedPlot_->graph(0)->setPen(QPen(QColor(160, 100, 200), 2));
  for (auto* p : {lossPlot_, lrPlot_, speedPlot_}) fitChartAxes(p);  // empty: 0..1, not 0..5
  right->addWidget(lossPlot_, 3);
  auto* small = new QHBoxLayout;
  small->addWidget(lrPlot_);
  small->addWidget(speedPlot_);
  right->addLayout(small, 2);
  body->addLayout(right, 1);

  replot_.setSingleShot(true);
  replot_.setInterval(100);  // at most 10 redraws a second, however fast steps arrive
  connect(&replot_, &QTimer::timeout, this, [this] {
    for (auto* p : {lossPlot_, lrPlot_, speedPlot_}) {
      fitChartAxes(p);  // never a negative step or a range invented around one point
      ReplotQueue::request(p);  // one plot per event-loop turn
    }
  });
  connect(start_, &QPushButton::clicked, this, &TrainingPage::start);
  connect(pause_, &QPushButton::clicked, this, &TrainingPage::pause);
  connect(resume_, &QPushButton::clicked, this, &TrainingPage::resume);
  connect(cancel_, &QPushButton::clicked, this, &TrainingPage::cancel);
  connect(resumePrevious_, &QPushButton::clicked, this, &TrainingPage::resumePrevious);
  connect(logScale_, &QCheckBox::toggled, this, &TrainingPage::setLogScale);
  connect(preset_, &QComboBox::currentIndexChanged, this, &TrainingPage::updateParameterCount);
  connect(arch_, &QComboBox::currentIndexChanged, this, &TrainingPage::updateParameterCount);
  // What the chosen family is, for the preset's own one too (the tiny preset is a GPT-2).
  auto explain = [this] {
    const std::string arch = effective_architecture(preset_->currentText().toStdString(),
                                                    arch_->currentData().toString().toStdString());
    archInfo_->setText(QString::fromStdString(architecture_explanation(arch)));
  };
  connect(preset_, &QComboBox::currentIndexChanged, this, explain);
  connect(arch_, &QComboBox::currentIndexChanged, this, explain);
  explain();
  connect(&paramWatcher_, &QFutureWatcher<qint64>::finished, this, [this] {
    params_ = paramWatcher_.result();
    if (paramAgain_) {
      paramAgain_ = false;
      updateParameterCount();
      return;
    }
    params_label_->setText(params_ > 0 ? tr("%L1 (%2 M)").arg(params_).arg(params_ / 1e6, 0, 'f', 2)
                                       : tr("this preset cannot be built for this architecture"));
    emit parameterCountReady(params_);
  });

  if (!training_available()) {
    availability_->setText(QString::fromStdString(training_unavailable_reason()));
    setState(StepState::Unavailable, tr("training not in this build"));
  }
  updateButtons();
}

TrainingPage::~TrainingPage() {
  session_.reset();  // cancels and joins before the widgets go
  paramWatcher_.waitForFinished();
}

void TrainingPage::setDataset(const QStringList& files, const DatasetInput& input) {
  files_ = files;
  input_ = input;
  if (input_.empty())
    for (const auto& f : files) input_.files.push_back(f.toStdString());
  updateButtons();
}

void TrainingPage::setTokenizer(const QString& tokenizerJson, qint64 vocabSize) {
  tokenizerJson_ = tokenizerJson;
  vocabSize_ = vocabSize;
  updateParameterCount();
  updateButtons();
}

void TrainingPage::setRunsRoot(const QString& dir) { runsRoot_ = dir; }

void TrainingPage::updateParameterCount() {
  if (vocabSize_ <= 0) return;
  if (paramWatcher_.isRunning()) {
    paramAgain_ = true;
    return;
  }
  params_label_->setText(tr("counting…"));
  const std::string preset = preset_->currentText().toStdString();
  const std::string arch = arch_->currentData().toString().toStdString();
  const qint64 vocab = vocabSize_;
  paramWatcher_.setFuture(QtConcurrent::run([preset, arch, vocab]() -> qint64 {
    lowerThisThreadPriority();  // the GUI thread keeps its core
    try {
      return parameter_count(preset, arch, vocab);
    } catch (const std::exception&) {
      return 0;
    }
  }));
}

TrainingSpec TrainingPage::spec() const {
  TrainingSpec s;
  s.preset = preset_->currentText().toStdString();
  s.architecture = arch_->currentData().toString().toStdString();
  s.max_steps = steps_->value();
  s.batch_size = batch_->value();
  s.seq_len = seqLen_->value();
  s.lr = lr_->value();
  s.warmup_steps = warmup_->value();
  s.fim_rate = fimRate_->value();
  s.precision = precision_->currentData().toString().toStdString();
  s.threads = threads_->value();
  s.eval_every = evalEvery_->value();
  s.run_dir = runDir_.toStdString();
  s.tokenizer_json = tokenizerJson_.toStdString();
  s.dataset = input_;
  s.dataset_cache_root = cacheRoot_.toStdString();
  s.resume_from = resumeFrom_.toStdString();
  return s;
}

void TrainingPage::start() {
  if (isTraining() || !training_available()) return;
  if (files_.isEmpty() || tokenizerJson_.isEmpty()) {
    emit statusMessage(tr("Training needs an imported dataset (page 1) and a valid tokenizer (page 2)."));
    return;
  }
  if (resumeFrom_.isEmpty()) {
    runDir_ = runsRoot_ + QStringLiteral("/run-") + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QDir().mkpath(runDir_);
  }
  runLabel_->setText(tr("Run folder: %1").arg(runDir_));
  if (resumeFrom_.isEmpty()) {
    for (auto* p : {lossPlot_, lrPlot_, speedPlot_})
      for (int g = 0; g < p->graphCount(); ++g) p->graph(g)->data()->clear();
    checkpoints_->clear();
  } else {
    // A resumed run continues its curve: the steps before the checkpoint stay on the chart.
    QString error;
    if (!loadHistory(runDir_, &error)) showError(tr("The run's earlier loss history is not shown: %1").arg(error));
    refreshCheckpoints();
  }
  progress_->setRange(0, steps_->value());
  progress_->setValue(0);
  finished_ = false;
  paused_ = false;
  session_ = std::make_unique<TrainingSession>(spec(), [this](const TrainingUpdate& u) {
    // Called on the session's own thread: queue to the GUI thread.
    QMetaObject::invokeMethod(this, "onUpdate", Qt::QueuedConnection, Q_ARG(harmonia::ui::TrainingUpdate, u));
  });
  try {
    session_->start();
  } catch (const std::exception& e) {
    session_.reset();
    finished_ = true;
    setState(StepState::Error, QString::fromUtf8(e.what()));
    showError(tr("Training could not start: %1").arg(QString::fromUtf8(e.what())));
  }
  if (session_) setState(StepState::Running, tr("starting"));
  updateButtons();
}

void TrainingPage::pause() {
  if (!isTraining()) return;
  session_->pause();
}

void TrainingPage::resume() {
  if (!isTraining()) return;
  session_->resume();
}

void TrainingPage::cancel() {
  if (!isTraining()) return;
  session_->cancel();
  stepLabel_->setText(tr("Cancelling after this step…"));
}

void TrainingPage::setHyperparameters(const TrainingSpec& s) {
  const int preset = preset_->findText(QString::fromStdString(s.preset));
  if (preset >= 0) preset_->setCurrentIndex(preset);
  const int arch = arch_->findData(QString::fromStdString(s.architecture));
  if (arch >= 0) arch_->setCurrentIndex(arch);
  steps_->setValue(int(s.max_steps));
  batch_->setValue(s.batch_size);
  seqLen_->setValue(s.seq_len);
  lr_->setValue(s.lr);
  warmup_->setValue(int(s.warmup_steps));
  fimRate_->setValue(s.fim_rate);
  const int precision = precision_->findData(QString::fromStdString(s.precision));
  if (precision >= 0) precision_->setCurrentIndex(precision);
  threads_->setValue(s.threads);
  evalEvery_->setValue(int(s.eval_every));
}

void TrainingPage::resumePrevious() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a previous run folder (or one of its checkpoints)"), runsRoot_);
  if (!dir.isEmpty()) resumeFrom(dir);
}

void TrainingPage::resumeFrom(const QString& dir) {
  if (isTraining() || dir.isEmpty()) return;
  resumeFrom_ = dir;
  QDir d(dir);
  if (d.dirName().startsWith(QLatin1String("step-"))) d.cdUp();
  if (d.dirName() == QLatin1String("checkpoints")) d.cdUp();
  runDir_ = d.absolutePath();
  runLabel_->setText(tr("Will resume from %1").arg(dir));
  start();
}

QString TrainingPage::lastCheckpoint() const {
  for (int i = checkpoints_->count() - 1; i >= 0; --i) {
    const QString path = checkpoints_->item(i)->data(Qt::UserRole).toString();
    if (QDir(path).dirName().startsWith(QLatin1String("step-"))) return path;
  }
  return {};
}

QStringList TrainingPage::checkpointLabels() const {
  QStringList out;
  for (int i = 0; i < checkpoints_->count(); ++i) out << checkpoints_->item(i)->text();
  return out;
}

QVector<QPointF> TrainingPage::lossCurve() const {
  QVector<QPointF> out;
  for (auto it = lossPlot_->graph(0)->data()->constBegin(); it != lossPlot_->graph(0)->data()->constEnd(); ++it)
    out << QPointF(it->key, it->value);
  return out;
}

void TrainingPage::refreshCheckpoints() {
  checkpoints_->clear();
  if (runDir_.isEmpty()) return;
  // Short lines a narrow column shows whole; the folder is the tooltip (and what resuming
  // from an item would use).
  for (const auto& c : list_run_checkpoints(runDir_.toStdString())) {
    const QString path = QString::fromStdString(c.path);
    QString text;
    if (c.name == "best")
      text = c.step < 0 ? tr("Best so far")
             : c.bestValLoss >= 0
                 ? tr("Best so far: step %1, validation %2").arg(c.step).arg(c.bestValLoss, 0, 'f', 3)
                 : tr("Best so far: step %1").arg(c.step);
    else
      text = c.step < 0 ? QString::fromStdString(c.name) : tr("Step %1").arg(c.step);
    auto* item = new QListWidgetItem(text, checkpoints_);
    item->setData(Qt::UserRole, path);
    item->setToolTip(path);
  }
}

bool TrainingPage::loadHistory(const QString& dir, QString* error) {
  RunHistory h;
  try {
    h = read_run_history(dir.toStdString());
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  const auto fill = [](QCPGraph* g, const std::vector<RunHistoryPoint>& points) {
    QVector<double> keys, values;
    for (const auto& p : points) {
      keys << double(p.step);
      values << p.value;
    }
    g->setData(keys, values, true);
  };
  fill(lossPlot_->graph(0), h.trainLoss);
  fill(lossPlot_->graph(1), h.valLoss);
  fill(lrPlot_->graph(0), h.lr);
  fill(speedPlot_->graph(0), h.tokensPerS);
  replotSoon();
  return true;
}

bool TrainingPage::openRun(const QString& dir, QString* error) {
  if (isTraining()) {
    if (error) *error = tr("a run is training");
    return false;
  }
  if (!QFileInfo(dir).isDir()) {
    if (error) *error = tr("the run folder %1 does not exist").arg(dir);
    return false;
  }
  if (!loadHistory(dir, error)) return false;
  runDir_ = QFileInfo(dir).absoluteFilePath();
  resumeFrom_.clear();
  refreshCheckpoints();
  const qint64 steps = lossPoints() ? qint64(lossPlot_->graph(0)->data()->at(lossPoints() - 1)->key) : 0;
  runLabel_->setText(tr("Run folder: %1").arg(runDir_));
  progress_->setRange(0, int(std::max<qint64>(1, steps)));
  progress_->setValue(int(steps));
  const bool hasModel = QFileInfo::exists(QDir(runDir_).filePath(QStringLiteral("model/config.json")));
  if (hasModel) {
    stepLabel_->setText(tr("Reopened: %1 steps trained. Resume it, or Start a new run.").arg(steps));
    setState(StepState::Done, tr("%1 steps").arg(steps));
  } else {
    stepLabel_->setText(tr("Reopened: %1 steps logged, no saved model yet.").arg(steps));
    setState(StepState::NotStarted, tr("%1 steps logged, no model").arg(steps));
  }
  updateButtons();
  return true;
}

void TrainingPage::clearRun() {
  if (isTraining()) return;
  runDir_.clear();
  resumeFrom_.clear();
  for (auto* p : {lossPlot_, lrPlot_, speedPlot_}) {
    for (int g = 0; g < p->graphCount(); ++g) p->graph(g)->data()->clear();
    ReplotQueue::request(p);
  }
  checkpoints_->clear();
  runLabel_->clear();
  progress_->setRange(0, 1);
  progress_->setValue(0);
  stepLabel_->setText(tr("Step 0"));
  if (training_available()) setState(StepState::NotStarted, {});
  updateButtons();
}

QString TrainingPage::startBlockedReason() const {
  if (!training_available() || isTraining()) return {};
  if (files_.isEmpty() && tokenizerJson_.isEmpty())
    return tr("Start needs an imported dataset (page 1: press Import) and a valid tokenizer (page 2).");
  if (files_.isEmpty()) return tr("Start needs an imported dataset: press Import on page 1 (Dataset).");
  if (tokenizerJson_.isEmpty()) return tr("Start needs a valid tokenizer: fix the options on page 2 (Tokenizer).");
  return {};
}

int TrainingPage::lossPoints() const { return lossPlot_->graph(0)->data()->size(); }
int TrainingPage::validationPoints() const { return lossPlot_->graph(1)->data()->size(); }
bool TrainingPage::logScale() const { return logScale_->isChecked(); }

void TrainingPage::setLogScale(bool on) {
  if (logScale_->isChecked() != on) logScale_->setChecked(on);
  lossPlot_->yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  lossPlot_->yAxis->setTicker(on ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                                 : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  replotSoon();
}

void TrainingPage::replotSoon() {
  if (!replot_.isActive()) replot_.start();
}

void TrainingPage::onUpdate(const TrainingUpdate& u) {
  using K = TrainingUpdate::Kind;
  switch (u.kind) {
    case K::Started:
      setState(StepState::Running, tr("step %1").arg(u.step));
      if (!u.message.empty()) stepLabel_->setText(QString::fromStdString(u.message) + QStringLiteral("…"));
      break;
    case K::Step:
      // A run resumed from an earlier checkpoint redoes the steps logged after it: the new
      // points replace them (and the validations past them) rather than doubling the curve.
      for (auto* p : {lossPlot_, lrPlot_, speedPlot_})
        for (int g = 0; g < p->graphCount(); ++g) p->graph(g)->data()->removeAfter(double(u.step) - 0.5);
      lossPlot_->graph(0)->addData(double(u.step), u.train_loss);
      lrPlot_->graph(0)->addData(double(u.step), u.lr);
      speedPlot_->graph(0)->addData(double(u.step), u.tokens_per_s);
      progress_->setRange(0, int(std::max<int64_t>(1, u.total_steps)));
      progress_->setValue(int(u.step));
      stepLabel_->setText(tr("Step %1 / %2, loss %3, ETA %4")
                              .arg(u.step)
                              .arg(u.total_steps)
                              .arg(u.train_loss, 0, 'f', 3)
                              .arg(formatEta(u.eta_s)));
      setState(StepState::Running, tr("step %1 / %2").arg(u.step).arg(u.total_steps));
      replotSoon();
      break;
    case K::Validation:
      lossPlot_->graph(1)->addData(double(u.step), u.val_loss);
      replotSoon();
      break;
    case K::CheckpointSaved:
      refreshCheckpoints();  // from disk: older step-N folders are pruned, best is replaced
      break;
    case K::Paused:
      paused_ = true;
      stepLabel_->setText(tr("Paused at step %1").arg(u.step));
      setState(StepState::Paused, tr("at step %1").arg(u.step));  // the sidebar said "running"
      break;
    case K::Resumed:
      paused_ = false;
      setState(StepState::Running, tr("step %1").arg(u.step));
      break;
    case K::Finished:
    case K::Cancelled:
    case K::Error: {
      finished_ = true;
      paused_ = false;
      const bool ok = u.kind == K::Finished;
      const QString msg = QString::fromStdString(u.message);
      // A cancelled run saves its model (RUN/model) unless it was cancelled before its first
      // step: then it is as usable as a finished one, and the sidebar says so.
      const bool saved = u.kind == K::Cancelled && QFileInfo::exists(runDir_ + QStringLiteral("/model/config.json"));
      if (saved)
        setState(StepState::Done, tr("cancelled at step %1, model saved").arg(u.step));
      else
        setState(ok ? StepState::Done : (u.kind == K::Error ? StepState::Error : StepState::NotStarted),
                 ok ? tr("%1 steps").arg(u.step) : (u.kind == K::Error ? msg : tr("cancelled")));
      stepLabel_->setText(ok ? tr("Finished: %1 steps. Next: Generate & Play.").arg(u.step)
                          : u.kind == K::Error ? tr("Error: %1").arg(msg)
                          : saved ? tr("Cancelled at step %1: its model is saved. Next: Generate & Play, or "
                                       "resume the run.").arg(u.step)
                                  : tr("Cancelled at step %1").arg(u.step));
      if (u.kind == K::Error) showError(tr("Training failed: %1").arg(msg));
      resumeFrom_.clear();
      emit trainingFinished(ok, runDir_);
      replotSoon();
      break;
    }
  }
  updateButtons();
}

void TrainingPage::updateButtons() {
  const bool avail = training_available();
  const bool running = isTraining();
  start_->setEnabled(avail && !running && !files_.isEmpty() && !tokenizerJson_.isEmpty());
  resumePrevious_->setEnabled(avail && !running);
  pause_->setEnabled(running && !paused_);
  resume_->setEnabled(running && paused_);
  cancel_->setEnabled(running);
  // Say why Start is grey, in the place the user looks (a reopened project has not imported yet).
  if (avail) availability_->setText(startBlockedReason());
}

}  // namespace harmonia::ui
