#include "ui/dataset_page.hpp"
#include "ui/queued_plot.hpp"
#include "ui/worker_priority.hpp"

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
#include <QtConcurrent>
#include <algorithm>
#include <qcustomplot.h>

#include "core/data/default_corpus.hpp"
#include "core/midi/midi_file.hpp"
#include "core/tokenizer/tokenizer.hpp"

namespace harmonia::ui {

namespace {

enum Column { kName, kDuration, kNotes, kTracks, kTokens, kStatus, kReason, kColumns };

QString formatSeconds(double s) {
  const int total = int(s + 0.5);
  return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

ScannedFile scanFile(const QString& path, const tokenizer::Tokenizer& tok) {
  ScannedFile f;
  f.path = path;
  try {
    const midi::Score score = midi::read_midi_file(path.toStdString());
    f.seconds = score.duration_seconds();
    f.notes = qint64(score.note_count());
    for (const auto& t : score.tracks)
      if (!t.notes.empty()) ++f.tracks;
    for (const auto& t : score.tracks)
      if (!t.is_drum)
        for (const auto& n : t.notes) ++f.pitches[size_t(n.pitch & 127)];
    if (f.notes == 0) {
      f.reason = QObject::tr("no notes");
      return f;
    }
    for (const auto& seq : tok.encode(score).sequences) f.tokens += qint64(seq.steps());
    f.ok = true;
  } catch (const std::exception& e) {
    f.reason = QString::fromUtf8(e.what());
  }
  return f;
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

}  // namespace

DatasetPage::DatasetPage(QWidget* parent) : PipelinePage(parent) {
  qRegisterMetaType<ScannedFile>();
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
  chartLayout->addWidget(tokensPlot_);
  chartLayout->addWidget(pitchPlot_);

  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(table_);
  split->addWidget(charts);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  layout->addWidget(split, 1);
  summary_ = new QLabel(tr("Next: press Import to read the files."));
  layout->addWidget(summary_);

  connect(browse, &QPushButton::clicked, this, &DatasetPage::browse);
  connect(corpus, &QPushButton::clicked, this, &DatasetPage::useDefaultCorpus);
  connect(import_, &QPushButton::clicked, this, &DatasetPage::startImport);
  connect(cancel_, &QPushButton::clicked, this, &DatasetPage::cancelImport);
  connect(folder_, &QLineEdit::returnPressed, this, &DatasetPage::startImport);
  connect(folder_, &QLineEdit::textEdited, this, [this] { defaultCorpus_ = false; });
}

DatasetPage::~DatasetPage() {
  if (cancelFlag_) cancelFlag_->store(true);
  scan_.waitForFinished();
}

QString DatasetPage::folder() const { return folder_->text(); }

void DatasetPage::setFolder(const QString& folder) {
  folder_->setText(folder);
  defaultCorpus_ = false;
}

void DatasetPage::browse() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a folder of MIDI files"), folder());
  if (!dir.isEmpty()) setFolder(dir);
}

bool DatasetPage::useDefaultCorpus() {
  const auto files = data::default_corpus_files();
  if (files.empty()) {
    emit statusMessage(tr("No default corpus installed: install openttd-openmsx or planetblupi-music-midi, "
                          "or choose a folder of MIDI files."));
    return false;
  }
  // The corpus spans several package folders, so it is a file list rather than one folder.
  folder_->setText(tr("Default corpus (%1 MIDI files from Debian packages)").arg(files.size()));
  defaultCorpus_ = true;
  return true;
}

bool DatasetPage::isDefaultCorpus() const { return defaultCorpus_; }

bool DatasetPage::isRunning() const { return scan_.isRunning(); }
int DatasetPage::tableRows() const { return table_->rowCount(); }

QStringList DatasetPage::usableFiles() const {
  QStringList out;
  for (const auto& r : results_)
    if (r.ok) out << r.path;
  return out;
}

void DatasetPage::startImport() {
  if (isRunning()) return;
  const QString dir = folder();
  if (!defaultCorpus_ && (dir.isEmpty() || !QFileInfo(dir).isDir())) {
    setState(StepState::Error, tr("no folder"));
    emit statusMessage(tr("\"%1\" is not a folder: choose a folder of MIDI files with Browse.").arg(dir));
    return;
  }
  files_.clear();
  const auto found = defaultCorpus_ ? data::default_corpus_files() : data::list_midi_files(dir.toStdString());
  for (const auto& f : found) files_ << QString::fromStdString(f);
  results_.clear();
  table_->setRowCount(0);
  if (files_.isEmpty()) {
    setState(StepState::Error, tr("no MIDI files"));
    emit statusMessage(tr("No .mid files under %1: choose another folder.").arg(dir));
    return;
  }
  progress_->setRange(0, int(files_.size()));
  progress_->setValue(0);
  eta_->setText(tr("Starting…"));
  import_->setEnabled(false);
  cancel_->setEnabled(true);
  setState(StepState::Running, tr("0 / %1 files").arg(files_.size()));
  clock_.start();

  auto cancel = std::make_shared<std::atomic<bool>>(false);
  cancelFlag_ = cancel;
  const QStringList files = files_;
  scan_ = QtConcurrent::run([this, files, cancel] {
    lowerThisThreadPriority();  // the GUI thread keeps its core
    const auto tok = tokenizer::Tokenizer::create("REMI");
    int done = 0;
    for (const auto& path : files) {
      if (cancel->load()) break;
      const ScannedFile f = scanFile(path, *tok);
      ++done;
      // Queued: the table and charts belong to the GUI thread.
      QMetaObject::invokeMethod(this, "onFileScanned", Qt::QueuedConnection, Q_ARG(harmonia::ui::ScannedFile, f),
                                Q_ARG(int, done), Q_ARG(int, int(files.size())));
    }
    QMetaObject::invokeMethod(this, "onScanEnded", Qt::QueuedConnection, Q_ARG(bool, cancel->load()));
  });
}

void DatasetPage::cancelImport() {
  if (cancelFlag_) cancelFlag_->store(true);
  cancel_->setEnabled(false);
  eta_->setText(tr("Cancelling…"));
}

void DatasetPage::onFileScanned(const ScannedFile& f, int done, int total) {
  results_.push_back(f);
  const int row = table_->rowCount();
  table_->insertRow(row);
  auto set = [&](int col, const QString& text, bool numeric = false) {
    auto* item = new QTableWidgetItem(text);
    if (numeric) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    table_->setItem(row, col, item);
  };
  set(kName, QFileInfo(f.path).fileName());
  set(kDuration, f.ok ? formatSeconds(f.seconds) : QString(), true);
  set(kNotes, QString::number(f.notes), true);
  set(kTracks, QString::number(f.tracks), true);
  set(kTokens, f.ok ? QString::number(f.tokens) : QString(), true);
  set(kStatus, f.ok ? tr("ok") : tr("skipped"));
  set(kReason, f.reason);
  if (!f.ok) table_->item(row, kStatus)->setForeground(QColor(210, 70, 70));
  table_->item(row, kName)->setToolTip(f.path);

  progress_->setValue(done);
  const double elapsed = clock_.elapsed() / 1000.0;
  const double eta = done > 0 ? elapsed / done * (total - done) : 0.0;
  eta_->setText(tr("%1 / %2 files, about %3 s left").arg(done).arg(total).arg(qRound(eta)));
  setState(StepState::Running, tr("%1 / %2 files").arg(done).arg(total));
  if (done % 10 == 0) updateCharts();  // redrawing per file would cost more than it shows
}

void DatasetPage::onScanEnded(bool cancelled) {
  import_->setEnabled(true);
  cancel_->setEnabled(false);
  updateCharts();
  const QStringList usable = usableFiles();
  const int skipped = int(results_.size()) - int(usable.size());
  if (cancelled) {
    eta_->setText(tr("Cancelled"));
    setState(StepState::NotStarted, tr("cancelled after %1 files").arg(results_.size()));
    summary_->setText(tr("Import cancelled. Press Import to start again."));
  } else {
    eta_->setText(tr("Done in %1 s").arg(clock_.elapsed() / 1000.0, 0, 'f', 1));
    setState(usable.isEmpty() ? StepState::Error : StepState::Done,
             tr("%1 files, %2 skipped").arg(usable.size()).arg(skipped));
    summary_->setText(usable.isEmpty() ? tr("No usable file: choose another folder.")
                                       : tr("%1 usable files, %2 skipped. Next: choose a tokenizer.")
                                             .arg(usable.size())
                                             .arg(skipped));
    emit filesChanged(usable);
  }
  emit importFinished(cancelled);
}

void DatasetPage::updateCharts() {
  QVector<double> x, y, px, py;
  std::array<double, 128> pitch{};
  int i = 0;
  for (const auto& r : results_) {
    if (!r.ok) continue;
    x << ++i;
    y << double(r.tokens);
    for (int p = 0; p < 128; ++p) pitch[size_t(p)] += double(r.pitches[size_t(p)]);
  }
  for (int p = 0; p < 128; ++p) {
    px << p;
    py << pitch[size_t(p)];
  }
  auto* tb = qobject_cast<QCPBars*>(tokensPlot_->plottable(0));
  tb->setData(x, y);
  tokensPlot_->rescaleAxes();
  tokensPlot_->xAxis->setRange(0, std::max(1, i) + 1);
  ReplotQueue::request(tokensPlot_);  // one plot per event-loop turn, not per call
  auto* pb = qobject_cast<QCPBars*>(pitchPlot_->plottable(0));
  pb->setData(px, py);
  pitchPlot_->yAxis->rescale();
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
