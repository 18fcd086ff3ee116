#include "ui/pages/dataset_page.hpp"
#include "ui/bridge/dataset_cache.hpp"
#include "ui/widgets/chart_range.hpp"
#include "ui/widgets/queued_plot.hpp"
#include "ui/bridge/worker_priority.hpp"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <array>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <qcustomplot.h>

#include "core/data/default_corpus.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::ui {

// What the job's threads hand to the GUI thread. They post one drainInbox() at a time
// (`wakePosted`), so a burst of reports (the quick index answers all files at once) is one
// queued call, and the GUI thread takes the rows in slices between other events.
struct DatasetPage::Inbox {
  std::mutex mutex;
  std::vector<data::ImportedFile> files;
  bool ended = false;
  bool wakePosted = false;
};

namespace {

enum Column { kName, kDuration, kNotes, kTracks, kTokens, kStatus, kReason, kColumns };

constexpr int kRowsPerSlice = 64;      // rows added per event-loop turn (a few ms)
constexpr qint64 kChartIntervalMs = 250;  // charts redraw at most this often while importing

QString formatSeconds(double s) {
  const int total = int(s + 0.5);
  return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

QCustomPlot* makeChart(const QString& title, const QString& xLabel, const QString& yLabel) {
  auto* plot = new QueuedPlot;
  plot->plotLayout()->insertRow(0);
  plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, QFont(plot->font().family(), 11, QFont::Bold)));
  plot->xAxis->setLabel(xLabel);
  plot->yAxis->setLabel(yLabel);
  plot->setMinimumHeight(180);
  auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
  bars->setPen(QPen(QColor(40, 110, 200)));
  bars->setBrush(QColor(76, 145, 230, 170));
  return plot;
}

bool kept(const data::ImportedFile& f) { return f.outcome == data::FileOutcome::Kept; }

}  // namespace

DatasetPage::DatasetPage(QWidget* parent) : PipelinePage(parent), tokenizer_(tokenizer::Tokenizer::create("REMI")) {
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel(tr("<h2>1. Dataset</h2>")));

  auto* row = new QHBoxLayout;
  auto* folderLabel = new QLabel(tr("&Folder:"));
  folder_ = new QLineEdit;
  folder_->setPlaceholderText(tr("A folder of .mid files (or drop one onto the window)"));
  folderLabel->setBuddy(folder_);
  auto* browse = new QPushButton(tr("&Browse…"));
  auto* corpus = new QPushButton(tr("Default corpus"));
  corpus->setToolTip(tr("MIDI files installed by Debian packages (openttd-openmsx, planetblupi-music-midi)"));
  import_ = new QPushButton(tr("&Import"));
  import_->setDefault(true);
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setEnabled(false);
  row->addWidget(folderLabel);
  row->addWidget(folder_, 1);
  row->addWidget(browse);
  row->addWidget(corpus);
  row->addWidget(import_);
  row->addWidget(cancel_);
  layout->addLayout(row);

  auto* progressRow = new QHBoxLayout;
  progress_ = new QProgressBar;
  progress_->setRange(0, 1);
  progress_->setValue(0);
  eta_ = new QLabel;
  eta_->setMinimumWidth(220);
  progressRow->addWidget(progress_, 1);
  progressRow->addWidget(eta_);
  layout->addLayout(progressRow);

  table_ = new QTableWidget(0, kColumns);
  table_->setHorizontalHeaderLabels({tr("File"), tr("Duration"), tr("Notes"), tr("Tracks"), tr("Tokens (REMI)"),
                                     tr("Status"), tr("Reason")});
  table_->horizontalHeader()->setSectionResizeMode(kName, QHeaderView::Stretch);
  table_->horizontalHeader()->setSectionResizeMode(kReason, QHeaderView::Stretch);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSortingEnabled(false);
  table_->verticalHeader()->setVisible(false);

  auto* charts = new QWidget;
  auto* chartLayout = new QHBoxLayout(charts);
  chartLayout->setContentsMargins(0, 0, 0, 0);
  tokensPlot_ = makeChart(tr("Tokens per file"), tr("file"), tr("tokens"));
  pitchPlot_ = makeChart(tr("Pitch histogram"), tr("MIDI pitch"), tr("notes"));
  pitchPlot_->xAxis->setRange(20, 110);
  fitChartAxes(tokensPlot_);  // empty: 0..1 on both axes, not QCustomPlot's default 0..5
  fitChartAxes(pitchPlot_, false, true);
  chartLayout->addWidget(tokensPlot_);
  chartLayout->addWidget(pitchPlot_);

  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(table_);
  split->addWidget(charts);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  layout->addWidget(split, 1);
  summary_ = new QLabel(tr("Next: press Import to read the files."));
  // Wrapped: "The tokenizer changed (now REMI, 518 tokens): press Import…" on one line made
  // the window 1258 px wide in presentation mode, past a 1280x720 projector's.
  summary_->setWordWrap(true);
  layout->addWidget(summary_);

  connect(browse, &QPushButton::clicked, this, &DatasetPage::browse);
  connect(corpus, &QPushButton::clicked, this, &DatasetPage::useDefaultCorpus);
  connect(import_, &QPushButton::clicked, this, &DatasetPage::startImport);
  connect(cancel_, &QPushButton::clicked, this, &DatasetPage::cancelImport);
  connect(folder_, &QLineEdit::returnPressed, this, &DatasetPage::startImport);
  connect(folder_, &QLineEdit::textEdited, this, [this] { defaultCorpus_ = false; });
}

