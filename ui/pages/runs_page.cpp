#include "ui/pages/runs_page.hpp"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QToolBar>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <cmath>
#include <qcustomplot.h>

#include "ui/presentation.hpp"
#include "ui/widgets/chart_export.hpp"
#include "ui/widgets/chart_range.hpp"
#include "ui/widgets/model_choice_box.hpp"
#include "ui/widgets/queued_plot.hpp"

namespace harmonia::ui {

namespace {

// Strong, distinct colours that stay apart on white and on black (a projector washes out
// pale ones); run i keeps colour i whatever is ticked.
QColor runColor(int i) {
  static const QColor colors[] = {QColor(31, 119, 180), QColor(230, 85, 13),  QColor(44, 160, 44),
                                  QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75),
                                  QColor(227, 119, 194), QColor(23, 190, 207), QColor(188, 189, 34)};
  return colors[i % int(std::size(colors))];
}

QIcon swatch(const QColor& c) {
  QPixmap pm(14, 14);
  pm.fill(c);
  return QIcon(pm);
}

QString duration(double s) {
  const int t = int(s + 0.5);
  if (t >= 3600) return QObject::tr("%1 h %2 min").arg(t / 3600).arg(t % 3600 / 60);
  return QStringLiteral("%1:%2").arg(t / 60).arg(t % 60, 2, 10, QLatin1Char('0'));
}

QString parameters(int64_t n) {
  if (n <= 0) return QStringLiteral("—");
  if (n >= 1000000) return QObject::tr("%1 M").arg(double(n) / 1e6, 0, 'f', 2);
  return QObject::tr("%1 k").arg(double(n) / 1e3, 0, 'f', 1);
}

double xOf(const train::LossPoint& p, RunsPage::XAxis axis) {
  switch (axis) {
    case RunsPage::XAxis::Step: return double(p.step);
    case RunsPage::XAxis::Seconds: return p.seconds;
    case RunsPage::XAxis::Tokens: return p.tokens;
  }
  return double(p.step);
}

QString signatureOf(const QString& dir, qint64* size) {
  const QFileInfo log(dir + QStringLiteral("/train_log.csv"));
  *size = log.exists() ? log.size() : -1;
  // The model appears when a run stops: its status changes though its log may not.
  return QString::number(log.lastModified().toMSecsSinceEpoch()) +
         (QFileInfo::exists(dir + QStringLiteral("/model/model.safetensors")) ? QStringLiteral("m") : QString());
}

}  // namespace

RunsPage::Entry RunsPage::newEntry(const QString& dir) {
  Entry e;
  e.dir = dir;
  return e;
}

