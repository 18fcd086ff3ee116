// The Generate page's "Model" box: which model Generate samples from, the starter model
// shipped with the studio (trained on POP909) or the model of the user's own training run.
// The starter lets a composer hear music before training anything (issue 15); where it is
// not installed its item stays in the list, disabled, and its tooltip says where the studio
// looked, so that a missing file reads as a missing file and not as a missing feature.
#pragma once

#include <QGroupBox>
#include <QString>
#include <optional>

class QComboBox;
class QLabel;

namespace harmonia::ui {

class ModelChoiceBox : public QGroupBox {
  Q_OBJECT
 public:
  enum class Choice { Starter, Trained };
  // The names a project file records ("starter", "trained").
  static QString choiceName(Choice choice);
  static std::optional<Choice> choiceFromName(const QString& name);

  explicit ModelChoiceBox(QWidget* parent = nullptr);

  // Where the starter model is, or "" and why not (the lookup's words: the places it tried).
  // Without a starter the choice falls back to the trained model.
  void setStarter(const QString& dir, const QString& whyMissing);
  QString starterDir() const { return starterDir_; }
  bool starterAvailable() const { return !starterDir_.isEmpty(); }

  // The current run's model folder ("" before any training). A new one is chosen at once:
  // a user who just finished training wants to hear that model.
  void setTrainedModelDir(const QString& dir);
  QString trainedModelDir() const { return trainedDir_; }

  Choice choice() const;
  // Returns false (and changes nothing) for the starter when it is not available.
  bool setChoice(Choice choice);
  // The folder Generate loads: the chosen model's, "" when that model does not exist yet.
  QString activeModelDir() const;

 signals:
  void choiceChanged();

 private:
  void refresh();  // item states and the line under the combo, from the fields below

  QComboBox* combo_ = nullptr;
  QLabel* detail_ = nullptr;
  QString starterDir_;
  QString starterMissing_;
  QString trainedDir_;
};

}  // namespace harmonia::ui