DatasetPage::~DatasetPage() {
  // Joining here, before QObject's destructor, means no job thread posts to a dead page;
  // drain calls already queued are dropped with the object.
  if (job_) job_->cancel();
  if (starter_.joinable()) starter_.join();
  job_.reset();  // ImportJob's destructor cancels and joins
}

QString DatasetPage::folder() const { return folder_->text(); }

void DatasetPage::setFolder(const QString& folder) {
  folder_->setText(folder);
  defaultCorpus_ = false;
}

void DatasetPage::setTokenizer(std::shared_ptr<const tokenizer::Tokenizer> tokenizer) {
  if (!tokenizer) return;  // the tokenizer page's options are invalid for now: keep the last one
  const bool changed = tokenizer->to_json() != tokenizer_->to_json();
  tokenizer_ = std::move(tokenizer);
  // The table keeps the counts of the tokenizer it was imported with (its column header says
  // which) until the next import.
  if (changed && !results_.empty() && !isRunning())
    // The vocabulary size tells the tokenizers apart when only options changed (a multi-track
    // corpus switches REMI to REMI with programs, tempos and time signatures right after import).
    summary_->setText(tr("The tokenizer changed (now %1, %2 tokens): press Import to count tokens with it (its own cache).")
                          .arg(QString::fromStdString(tokenizer_->name()))
                          .arg(tokenizer_->vocab_size()));
}

QString DatasetPage::cacheRoot() const {
  return cacheRoot_.isEmpty() ? QString::fromStdString(default_dataset_cache_root()) : cacheRoot_;
}

DatasetInput DatasetPage::input() const {
  DatasetInput in;
  if (defaultCorpus_) {
    in.files = data::default_corpus_files();
    in.name = "default-corpus";
  } else {
    in.folder = folder().toStdString();
  }
  return in;
}

QString DatasetPage::cacheDir() const {
  return QString::fromStdString(dataset_cache_dir(cacheRoot().toStdString(), input(), *tokenizer_));
}

void DatasetPage::browse() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a folder of MIDI files"), folder());
  if (!dir.isEmpty()) setFolder(dir);
}