RunsPage::RunsPage(QWidget* parent) : PipelinePage(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel(tr("<h2>Compare runs</h2>")));

  // A tool row: in presentation mode's large text what does not fit goes into its » menu.
  auto* row = toolRow();
  row->addAction(tr("&Add runs…"), this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a run folder or a folder of runs"));
    if (!dir.isEmpty()) addRuns(dir);
  })->setToolTip(tr("A run folder, or a folder of runs (those `harmonia train` made too)"));
  row->addSeparator();
  row->addWidget(new QLabel(tr("Loss against: ")));
  xAxis_ = new QComboBox;
  xAxis_->addItem(tr("step"), int(XAxis::Step));
  xAxis_->addItem(tr("training time"), int(XAxis::Seconds));
  xAxis_->addItem(tr("tokens seen"), int(XAxis::Tokens));
  xAxis_->setToolTip(tr("Steps compare runs of one batch size; tokens seen compares different batch sizes fairly; "
                        "training time shows which setting learns fastest on this computer."));
  connect(xAxis_, &QComboBox::currentIndexChanged, this, [this] { redrawChart(); });
  row->addWidget(xAxis_);
  row->addSeparator();
  exportPng_ = row->addAction(tr("Export &PNG…"), this, [this] { exportWithDialog(QStringLiteral("png")); });
  exportSvg_ = row->addAction(tr("Export S&VG…"), this, [this] { exportWithDialog(QStringLiteral("svg")); });
  if (!svgExportAvailable()) {
    exportSvg_->setEnabled(false);
    exportSvg_->setToolTip(tr("This build has no Qt SVG (Debian: qt6-svg-dev); export a PNG instead."));
  }
  layout->addWidget(row);

  table_ = new QTableWidget(0, ColumnCount);
  table_->setHorizontalHeaderLabels({tr("Run"), tr("Model"), tr("Tokenizer"), tr("Parameters"), tr("Steps"),
                                     tr("Training time"), tr("Best val. loss"), tr("Tokens/s"), tr("Status")});
  table_->horizontalHeaderItem(BestValColumn)->setToolTip(tr("The lowest validation loss and the step it was measured at"));
  table_->horizontalHeaderItem(TimeColumn)->setToolTip(tr("Time spent training (validation and checkpoints left out)"));
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setAccessibleName(tr("Training runs"));
  connect(table_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (filling_ || item->column() != RunColumn || size_t(item->row()) >= entries_.size()) return;
    entries_[size_t(item->row())].checked = item->checkState() == Qt::Checked;
    redrawChart();
  });

  auto* chartBox = new QWidget;
  auto* chartLayout = new QVBoxLayout(chartBox);
  chartLayout->setContentsMargins(0, 0, 0, 0);
  chart_ = new QueuedPlot;
  chart_->setObjectName(QStringLiteral("runsChart"));
  chart_->setMinimumHeight(160);
  chart_->yAxis->setLabel(tr("loss (cross-entropy)"));
  chart_->legend->setVisible(true);
  chart_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  chartLayout->addWidget(chart_, 1);
  hint_ = new QLabel(tr("Lines: training loss. Dashed with dots: validation loss (pieces the model does not train on)."));
  hint_->setWordWrap(true);
  chartLayout->addWidget(hint_);

  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(table_);
  split->addWidget(chartBox);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 2);
  split->setChildrenCollapsible(false);
  table_->setMinimumHeight(90);
  layout->addWidget(split, 1);

  connect(&watcher_, &QFutureWatcher<std::vector<Entry>>::finished, this, &RunsPage::onRead);
  poll_.setInterval(1000);
  connect(&poll_, &QTimer::timeout, this, &RunsPage::pollLogs);
  redrawChart();
  updateState();
}

RunsPage::~RunsPage() { watcher_.waitForFinished(); }

QStringList RunsPage::runs() const {
  QStringList out;
  for (const auto& e : entries_) out << e.dir;
  return out;
}

void RunsPage::setRuns(const QStringList& dirs) {
  QStringList found;
  for (const auto& d : dirs)
    for (const auto& r : train::find_runs(d.toStdString())) {
      const QString run = QDir::cleanPath(QString::fromStdString(r.string()));
      if (!found.contains(run)) found << run;
    }
  std::vector<Entry> kept;
  for (const auto& run : found) {
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.dir == run; });
    if (it != entries_.end())
      kept.push_back(*it);
    else
      kept.push_back(newEntry(run));
  }
  entries_ = std::move(kept);
  fillTable();
  redrawChart();
  updateState();
  startReading(found);
}

void RunsPage::addRuns(const QString& dir) {
  QStringList all = runs();
  all << dir;
  setRuns(all);
}

void RunsPage::refresh() { startReading(runs()); }

void RunsPage::startReading(const QStringList& dirs) {
  if (dirs.isEmpty()) return;
  reading_ = true;
  if (watcher_.isRunning()) {
    for (const auto& d : dirs)
      if (!queued_.contains(d)) queued_ << d;
    return;
  }
  // The log's size and time are taken before it is read: a row written meanwhile shows as a
  // change at the next check.
  std::vector<Entry> jobs;
  for (const auto& d : dirs) {
    Entry e = newEntry(d);
    e.stamp = signatureOf(d, &e.logSize);
    jobs.push_back(e);
  }
  watcher_.setFuture(QtConcurrent::run([jobs]() mutable {
    for (auto& e : jobs) {
      try {
        e.summary = train::read_run_summary(e.dir.toStdString());
      } catch (const std::exception& ex) {
        e.error = QString::fromUtf8(ex.what());
      }
      e.read = true;
    }
    return jobs;
  }));
}

