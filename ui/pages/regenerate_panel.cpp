#include "ui/pages/regenerate_panel.hpp"

#include <QAction>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QSignalBlocker>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "core/midi/gm_programs.hpp"
#include "ui/bridge/worker_priority.hpp"

namespace harmonia::ui {

namespace {

QString barsText(int first, int last) {
  return first == last ? QObject::tr("bar %1").arg(first + 1) : QObject::tr("bars %1–%2").arg(first + 1).arg(last + 1);
}

}  // namespace

RegeneratePanel::RegeneratePanel(QWidget* parent) : QGroupBox(tr("Regenerate selection"), parent) {
  regenerateAction_ = new QAction(tr("Regenerate selection"), this);
  regenerateAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  regenerateAction_->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  undoAction_ = new QAction(tr("Undo kept bars"), this);
  undoAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
  undoAction_->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  redoAction_ = new QAction(tr("Redo kept bars"), this);
  redoAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
  redoAction_->setShortcutContext(Qt::WidgetWithChildrenShortcut);

  auto* layout = new QVBoxLayout(this);
  auto* intro = new QLabel(tr("Drag along the bar numbers above the roll, then regenerate those bars: "
                              "the model fills them knowing what comes before and after."));
  intro->setWordWrap(true);
  layout->addWidget(intro);
  program_ = new QComboBox;
  program_->addItem(tr("All instruments"), kAllPrograms);
  program_->setToolTip(tr("All instruments: everything in the bars is written again (a model trained with "
                          "Fill-in-the-middle). One instrument: only its notes, the others stay and the model hears them "
                          "(any model with Programs)."));
  program_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  program_->setMinimumContentsLength(12);
  auto* programForm = new QFormLayout;
  programForm->addRow(tr("Instrument:"), program_);
  layout->addLayout(programForm);
  auto* runRow = new QHBoxLayout;
  run_ = new QPushButton(tr("Regenerate bars"));
  run_->setToolTip(tr("Fill the selected bars again, as many candidates as Candidates says (Ctrl+R)"));
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setToolTip(tr("Stop regenerating; the piece stays as it is"));
  runRow->addWidget(run_);
  runRow->addWidget(cancel_);
  layout->addLayout(runRow);
  progress_ = new QProgressBar;
  progress_->setRange(0, 1000);
  progress_->setTextVisible(false);
  progress_->setMaximumHeight(8);
  progress_->hide();
  layout->addWidget(progress_);
  list_ = new QListWidget;
  list_->setMaximumHeight(90);
  list_->setToolTip(tr("Click a candidate (or use the arrow keys) to hear it in place: the bars loop"));
  list_->setAccessibleName(tr("Regenerated candidates"));
  list_->hide();
  layout->addWidget(list_);
  auto* choose = new QGridLayout;
  keep_ = new QPushButton(tr("Keep"));
  keep_->setToolTip(tr("Keep this candidate: it replaces the selected bars of the piece"));
  discard_ = new QPushButton(tr("Discard"));
  discard_->setToolTip(tr("Drop the candidates: the piece as it was"));
  undo_button_ = new QPushButton(tr("Undo"));
  undo_button_->setToolTip(tr("The piece as it was before the last Keep (Ctrl+Z)"));
  redo_button_ = new QPushButton(tr("Redo"));
  redo_button_->setToolTip(tr("Keep again what Undo took back (Ctrl+Shift+Z)"));
  choose->addWidget(keep_, 0, 0);
  choose->addWidget(discard_, 0, 1);
  choose->addWidget(undo_button_, 1, 0);
  choose->addWidget(redo_button_, 1, 1);
  layout->addLayout(choose);
  status_ = new QLabel;
  status_->setWordWrap(true);
  layout->addWidget(status_);

  connect(regenerateAction_, &QAction::triggered, this, &RegeneratePanel::regenerate);
  connect(undoAction_, &QAction::triggered, this, &RegeneratePanel::undo);
  connect(redoAction_, &QAction::triggered, this, &RegeneratePanel::redo);
  connect(run_, &QPushButton::clicked, this, &RegeneratePanel::regenerate);
  connect(cancel_, &QPushButton::clicked, this, &RegeneratePanel::cancel);
  connect(keep_, &QPushButton::clicked, this, &RegeneratePanel::keep);
  connect(discard_, &QPushButton::clicked, this, &RegeneratePanel::discard);
  connect(undo_button_, &QPushButton::clicked, this, &RegeneratePanel::undo);
  connect(redo_button_, &QPushButton::clicked, this, &RegeneratePanel::redo);
  connect(list_, &QListWidget::currentRowChanged, this, &RegeneratePanel::chooseCandidate);
  connect(program_, &QComboBox::currentIndexChanged, this, &RegeneratePanel::refresh);
  // The worker only stores its progress; the bar reads it ten times a second.
  auto* poll = new QTimer(this);
  poll->setInterval(100);
  connect(poll, &QTimer::timeout, this, [this] {
    if (progressPermille_) progress_->setValue(progressPermille_->load());
  });
  connect(&watcher_, &QFutureWatcher<RegenerateOutcome>::started, poll, qOverload<>(&QTimer::start));
  connect(&watcher_, &QFutureWatcher<RegenerateOutcome>::finished, poll, &QTimer::stop);
  connect(&watcher_, &QFutureWatcher<RegenerateOutcome>::finished, this, [this] {
    RegenerateOutcome out = watcher_.result();
    progress_->hide();
    const QString bars = barsText(bars_.first, bars_.second);
    bool ok = false;
    if (!out.error.empty()) {
      status_->setText(tr("Regenerate failed: %1").arg(QString::fromStdString(out.error)));
      emit message(status_->text());
    } else if (out.cancelled) {
      status_->setText(tr("Cancelled: the piece is as it was."));
    } else if (sources_.piece && sources_.piece() != base_) {
      // Generate, a new prompt or Add a part replaced the piece meanwhile: these bars were
      // filled for a piece that is gone.
      status_->setText(tr("The piece changed while %1 were regenerated: the candidates were dropped.").arg(bars));
    } else {
      ok = true;
      candidates_ = std::move(out.candidates);
      start_ = out.start_tick;
      end_ = out.end_tick;
      list_->clear();
      for (size_t i = 0; i < candidates_.size(); ++i)
        list_->addItem(tr("Candidate %1 — %2 notes in the bars").arg(i + 1).arg(out.new_notes[i]));
      list_->show();
      status_->setText(tr("%1 candidates for %2 in %3 s. Choose one to hear it (the bars loop), then Keep or Discard.")
                           .arg(candidates_.size())
                           .arg(bars)
                           .arg(out.seconds, 0, 'f', 1));
      list_->setCurrentRow(0);  // auditions the first
    }
    refresh();
    emit finished(ok);
  });
  refresh();
}

RegeneratePanel::~RegeneratePanel() {
  if (cancelFlag_) cancelFlag_->store(true);
  watcher_.waitForFinished();
}

void RegeneratePanel::setSources(Sources sources) {
  sources_ = std::move(sources);
  refresh();
}

int RegeneratePanel::program() const { return program_->currentData().toInt(); }

void RegeneratePanel::setProgram(int program) {
  const int i = program_->findData(program);
  if (i >= 0) program_->setCurrentIndex(i);
}

int RegeneratePanel::currentCandidate() const { return auditioning() ? list_->currentRow() : -1; }
QString RegeneratePanel::status() const { return status_->text(); }

void RegeneratePanel::refresh() {
  const bool running = watcher_.isRunning();
  const midi::Score piece = sources_.piece ? (auditioning() ? base_ : sources_.piece()) : midi::Score{};
  {
    // The piece's instruments to choose from, the choice kept while it is still there.
    QList<int> programs{kAllPrograms};
    for (const auto& t : piece.tracks) {
      const int p = t.is_drum ? -1 : t.program;
      if (!t.notes.empty() && !programs.contains(p)) programs << p;
    }
    QList<int> shown;
    for (int i = 0; i < program_->count(); ++i) shown << program_->itemData(i).toInt();
    if (shown != programs) {
      const int keep = program();
      const QSignalBlocker block(program_);
      program_->clear();
      for (int p : programs)
        program_->addItem(p == kAllPrograms ? tr("All instruments")
                                            : p < 0 ? tr("Drums")
                                                    : QStringLiteral("%1 %2").arg(p + 1).arg(QString::fromStdString(midi::gm_program_name(p))),
                          p);
      program_->setCurrentIndex(std::max(0, program_->findData(keep)));
    }
  }
  program_->setEnabled(!running && !auditioning());
  const QString dir = sources_.modelDir ? sources_.modelDir() : QString();
  const QString key = dir + QLatin1Char('|') + QString::number(program());
  if (key != modelProblemFor_ || dir.isEmpty()) {
    // Reads only the tokenizer.json: quick enough for the GUI thread, and only on a change.
    modelProblem_ = QString::fromStdString(regenerate_problem(dir.toStdString(), program()));
    modelProblemFor_ = key;
  }
  const auto bars = sources_.bars ? sources_.bars() : std::pair<int, int>{-1, -1};
  const bool hasNotes = piece.note_count() > 0;
  if (!modelProblem_.isEmpty())
    problem_ = tr("Not with this model: %1.").arg(modelProblem_);
  else if (!hasNotes)
    problem_ = tr("Open, record or generate music first: then select bars of it.");
  else if (bars.first < 0)
    problem_ = tr("Select bars first: drag along the bar numbers above the roll.");
  else
    problem_.clear();
  const bool can = !running && problem_.isEmpty();
  run_->setEnabled(can);
  regenerateAction_->setEnabled(can);
  const QString tip = problem_.isEmpty() ? tr("Fill %1 again (Ctrl+R)").arg(barsText(bars.first, bars.second)) : problem_;
  run_->setToolTip(tip);
  regenerateAction_->setToolTip(tip);
  cancel_->setEnabled(running);
  keep_->setEnabled(!running && auditioning());
  discard_->setEnabled(!running && auditioning());
  undo_button_->setEnabled(!running && canUndo());
  redo_button_->setEnabled(!running && canRedo());
  undoAction_->setEnabled(!running && canUndo());
  redoAction_->setEnabled(!running && canRedo());
  list_->setVisible(auditioning());
  if (running || auditioning()) return;
  // The reason follows the model and the selection; a result's own message stays until then.
  if (!problem_.isEmpty() && (status_->text().isEmpty() || status_->property("problem").toBool())) {
    status_->setText(problem_);
    status_->setProperty("problem", true);
  } else if (problem_.isEmpty() && status_->property("problem").toBool()) {
    status_->clear();
    status_->setProperty("problem", false);
  }
}

void RegeneratePanel::showProblem() {
  status_->setText(problem_);
  status_->setProperty("problem", true);
  emit message(problem_);
}

void RegeneratePanel::regenerate() {
  if (watcher_.isRunning() || !sources_.piece || !sources_.modelDir || !sources_.bars || !sources_.sampling) return;
  refresh();
  if (!problem_.isEmpty()) return showProblem();  // the shortcut works while the button is disabled
  if (auditioning()) discard();  // new candidates for the piece itself, not for a candidate
  base_ = sources_.piece();
  bars_ = sources_.bars();
  RegenerateRequest request = sources_.sampling();
  request.model_dir = sources_.modelDir().toStdString();
  request.piece = base_;
  request.first_bar = bars_.first;
  request.last_bar = bars_.second;
  request.program = program();
  auto cancelFlag = std::make_shared<std::atomic<bool>>(false);
  auto progress = std::make_shared<std::atomic<int>>(0);
  cancelFlag_ = cancelFlag;
  progressPermille_ = progress;
  progress_->setValue(0);
  progress_->show();
  status_->setProperty("problem", false);
  status_->setText(tr("Regenerating %1: %2 candidates…").arg(barsText(bars_.first, bars_.second)).arg(request.candidates));
  watcher_.setFuture(QtConcurrent::run([request, cancelFlag, progress] {
    lowerThisThreadPriority();  // the GUI thread keeps its core
    return run_regenerate(request, *cancelFlag, [progress](double f) { progress->store(int(f * 1000)); });
  }));
  refresh();
}

void RegeneratePanel::cancel() {
  if (cancelFlag_) cancelFlag_->store(true);
}

void RegeneratePanel::chooseCandidate(int row) {
  if (row < 0 || size_t(row) >= candidates_.size()) return;
  emit audition(candidates_[size_t(row)], start_, end_);
}

void RegeneratePanel::keep() {
  const int row = currentCandidate();
  if (row < 0 || watcher_.isRunning()) return;
  const midi::Score kept = candidates_[size_t(row)];
  undo_.push_back({base_, kept});
  redo_.clear();
  candidates_.clear();
  list_->clear();
  status_->setText(tr("Kept candidate %1 for %2. Undo (Ctrl+Z) brings the bars back as they were.")
                       .arg(row + 1)
                       .arg(barsText(bars_.first, bars_.second)));
  emit pieceChanged(kept, tr("Kept candidate %1 for %2").arg(row + 1).arg(barsText(bars_.first, bars_.second)));
  refresh();
}

void RegeneratePanel::discard() {
  if (!auditioning() || watcher_.isRunning()) return;
  candidates_.clear();
  list_->clear();
  status_->setText(tr("Discarded the candidates: the piece is as it was."));
  emit pieceChanged(base_, tr("Discarded the regenerated bars"));
  refresh();
}

void RegeneratePanel::undo() {
  if (undo_.empty() || watcher_.isRunning()) return;
  if (auditioning()) discard();
  // Only the piece as kept can be taken back: after a Continue or an added part the older
  // piece would silently drop that work too.
  if (sources_.piece && sources_.piece() != undo_.back().after) {
    undo_.clear();
    redo_.clear();
    status_->setText(tr("The piece changed after the last Keep: there is nothing here to undo."));
    refresh();
    return;
  }
  Step step = undo_.back();
  undo_.pop_back();
  redo_.push_back(step);
  status_->setText(tr("Undone: the bars are as they were before Keep."));
  emit pieceChanged(step.before, tr("Undo kept bars"));
  refresh();
}

void RegeneratePanel::redo() {
  if (redo_.empty() || watcher_.isRunning()) return;
  if (auditioning()) discard();
  if (sources_.piece && sources_.piece() != redo_.back().before) {
    redo_.clear();
    refresh();
    return;
  }
  Step step = redo_.back();
  redo_.pop_back();
  undo_.push_back(step);
  status_->setText(tr("Redone: the kept bars are back."));
  emit pieceChanged(step.after, tr("Redo kept bars"));
  refresh();
}

void RegeneratePanel::reset() {
  if (cancelFlag_) cancelFlag_->store(true);
  candidates_.clear();
  list_->clear();
  undo_.clear();
  redo_.clear();
  refresh();
}

}  // namespace harmonia::ui