bool DatasetPage::useDefaultCorpus() {
  const auto files = data::default_corpus_files();
  if (files.empty()) {
    showError(tr("No default corpus installed: install openttd-openmsx or planetblupi-music-midi, "
                 "or choose a folder of MIDI files."));
    return false;
  }
  // The corpus spans several package folders, so it is a file list rather than one folder.
  folder_->setText(tr("Default corpus (%1 MIDI files from Debian packages)").arg(files.size()));
  defaultCorpus_ = true;
  return true;
}

bool DatasetPage::isDefaultCorpus() const { return defaultCorpus_; }

void DatasetPage::clearImport() {
  if (isRunning()) return;  // the caller cancels first: a running job would refill the table
  results_.clear();
  importedInput_ = {};
  table_->setRowCount(0);
  updateCharts();
  progress_->setRange(0, 1);
  progress_->setValue(0);
  eta_->clear();
  summary_->setText(tr("Next: press Import to read the files."));
  setState(StepState::NotStarted, {});
  emit filesChanged({});
}

int DatasetPage::tableRows() const { return table_->rowCount(); }

QStringList DatasetPage::usableFiles() const {
  QStringList out;
  for (const auto& r : results_)
    if (kept(r)) out << QString::fromStdString(r.path);
  return out;
}

void DatasetPage::startImport() {
  if (isRunning()) return;
  const QString dir = folder();
  if (!defaultCorpus_ && (dir.isEmpty() || !QFileInfo(dir).isDir())) {
    setState(StepState::Error, tr("no folder"));
    showError(tr("\"%1\" is not a folder: choose a folder of MIDI files with Browse.").arg(dir));
    return;
  }
  DatasetInput in = input();
  if (defaultCorpus_ && in.files.empty()) {
    useDefaultCorpus();  // says what to install
    setState(StepState::Error, tr("no MIDI files"));
    return;
  }
  const QString cache = QString::fromStdString(dataset_cache_dir(cacheRoot().toStdString(), in, *tokenizer_));
  data::ImportOptions options = in.import_options(cache.toStdString());
  importedInput_ = std::move(in);
  // Reports arrive on the job's threads: collect them, and wake the GUI thread once.
  auto inbox = std::make_shared<Inbox>();
  auto wake = [this, inbox](std::unique_lock<std::mutex>& lock) {
    if (inbox->wakePosted) return;
    inbox->wakePosted = true;
    lock.unlock();
    QMetaObject::invokeMethod(this, &DatasetPage::drainInbox, Qt::QueuedConnection);
  };
  options.on_file = [inbox, wake](const data::ImportedFile& f) {
    std::unique_lock<std::mutex> lock(inbox->mutex);
    inbox->files.push_back(f);
    wake(lock);
  };
  options.on_progress = [inbox, wake](const data::ImportProgress& p) {
    std::unique_lock<std::mutex> lock(inbox->mutex);
    if (p.finished) inbox->ended = true;
    wake(lock);  // also refreshes the progress bar and ETA
  };

  results_.clear();
  table_->setRowCount(0);
  table_->horizontalHeaderItem(kTokens)->setText(tr("Tokens (%1)").arg(QString::fromStdString(tokenizer_->name())));
  updateCharts();
  progress_->setRange(0, 0);  // busy until the job has listed the files
  eta_->setText(tr("Starting…"));
  import_->setEnabled(false);
  cancel_->setEnabled(true);
  setState(StepState::Running, tr("listing files"));
  summary_->setText(tr("Importing with %1 into %2").arg(QString::fromStdString(tokenizer_->name()), cache));
  clock_.start();
  chartClock_.start();

  inbox_ = inbox;
  job_ = std::make_unique<data::ImportJob>(tokenizer_, std::move(options));
  // start() returns at once; the thread that calls it is lowered first so the job's threads
  // (which inherit a thread's nice value on Linux) never take the GUI thread's core.
  starter_ = std::thread([job = job_.get()] {
    lowerThisThreadPriority();
    job->start();
  });
}

void DatasetPage::cancelImport() {
  if (!job_) return;
  job_->cancel();
  cancel_->setEnabled(false);
  eta_->setText(tr("Cancelling…"));
}