void RunsPage::onRead() {
  for (auto& r : watcher_.result()) {
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.dir == r.dir; });
    if (it == entries_.end()) continue;  // removed meanwhile
    r.checked = it->checked;
    *it = std::move(r);
  }
  fillTable();
  redrawChart();
  updateState();
  reading_ = false;
  if (!queued_.isEmpty()) {
    const QStringList next = queued_;
    queued_.clear();
    startReading(next);
  }
  if (!reading_) emit runsRead();
}

void RunsPage::pollLogs() {
  if (watcher_.isRunning()) return;
  QStringList changed;
  for (const auto& e : entries_) {
    qint64 size = -1;
    const QString sig = signatureOf(e.dir, &size);
    if (!e.read || size != e.logSize || sig != e.stamp) changed << e.dir;
  }
  startReading(changed);
}

void RunsPage::showEvent(QShowEvent* event) {
  PipelinePage::showEvent(event);
  pollLogs();
  poll_.start();
}

void RunsPage::hideEvent(QHideEvent* event) {
  poll_.stop();
  PipelinePage::hideEvent(event);
}

void RunsPage::fillTable() {
  filling_ = true;
  table_->setRowCount(int(entries_.size()));
  QStringList titles;
  for (const auto& e : entries_) titles << runDisplayName(e.dir);
  for (int r = 0; r < int(entries_.size()); ++r) {
    const Entry& e = entries_[size_t(r)];
    const auto& s = e.summary;
    // Two runs started in the same minute: their folder names tell them apart.
    const QString title = titles.count(titles[r]) > 1 ? QDir(e.dir).dirName() : titles[r];
    auto* name = new QTableWidgetItem(swatch(runColor(r)), title);
    name->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
    name->setCheckState(e.checked ? Qt::Checked : Qt::Unchecked);
    name->setToolTip(e.dir);
    table_->setItem(r, RunColumn, name);
    auto set = [&](int c, const QString& text, const QString& tip = {}) {
      auto* item = new QTableWidgetItem(text);
      item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
      if (c != ModelColumn && c != TokenizerColumn && c != StatusColumn) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      if (!tip.isEmpty()) item->setToolTip(tip);
      table_->setItem(r, c, item);
      return item;
    };
    if (!e.error.isEmpty()) {
      for (int c = ModelColumn; c < StatusColumn; ++c) set(c, QString());
      set(StatusColumn, tr("cannot be read: %1").arg(e.error), e.error)->setForeground(QColor(200, 40, 30));
      continue;
    }
    if (!e.read) {
      for (int c = ModelColumn; c < StatusColumn; ++c) set(c, QString());
      set(StatusColumn, tr("reading…"));
      continue;
    }
    // "gpt2 (tiny)"; before a model is saved only the preset asked for is known.
    QString model = QString::fromStdString(s.architecture);
    if (!s.preset.empty())
      model = model.isEmpty() ? QString::fromStdString(s.preset) : model + QStringLiteral(" (%1)").arg(QString::fromStdString(s.preset));
    if (model.isEmpty()) model = QStringLiteral("—");
    set(ModelColumn, model, s.layers ? tr("%1 layers, hidden size %2").arg(s.layers).arg(s.hidden_size) : QString());
    set(TokenizerColumn, s.tokenizer.empty() ? QStringLiteral("—") : QString::fromStdString(s.tokenizer),
        s.vocab_size ? tr("vocabulary %L1").arg(s.vocab_size) : QString());
    set(ParametersColumn, parameters(s.parameters), s.parameters ? QStringLiteral("%L1").arg(s.parameters) : QString());
    set(StepsColumn, s.max_steps > 0 ? QStringLiteral("%L1 / %L2").arg(s.steps).arg(s.max_steps) : QStringLiteral("%L1").arg(s.steps));
    set(TimeColumn, duration(s.training_seconds));
    set(BestValColumn,
        std::isfinite(s.best_val_loss) ? tr("%1 (step %2)").arg(s.best_val_loss, 0, 'f', 3).arg(s.best_val_step)
                                       : QStringLiteral("—"));
    set(SpeedColumn, s.tokens_per_second > 0 ? QStringLiteral("%L1").arg(qRound64(s.tokens_per_second)) : QStringLiteral("—"));
    set(StatusColumn, QString::fromStdString(s.status));
  }
  filling_ = false;
}

