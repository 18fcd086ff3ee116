#include "ui/widgets/model_choice_box.hpp"

#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QStandardItemModel>
#include <QVBoxLayout>

namespace harmonia::ui {

namespace {
// Item rows of the combo, in the order the user reads them: the starter first, since it is
// what someone who has not trained yet can use.
constexpr int kStarterRow = 0;
constexpr int kTrainedRow = 1;
}  // namespace

QString ModelChoiceBox::choiceName(Choice choice) {
  return choice == Choice::Starter ? QStringLiteral("starter") : QStringLiteral("trained");
}

std::optional<ModelChoiceBox::Choice> ModelChoiceBox::choiceFromName(const QString& name) {
  if (name == QLatin1String("starter")) return Choice::Starter;
  if (name == QLatin1String("trained")) return Choice::Trained;
  return std::nullopt;
}

ModelChoiceBox::ModelChoiceBox(QWidget* parent) : QGroupBox(tr("Model"), parent) {
  auto* layout = new QVBoxLayout(this);
  combo_ = new QComboBox;
  combo_->addItem(tr("Starter model (POP909 pop songs)"));
  combo_->addItem(tr("My trained model"));
  combo_->setToolTip(tr("Which model Generate samples from"));
  combo_->setAccessibleName(tr("Model to generate with"));
  combo_->setCurrentIndex(kTrainedRow);  // until setStarter() says the starter exists
  detail_ = new QLabel;
  detail_->setWordWrap(true);
  layout->addWidget(combo_);
  layout->addWidget(detail_);
  connect(combo_, &QComboBox::currentIndexChanged, this, [this] {
    refresh();
    emit choiceChanged();
  });
  refresh();
}

void ModelChoiceBox::setStarter(const QString& dir, const QString& whyMissing) {
  starterDir_ = dir;
  starterMissing_ = dir.isEmpty() ? whyMissing : QString();
  // Someone who has not trained yet gets the model they can use; without a starter the
  // trained model is the only choice there is.
  if (starterAvailable() && trainedDir_.isEmpty())
    combo_->setCurrentIndex(kStarterRow);
  else if (!starterAvailable())
    combo_->setCurrentIndex(kTrainedRow);
  refresh();
}

void ModelChoiceBox::setTrainedModelDir(const QString& dir) {
  trainedDir_ = dir;
  if (!dir.isEmpty()) combo_->setCurrentIndex(kTrainedRow);
  refresh();
}

ModelChoiceBox::Choice ModelChoiceBox::choice() const {
  return combo_->currentIndex() == kStarterRow ? Choice::Starter : Choice::Trained;
}

bool ModelChoiceBox::setChoice(Choice choice) {
  if (choice == Choice::Starter && !starterAvailable()) return false;
  combo_->setCurrentIndex(choice == Choice::Starter ? kStarterRow : kTrainedRow);
  return true;
}

QString ModelChoiceBox::activeModelDir() const {
  return choice() == Choice::Starter ? starterDir_ : trainedDir_;
}

void ModelChoiceBox::refresh() {
  // A disabled item cannot be picked from the list, but its text and tooltip still explain it.
  if (auto* model = qobject_cast<QStandardItemModel*>(combo_->model()))
    if (auto* item = model->item(kStarterRow)) item->setEnabled(starterAvailable());
  combo_->setItemText(kStarterRow, starterAvailable() ? tr("Starter model (POP909 pop songs)")
                                                      : tr("Starter model (POP909 pop songs): not found"));
  combo_->setItemData(kStarterRow,
                      starterAvailable() ? tr("Shipped with Harmonia Studio: %1").arg(starterDir_) : starterMissing_,
                      Qt::ToolTipRole);
  combo_->setItemData(kTrainedRow,
                      trainedDir_.isEmpty() ? tr("No training run has finished yet") : trainedDir_,
                      Qt::ToolTipRole);

  // The folder's name only: a full path does not wrap and would be cut off by the page's
  // fixed-width settings column; the tooltip carries the whole path.
  if (choice() == Choice::Starter) {
    detail_->setText(tr("A small model trained by Harmonia on POP909's pop songs: generate now, "
                        "before training anything."));
    detail_->setToolTip(starterDir_);
  } else if (!trainedDir_.isEmpty()) {
    detail_->setText(tr("Your run: %1").arg(QDir(trainedDir_).dirName()));
    detail_->setToolTip(trainedDir_);
  } else {
    detail_->setText(starterAvailable()
                         ? tr("No trained model yet: train one on the Model & Training page, or choose the "
                              "starter model.")
                         : tr("No trained model yet: train one on the Model & Training page. (The starter "
                              "model was not found: hover over it in the list to see where the studio looked.)"));
    detail_->setToolTip(starterAvailable() ? QString() : starterMissing_);
  }
}

}  // namespace harmonia::ui