void DatasetPage::drainInbox() {
  if (!inbox_) return;
  std::vector<data::ImportedFile> slice;
  bool ended = false, more = false;
  {
    std::lock_guard<std::mutex> lock(inbox_->mutex);
    auto& files = inbox_->files;
    const auto n = std::min<size_t>(files.size(), kRowsPerSlice);
    slice.assign(std::make_move_iterator(files.begin()), std::make_move_iterator(files.begin() + long(n)));
    files.erase(files.begin(), files.begin() + long(n));
    more = !files.empty();
    ended = inbox_->ended && !more;
    inbox_->wakePosted = more;  // the rest comes in the next turn, after other events
  }
  for (const auto& f : slice) addRow(f);
  if (more) QMetaObject::invokeMethod(this, &DatasetPage::drainInbox, Qt::QueuedConnection);
  if (ended) {
    finishImport();
    return;
  }
  showProgress();
  if (chartClock_.elapsed() >= kChartIntervalMs) {
    chartClock_.restart();
    updateCharts();  // redrawing per file would cost more than it shows
  }
}

void DatasetPage::addRow(const data::ImportedFile& f) {
  // Rows in path order whatever order the workers finish in: the same folder gives the same
  // table whether it was tokenized now or answered from the cache.
  const auto at = std::lower_bound(results_.begin(), results_.end(), f,
                                   [](const auto& a, const auto& b) { return a.path < b.path; });
  const int row = int(at - results_.begin());
  results_.insert(at, f);
  table_->insertRow(row);
  auto set = [&](int col, const QString& text, bool numeric = false) {
    auto* item = new QTableWidgetItem(text);
    if (numeric) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    table_->setItem(row, col, item);
  };
  const bool ok = kept(f);
  const QString path = QString::fromStdString(f.path);
  set(kName, QFileInfo(path).fileName());
  set(kDuration, ok ? formatSeconds(f.duration_s) : QString(), true);
  set(kNotes, ok ? QString::number(f.notes) : QString(), true);
  set(kTracks, ok ? QString::number(f.tracks) : QString(), true);
  set(kTokens, ok ? QString::number(f.tokens) : QString(), true);
  const QString reason = QString::fromStdString(f.reason);
  if (f.outcome == data::FileOutcome::Duplicate) {
    set(kStatus, tr("duplicate"));
    set(kReason, tr("same content as %1").arg(QFileInfo(reason).fileName()));
    table_->item(row, kReason)->setToolTip(reason);  // the kept file's full path
  } else {
    set(kStatus, ok ? tr("ok") : tr("skipped"));
    set(kReason, reason);
  }
  if (f.outcome == data::FileOutcome::Skipped) table_->item(row, kStatus)->setForeground(QColor(210, 70, 70));
  table_->item(row, kName)->setToolTip(path);
}

void DatasetPage::showProgress() {
  if (!job_) return;
  const auto p = job_->progress();
  if (p.total == 0) return;  // still listing the folder
  progress_->setRange(0, int(p.total));
  progress_->setValue(int(p.done));
  const QString count = tr("%1 / %2 files").arg(p.done).arg(p.total);
  eta_->setText(p.eta_s >= 0 ? tr("%1, about %2 s left").arg(count).arg(qRound(p.eta_s)) : count);
  setState(StepState::Running, count);
}