void RunsPage::redrawChart() {
  chart_->clearGraphs();
  const XAxis axis = xAxis();
  for (int r = 0; r < int(entries_.size()); ++r) {
    const Entry& e = entries_[size_t(r)];
    if (!e.checked || !e.read || !e.error.isEmpty()) continue;
    const QColor color = runColor(r);
    auto curve = [&](const std::vector<train::LossPoint>& points, QCPGraph* g) {
      QVector<double> x, y;
      for (const auto& p : points) {
        x << xOf(p, axis);
        y << p.loss;
      }
      g->setData(x, y, true);
    };
    auto* train = chart_->addGraph();
    train->setName(table_->item(r, RunColumn) ? table_->item(r, RunColumn)->text() : QDir(e.dir).dirName());
    train->setPen(QPen(color, 2));
    curve(e.summary.train_curve, train);
    auto* val = chart_->addGraph();
    val->setName(train->name() + tr(" — validation"));
    val->setPen(QPen(color, 1.5, Qt::DashLine));
    val->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, color, 7));
    curve(e.summary.validation_curve, val);
    val->removeFromLegend();  // the legend names runs; the line style says which curve
  }
  switch (axis) {
    case XAxis::Step: chart_->xAxis->setLabel(tr("step")); break;
    case XAxis::Seconds: chart_->xAxis->setLabel(tr("training time (s)")); break;
    case XAxis::Tokens: chart_->xAxis->setLabel(tr("tokens seen")); break;
  }
  chart_->legend->setVisible(chart_->legend->itemCount() > 0);
  fitChartAxes(chart_);
  // A little air above and below: the first loss and the lowest one are not drawn on the frame.
  if (chart_->graphCount() > 0) chart_->yAxis->scaleRange(1.08, chart_->yAxis->range().center());
  stylePlotForPresentation(chart_);  // the new graphs get the mode's line widths; queues the replot
}

void RunsPage::setRunChecked(int row, bool on) {
  if (auto* item = table_->item(row, RunColumn)) item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
}

bool RunsPage::isRunChecked(int row) const { return size_t(row) < entries_.size() && entries_[size_t(row)].checked; }

void RunsPage::setXAxis(XAxis axis) { xAxis_->setCurrentIndex(xAxis_->findData(int(axis))); }

RunsPage::XAxis RunsPage::xAxis() const { return XAxis(xAxis_->currentData().toInt()); }

bool RunsPage::exportChart(const QString& path, QString* error) {
  ReplotQueue::flush();
  chart_->replot(QCustomPlot::rpImmediateRefresh);
  return harmonia::ui::exportChart(chart_, path, error);
}

void RunsPage::exportWithDialog(const QString& suffix) {
  const QString name = QStringLiteral("runs-loss.%1").arg(suffix);
  const QString path = QFileDialog::getSaveFileName(this, tr("Export the chart"), name,
                                                    suffix == QLatin1String("svg") ? tr("SVG image (*.svg)") : tr("PNG image (*.png)"));
  if (path.isEmpty()) return;
  QString error;
  if (exportChart(path, &error))
    emit statusMessage(tr("Chart saved to %1").arg(path));
  else
    showError(tr("Could not export the chart: %1").arg(error));
}

void RunsPage::updateState() {
  if (entries_.empty())
    setState(StepState::NotStarted, tr("train a run on page 3"));
  else
    setState(StepState::Done, entries_.size() == 1 ? tr("1 run") : tr("%1 runs").arg(entries_.size()));
}

}  // namespace harmonia::ui
