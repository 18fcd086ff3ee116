#include "ui/widgets/model_choice_box.hpp"

#include <algorithm>

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QSignalBlocker>
#include <QStandardItemModel>
#include <QStyleOptionComboBox>
#include <QStylePainter>
#include <QVBoxLayout>

#include "ui/bridge/generation_backend.hpp"
#include "ui/bridge/run_models.hpp"

namespace harmonia::ui {

namespace {

constexpr int kKindRole = Qt::UserRole;         // int(Choice), or kOpenFolder
constexpr int kDirRole = Qt::UserRole + 1;      // the folder Generate loads ("" for none)
constexpr int kDetailRole = Qt::UserRole + 2;   // the line under the combo
constexpr int kOpenFolder = -1;

}  // namespace

QString comboShownText(const QComboBox& combo) {
  QStyleOptionComboBox opt;
  opt.initFrom(&combo);
  opt.editable = false;
  opt.frame = combo.hasFrame();
  opt.currentText = combo.currentText();
  opt.subControls = QStyle::SC_All;
  const QRect field = combo.style()->subControlRect(QStyle::CC_ComboBox, &opt, QStyle::SC_ComboBoxEditField, &combo);
  int width = field.width() - 2;  // the label is drawn 1 px inside each side of the field
  if (!combo.itemIcon(combo.currentIndex()).isNull()) width -= combo.iconSize().width() + 4;
  return combo.fontMetrics().elidedText(combo.currentText(), Qt::ElideMiddle, std::max(0, width));
}

namespace {

// The combo re-reads the run folders when its list opens: checkpoints saved while the user
// was on another page then appear without a refresh button.
// It also shows a name too long for the settings column with "…" in the middle (the date and
// the status at the ends stay readable; the whole name is in the line under it and the
// tooltip): Qt clipped it at the field's edge, through the last letter.
class RescanningCombo : public QComboBox {
 public:
  explicit RescanningCombo(ModelChoiceBox* box) : box_(box) {}
  void showPopup() override {
    box_->rescan();
    QComboBox::showPopup();
  }

 protected:
  void paintEvent(QPaintEvent*) override {
    QStylePainter painter(this);
    painter.setPen(palette().color(QPalette::Text));
    QStyleOptionComboBox opt;
    initStyleOption(&opt);
    painter.drawComplexControl(QStyle::CC_ComboBox, opt);
    opt.currentText = comboShownText(*this);
    painter.drawControl(QStyle::CE_ComboBoxLabel, opt);
  }

