#include "ui/pages/add_part_panel.hpp"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QtConcurrent>

#include "core/midi/gm_programs.hpp"
#include "ui/bridge/worker_priority.hpp"

namespace harmonia::ui {

AddPartPanel::AddPartPanel(QWidget* parent) : QGroupBox(tr("Add a part"), parent) {
  auto* form = new QFormLayout(this);
  program_ = new QComboBox;
  for (int p = 0; p < 128; ++p)
    program_->addItem(QStringLiteral("%1 %2").arg(p + 1).arg(QString::fromStdString(midi::gm_program_name(p))), p);
  program_->addItem(tr("Drums"), -1);
  program_->setCurrentIndex(33);  // Electric Bass (finger): the part most often asked for under a song
  program_->setToolTip(tr("The instrument of the new track (General MIDI numbering, 1-128)"));
  program_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  program_->setMinimumContentsLength(12);
  seed_ = new QSpinBox;
  seed_->setRange(0, 999999);
  seed_->setToolTip(tr("Same seed, same part; another seed, another part"));
  add_ = new QPushButton(tr("Add &part"));
  add_->setToolTip(tr("Generate a new track for this instrument under what the roll shows, hearing all of it; "
                      "the notes already there stay exactly as they are"));
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setEnabled(false);
  undo_ = new QPushButton(tr("Undo"));
  undo_->setToolTip(tr("Remove the last added part"));
  undo_->setEnabled(false);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(add_);
  buttons->addWidget(cancel_);
  buttons->addWidget(undo_);
  status_ = new QLabel;
  status_->setWordWrap(true);
  form->addRow(tr("Instr&ument:"), program_);
  form->addRow(tr("S&eed:"), seed_);
  form->addRow(buttons);
  form->addRow(status_);
  connect(add_, &QPushButton::clicked, this, &AddPartPanel::addPart);
  connect(cancel_, &QPushButton::clicked, this, &AddPartPanel::cancel);
  connect(undo_, &QPushButton::clicked, this, &AddPartPanel::undo);
  connect(&watcher_, &QFutureWatcher<AddPartOutcome>::finished, this, [this] {
    const AddPartOutcome out = watcher_.result();
    const QString instrument = program_->currentText();
    bool ok = false;
    if (!out.error.empty()) {
      status_->setText(tr("Add a part failed: %1").arg(QString::fromStdString(out.error)));
      emit message(status_->text());
    } else if (out.cancelled) {
      status_->setText(tr("Cancelled: the piece is as it was."));
    } else if (out.added == 0) {
      status_->setText(tr("The model added no note for %1. Try another seed, or train the model longer.").arg(instrument));
    } else {
      ok = true;
      before_.push_back(started_);
      status_->setText(tr("Added %1 notes of %2 as a new track.").arg(out.added).arg(instrument));
      emit pieceChanged(out.score, tr("Added a part: %1").arg(instrument));
    }
    refresh();
    emit finished(ok);
  });
  refresh();
}

AddPartPanel::~AddPartPanel() {
  if (cancelFlag_) cancelFlag_->store(true);
  watcher_.waitForFinished();
}

void AddPartPanel::setSources(std::function<midi::Score()> piece, std::function<QString()> modelDir) {
  piece_ = std::move(piece);
  modelDir_ = std::move(modelDir);
  refresh();
}

void AddPartPanel::setProgram(int program) { program_->setCurrentIndex(program_->findData(program)); }
int AddPartPanel::program() const { return program_->currentData().toInt(); }
void AddPartPanel::setSeed(int seed) { seed_->setValue(seed); }
QString AddPartPanel::status() const { return status_->text(); }

void AddPartPanel::refresh() {
  const bool running = watcher_.isRunning();
  const QString dir = modelDir_ ? modelDir_() : QString();
  if (dir != problemFor_ || problemFor_.isEmpty()) {
    // Reads only the tokenizer.json: quick enough for the GUI thread, and only on a change.
    problem_ = QString::fromStdString(add_part_problem(dir.toStdString()));
    problemFor_ = dir;
  }
  const bool hasNotes = piece_ && piece_().note_count() > 0;
  add_->setEnabled(!running && problem_.isEmpty() && hasNotes);
  cancel_->setEnabled(running);
  undo_->setEnabled(!running && !before_.empty());
  if (running) return;
  if (!problem_.isEmpty())
    add_->setToolTip(tr("Not with this model: %1").arg(problem_));
  else if (!hasNotes)
    add_->setToolTip(tr("Open, record or generate music first: the part is added under it"));
  else
    add_->setToolTip(tr("Generate a new track for this instrument under what the roll shows, hearing all of it; "
                        "the notes already there stay exactly as they are"));
  // The reason follows the model; a result's own message stays until the next change.
  const QString notWith = tr("Not with this model: %1");
  if (!problem_.isEmpty())
    status_->setText(notWith.arg(problem_));
  else if (status_->text().startsWith(notWith.left(notWith.indexOf(QLatin1Char('%')))))
    status_->clear();
}

void AddPartPanel::addPart() {
  if (watcher_.isRunning() || !piece_ || !modelDir_) return;
  const midi::Score piece = piece_();
  started_ = piece;
  const std::string dir = modelDir_().toStdString();
  const int program = this->program();
  const uint64_t seed = uint64_t(seed_->value());
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  cancelFlag_ = cancel;
  status_->setText(tr("Adding %1…").arg(program_->currentText()));
  watcher_.setFuture(QtConcurrent::run([dir, piece, program, seed, cancel] {
    lowerThisThreadPriority();  // the GUI thread keeps its core
    return run_add_part(dir, piece, program, seed, *cancel);
  }));
  refresh();
}

void AddPartPanel::cancel() {
  if (cancelFlag_) cancelFlag_->store(true);
}

void AddPartPanel::undo() {
  if (before_.empty() || watcher_.isRunning()) return;
  const midi::Score back = before_.back();
  before_.pop_back();
  status_->setText(tr("Removed the last added part."));
  emit pieceChanged(back, tr("Undo add a part"));
  refresh();
}

}  // namespace harmonia::ui