void DatasetPage::finishImport() {
  if (starter_.joinable()) starter_.join();  // start() has long returned; job_ is ours again
  data::ImportReport report;
  QString error;
  try {
    report = job_->wait();
  } catch (const std::exception& e) {
    error = QString::fromUtf8(e.what());
  }
  job_.reset();
  inbox_.reset();
  import_->setEnabled(true);
  cancel_->setEnabled(false);
  progress_->setRange(0, std::max(1, int(report.files_found)));
  // A cancelled import read only some of the files: the bar says how many, not 100 %.
  progress_->setValue(report.cancelled ? std::min(int(results_.size()), progress_->maximum()) : int(report.files_found));
  updateCharts();
  lastSeconds_ = clock_.elapsed() / 1000.0;
  lastQuick_ = error.isEmpty() && report.from_quick_index;
  const QStringList usable = usableFiles();
  const int skipped = int(report.skipped.size());
  const int duplicates = int(report.duplicates.size());
  if (!error.isEmpty()) {
    eta_->setText(tr("Failed"));
    setState(StepState::Error, tr("import failed"));
    summary_->setText(tr("Import failed: %1").arg(error));
    showError(tr("Import failed: %1. Choose another folder or free disk space.").arg(error));
  } else if (report.cancelled) {
    eta_->setText(tr("Cancelled"));
    setState(StepState::NotStarted, tr("cancelled after %1 files").arg(results_.size()));
    summary_->setText(tr("Import cancelled. Press Import to start again."));
  } else if (report.files_found == 0) {
    eta_->setText(QString());
    setState(StepState::Error, tr("no MIDI files"));
    summary_->setText(tr("No MIDI file found."));
    showError(tr("No .mid files under %1: choose another folder.").arg(folder()));
  } else {
    eta_->setText(lastQuick_ ? tr("Unchanged: answered from the cache in %1 s").arg(lastSeconds_, 0, 'f', 2)
                             : tr("Done in %1 s").arg(lastSeconds_, 0, 'f', 1));
    setState(usable.isEmpty() ? StepState::Error : StepState::Done,
             tr("%1 files, %2 skipped").arg(usable.size()).arg(skipped));
    summary_->setText(usable.isEmpty()
                          ? tr("No usable file: choose another folder.")
                          : tr("%1 usable files (%2 tokenized now, %3 from the cache), %4 skipped, %5 duplicates. "
                               "Next: choose a tokenizer.")
                                .arg(usable.size())
                                .arg(report.tokenized)
                                .arg(report.reused)
                                .arg(skipped)
                                .arg(duplicates));
    emit filesChanged(usable);
  }
  emit importFinished(report.cancelled);
}

void DatasetPage::updateCharts() {
  QVector<double> x, y, px, py;
  std::array<double, 128> pitch{};
  int i = 0;
  for (const auto& r : results_) {
    if (!kept(r)) continue;
    x << ++i;
    y << double(r.tokens);
    // Pitched notes only: a drum "pitch" names an instrument (36 kick, 38 snare...).
    for (const auto& [p, n] : r.pitch_counts)
      if (p >= 0 && p < 128) pitch[size_t(p)] += double(n);
    for (const auto& [p, n] : r.drum_pitch_counts)
      if (p >= 0 && p < 128) pitch[size_t(p)] -= double(n);
  }
  for (int p = 0; p < 128; ++p) {
    px << p;
    py << pitch[size_t(p)];
  }
  auto* tb = qobject_cast<QCPBars*>(tokensPlot_->plottable(0));
  tb->setData(x, y);
  fitChartAxes(tokensPlot_, false, true);
  tokensPlot_->xAxis->setRange(0, std::max(1, i) + 1);
  ReplotQueue::request(tokensPlot_);  // one plot per event-loop turn, not per call
  auto* pb = qobject_cast<QCPBars*>(pitchPlot_->plottable(0));
  pb->setData(px, py);
  fitChartAxes(pitchPlot_, false, true);
  ReplotQueue::request(pitchPlot_);
}

int DatasetPage::tokenChartPoints() const {
  return qobject_cast<QCPBars*>(tokensPlot_->plottable(0))->data()->size();
}

double DatasetPage::pitchChartTotal() const {
  double sum = 0;
  auto data = qobject_cast<QCPBars*>(pitchPlot_->plottable(0))->data();
  for (auto it = data->constBegin(); it != data->constEnd(); ++it) sum += it->value;
  return sum;
}

}  // namespace harmonia::ui