 private:
  ModelChoiceBox* box_;
};

// "run-20261207-174500" (the Training page's folder names) reads "Run of 7 Dec 17:45".
QString runTitle(const QString& runDir) {
  const QString name = QDir(runDir).dirName();
  if (name.startsWith(QLatin1String("run-"))) {
    const QDateTime when = QDateTime::fromString(name.mid(4), QStringLiteral("yyyyMMdd-HHmmss"));
    if (when.isValid()) return QObject::tr("Run of %1").arg(when.toString(QStringLiteral("d MMM HH:mm")));
  }
  return QObject::tr("Run %1").arg(name);
}

QString lossText(const std::optional<double>& loss) {
  return loss ? QObject::tr(", val loss %1").arg(*loss, 0, 'f', 2) : QString();
}

// How the run stands, in a few words: "cancelled at step 68".
QString runStatus(const RunModels& run, const QString& liveActivity) {
  if (!liveActivity.isEmpty()) return liveActivity;
  const int64_t step = run.finalModel ? run.finalModel->step : -1;
  if (run.outcome == "finished") return QObject::tr("finished, %1 steps").arg(step);
  if (run.outcome == "cancelled") return QObject::tr("cancelled at step %1").arg(step);
  if (run.outcome == "error") return QObject::tr("stopped by an error");
  if (!run.finalModel) return QObject::tr("stopped early, checkpoints only");
  return step >= 0 ? QObject::tr("step %1").arg(step) : QObject::tr("saved model");
}

}  // namespace

QString runDisplayName(const QString& runDir) { return runTitle(runDir); }

ModelChoiceBox::ModelChoiceBox(QWidget* parent) : QGroupBox(tr("Model"), parent) {
  auto* layout = new QVBoxLayout(this);
  combo_ = new RescanningCombo(this);
  combo_->setToolTip(tr("Which model Generate samples from: the starter model, one of your training runs "
                        "(finished or stopped) or one of its checkpoints, or a model folder"));
  combo_->setAccessibleName(tr("Model to generate with"));
  // Run names with their status are long: the closed combo keeps the settings column's width
  // and the open list is as wide as its longest item.
  combo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  combo_->setMinimumContentsLength(20);
  detail_ = new QLabel;
  detail_->setWordWrap(true);
  layout->addWidget(combo_);
  layout->addWidget(detail_);
  connect(combo_, &QComboBox::currentIndexChanged, this, [this](int row) {
    if (row >= 0 && combo_->itemData(row, kKindRole).toInt() != kOpenFolder) lastRow_ = row;
    refreshDetail();
    emit choiceChanged();
  });
  connect(combo_, &QComboBox::activated, this, &ModelChoiceBox::onActivated);
  rebuild();
}

void ModelChoiceBox::showEvent(QShowEvent* event) {
  rescan();
  QGroupBox::showEvent(event);
}

void ModelChoiceBox::setStarter(const QString& dir, const QString& whyMissing) {
  starterDir_ = dir;
  starterMissing_ = dir.isEmpty() ? whyMissing : QString();
  rebuild();
  // Someone who has not trained yet gets the model they can use; without a starter the
  // trained model is the only choice there is.
  if (starterAvailable() && runs_.isEmpty())
    setChoice(Choice::Starter);
  else if (!starterAvailable() && choice() == Choice::Starter)
    setChoice(Choice::Trained);
}

void ModelChoiceBox::setRuns(const QStringList& runDirs) {
  runs_.clear();
  for (const QString& d : runDirs)
    if (!d.isEmpty() && !runs_.contains(QDir::cleanPath(d))) runs_ << QDir::cleanPath(d);
  rebuild();
}

void ModelChoiceBox::addRun(const QString& runDir, bool choose) {
  if (runDir.isEmpty()) return;
  const QString dir = QDir::cleanPath(runDir);
  runs_.removeAll(dir);
  runs_ << dir;  // newest last
  rebuild();
  if (!choose) return;
  int row = findRow(Choice::Trained, dir);
  if (row < 0 || !(combo_->model()->flags(combo_->model()->index(row, 0)) & Qt::ItemIsEnabled)) {
    // No final model (stopped by an error, or still training): its newest checkpoint.
    row = -1;
    for (int r = 0; r < combo_->count(); ++r)
      if (combo_->itemData(r, kKindRole).toInt() == int(Choice::Checkpoint) &&
          combo_->itemData(r, kDirRole).toString().startsWith(dir + QLatin1Char('/'))) {
        row = r;
        break;
      }
  }
  if (row >= 0) selectRow(row);
}

void ModelChoiceBox::setLiveRun(const QString& runDir, const QString& activity) {
  const QString dir = runDir.isEmpty() ? QString() : QDir::cleanPath(runDir);
  if (dir == liveRun_ && activity == liveActivity_) return;
  liveRun_ = dir;
  liveActivity_ = dir.isEmpty() ? QString() : activity;
  if (!dir.isEmpty() && !runs_.contains(dir)) runs_ << dir;
  rebuild();
}

void ModelChoiceBox::rescan() { rebuild(); }

void ModelChoiceBox::setTrainedModelDir(const QString& dir) {
  if (dir.isEmpty()) {
    runs_.clear();
    rebuild();
    if (choice() != Choice::Starter && starterAvailable()) setChoice(Choice::Starter);
    return;
  }
  addRun(dir, true);
}

bool ModelChoiceBox::openModelFolder(const QString& dir, QString* error) {
  const QString clean = QDir::cleanPath(dir);
  const std::string problem = model_folder_problem(clean.toStdString());
  if (!problem.empty()) {
    const QString msg = tr("%1 cannot be used as a model: %2. Choose a folder with config.json, model.safetensors "
                           "and tokenizer.json (a Harmonia run folder, or a checkpoint's model folder).")
                            .arg(clean, QString::fromStdString(problem));
    if (error) *error = msg;
    emit message(msg);
    return false;
  }
  if (is_run_folder(clean.toStdString())) {
    addRun(clean, true);
    return true;
  }
  if (!folders_.contains(clean)) folders_ << clean;
  rebuild();
  selectRow(findRow(Choice::Folder, clean));
  return true;
}

ModelChoiceBox::Choice ModelChoiceBox::choice() const {
  const int kind = combo_->currentData(kKindRole).toInt();
  return kind == kOpenFolder ? Choice::Trained : Choice(kind);
}

bool ModelChoiceBox::setChoice(Choice choice) {
  if (choice == Choice::Starter && !starterAvailable()) return false;
  if (choice == Choice::Trained && !runs_.isEmpty()) {
    // The newest run's final model, else the newest run's newest checkpoint.
    addRun(runs_.last(), true);
    return true;
  }
  const int row = findRow(choice, QString());
  if (row < 0) return false;
  selectRow(row);
  return true;
}

QString ModelChoiceBox::activeModelDir() const { return combo_->currentData(kDirRole).toString(); }

QString ModelChoiceBox::choiceText() const { return combo_->currentText().trimmed(); }

QString ModelChoiceBox::choiceValue() const {
  const QString dir = activeModelDir();
  switch (choice()) {
    case Choice::Starter: return QStringLiteral("starter");
    case Choice::Trained: return dir.isEmpty() ? QStringLiteral("trained") : QStringLiteral("run:") + dir;
    case Choice::Checkpoint: return QStringLiteral("checkpoint:") + dir;
    case Choice::Folder: return QStringLiteral("folder:") + dir;
  }
  return QStringLiteral("trained");
}

bool ModelChoiceBox::setChoiceValue(const QString& value, QString* why) {
  const auto fail = [why](const QString& text) {
    if (why) *why = text;
    return false;
  };
  if (value == QLatin1String("starter")) {
    if (setChoice(Choice::Starter)) return true;
    return fail(tr("the starter model is not installed here"));
  }
  if (value == QLatin1String("trained")) return setChoice(Choice::Trained);
  const int colon = value.indexOf(QLatin1Char(':'));
  const QString kind = value.left(colon), dir = QDir::cleanPath(value.mid(colon + 1));
  if (colon < 0 || dir.isEmpty()) return fail(tr("\"%1\" names no model").arg(value));
  if (!QFileInfo(dir).isDir()) return fail(tr("%1 is not there any more").arg(dir));
  if (kind == QLatin1String("run")) {
    addRun(dir, true);
    return true;
  }
  if (kind == QLatin1String("checkpoint")) {
    // RUN/checkpoints/NAME/model: its run lists it.
    QDir run(dir);
    run.cdUp();
    run.cdUp();
    run.cdUp();
    if (!runs_.contains(run.absolutePath())) addRun(run.absolutePath(), false);
    rebuild();
    const int row = findRow(Choice::Checkpoint, dir);
    if (row < 0) return fail(tr("%1 is not a checkpoint's model any more").arg(dir));
    selectRow(row);
    return true;
  }
  if (kind == QLatin1String("folder")) {
    QString error;
    if (openModelFolder(dir, &error)) return true;
    return fail(error);
  }
  return fail(tr("\"%1\" names no model").arg(value));
}

int ModelChoiceBox::findRow(Choice choice, const QString& dir) const {
  for (int r = 0; r < combo_->count(); ++r)
    if (combo_->itemData(r, kKindRole).toInt() == int(choice) &&
        (dir.isEmpty() || combo_->itemData(r, kDirRole).toString() == dir))
      return r;
  return -1;
}

void ModelChoiceBox::selectRow(int row) {
  if (row >= 0) combo_->setCurrentIndex(row);
}

void ModelChoiceBox::onActivated(int row) {
  if (combo_->itemData(row, kKindRole).toInt() != kOpenFolder) return;
  // Back to what was chosen before, whatever the dialog gives: the folder is added as its own item.
  const int previous = lastRow_;
  selectRow(previous);
  const QString dir = QFileDialog::getExistingDirectory(
      this, tr("Open a model folder (config.json + model.safetensors, or a training run folder)"));
  if (!dir.isEmpty()) openModelFolder(dir);
}

void ModelChoiceBox::rebuild() {
  const Choice keepChoice = combo_->count() ? choice() : Choice::Starter;
  const QString keepDir = combo_->count() ? activeModelDir() : QString();
  const bool hadItems = combo_->count() > 0;
  {
    const QSignalBlocker block(combo_);
    combo_->clear();
    auto* model = qobject_cast<QStandardItemModel*>(combo_->model());
    auto add = [&](const QString& text, int kind, const QString& dir, const QString& detail, const QString& tip,
                   bool enabled) {
      combo_->addItem(text);
      const int row = combo_->count() - 1;
      combo_->setItemData(row, kind, kKindRole);
      combo_->setItemData(row, dir, kDirRole);
      combo_->setItemData(row, detail, kDetailRole);
      combo_->setItemData(row, tip, Qt::ToolTipRole);
      // A disabled item cannot be picked from the list, but its text and tooltip still explain it.
      if (model && !enabled) model->item(row)->setEnabled(false);
    };

    add(starterAvailable() ? tr("Starter model (POP909 pop songs)") : tr("Starter model (POP909 pop songs): not found"),
        int(Choice::Starter), starterDir_,
        tr("A small model trained by Harmonia on POP909's pop songs: generate now, before training anything."),
        starterAvailable() ? tr("Shipped with Harmonia Studio: %1").arg(starterDir_) : starterMissing_,
        starterAvailable());

    // Newest run first: the one just trained is what the user most likely wants.
    for (auto it = runs_.crbegin(); it != runs_.crend(); ++it) {
      const QString& runDir = *it;
      const RunModels run = scan_run_models(runDir.toStdString());
      const QString live = runDir == liveRun_ ? liveActivity_ : QString();
      const QString title = runTitle(runDir);
      // A bare model folder passed as a "run" (older projects, tests) is its own final model.
      const bool bareModel = !run.finalModel && QFileInfo::exists(runDir + QStringLiteral("/config.json"));
      const QString status = bareModel ? tr("saved model") : runStatus(run, live);
      const bool usable = run.finalModel.has_value() || bareModel;
      QString detail;
      if (run.outcome == "cancelled" && live.isEmpty())
        detail = tr("%1: cancelled at step %2%3. The model saved when it stopped is ready to use.")
                     .arg(title).arg(run.finalModel ? run.finalModel->step : -1)
                     .arg(run.maxSteps > 0 ? tr(" of %1").arg(run.maxSteps) : QString());
      else if (run.outcome == "error" && live.isEmpty())
        detail = tr("%1 stopped with an error: %2").arg(title, QString::fromStdString(run.outcomeMessage));
      else
        detail = tr("%1: %2.").arg(title, status);
      if (run.finalModel && run.finalModel->valLoss)
        detail += tr(" Validation loss %1.").arg(*run.finalModel->valLoss, 0, 'f', 2);
      if (!usable)
        detail += tr(" It has no final model: choose one of its checkpoints below, or resume it on the Model & "
                     "Training page.");
      // The loss is in the line under the combo: with it the closed combo would cut the status.
      add(tr("%1 — %2").arg(title, status), int(Choice::Trained), usable ? runDir : QString(), detail, runDir, usable);
      for (const SavedModel& c : run.checkpoints) {
        const QString what = c.best ? tr("best checkpoint, step %1").arg(c.step) : tr("checkpoint at step %1").arg(c.step);
        const QString dir = QString::fromStdString(c.dir);
        add(QStringLiteral("    ↳ ") + what + lossText(c.valLoss), int(Choice::Checkpoint), dir,
            tr("%1, %2%3.").arg(title, what, lossText(c.valLoss)), dir, true);
      }
    }
    if (runs_.isEmpty())
      add(tr("My trained model: none yet"), int(Choice::Trained), QString(),
          starterAvailable()
              ? tr("No trained model yet: train one on the Model & Training page, or choose the starter model.")
              : tr("No trained model yet: train one on the Model & Training page. (The starter model was not "
                   "found: hover over it in the list to see where the studio looked.)"),
          tr("No training run yet"), true);
    for (const QString& f : folders_)
      add(tr("Folder: %1").arg(QDir(f).dirName()), int(Choice::Folder), f, tr("Model folder %1.").arg(QDir(f).dirName()), f, true);
    add(tr("Open a model folder…"), kOpenFolder, QString(),
        QString(), tr("Any model folder with config.json, model.safetensors and tokenizer.json"), true);

    // The same choice as before where it still exists, else the newest run's model.
    int row = hadItems ? findRow(keepChoice, keepDir) : -1;
    if (row < 0 && hadItems && keepChoice == Choice::Trained) row = findRow(Choice::Trained, QString());
    if (row < 0) row = starterAvailable() ? 0 : findRow(Choice::Trained, QString());
    combo_->setCurrentIndex(row);
    lastRow_ = row;
  }
  refreshDetail();
  if (hadItems && (choice() != keepChoice || activeModelDir() != keepDir)) emit choiceChanged();
}

void ModelChoiceBox::refreshDetail() {
  // The folder's name only in the text: a full path does not wrap and would be cut off by the
  // page's fixed-width settings column; the tooltip carries the whole path.
  const int row = combo_->currentIndex();
  detail_->setText(combo_->itemData(row, kDetailRole).toString());
  detail_->setToolTip(choice() == Choice::Starter || !activeModelDir().isEmpty()
                          ? activeModelDir()
                          : (starterAvailable() ? QString() : starterMissing_));
  combo_->setToolTip(combo_->itemData(row, Qt::ToolTipRole).toString());
}

}  // namespace harmonia::ui
