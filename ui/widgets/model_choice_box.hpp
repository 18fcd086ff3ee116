// The Generate page's "Model" box: which model Generate samples from. The picker lists the
// starter model shipped with the studio (trained on POP909), each training run of this
// project with a saved model (finished, cancelled, paused or stopped by an error) and each of
// its checkpoints, with readable names (run, step, validation loss, how it ended), folders the
// user opened ("Open a model folder…"), and that last item itself.
// The starter lets a composer hear music before training anything (issue 15); where it is
// not installed its item stays in the list, disabled, and its tooltip says where the studio
// looked, so that a missing file reads as a missing file and not as a missing feature.
#pragma once

#include <QGroupBox>
#include <QString>
#include <QStringList>
#include <optional>

class QComboBox;
class QLabel;

namespace harmonia::ui {

// A run folder as the studio names it: "run-20261207-174500" reads "Run of 7 Dec 17:45".
QString runDisplayName(const QString& runDir);

// What a closed combo shows of its current text: all of it, or, when the edit field is too
// narrow, the text with "…" in the middle, so no letter is cut at the field's edge.
QString comboShownText(const QComboBox& combo);

class ModelChoiceBox : public QGroupBox {
  Q_OBJECT
 public:
  // Trained: a run's final model (RUN/model), or "My trained model: none yet" while the
  // project has no run. Checkpoint: RUN/checkpoints/NAME/model. Folder: one the user opened.
  enum class Choice { Starter, Trained, Checkpoint, Folder };

  // What a project file records as settings.model: "starter", "trained" (no run yet; older
  // projects: the newest run), "run:DIR", "checkpoint:MODEL_DIR" or "folder:DIR".
  QString choiceValue() const;
  // Chooses what choiceValue() gave. Returns false, with the reason in *why, when that model
  // is not there any more (the choice is then left as it was).
  bool setChoiceValue(const QString& value, QString* why = nullptr);

  explicit ModelChoiceBox(QWidget* parent = nullptr);

  // Where the starter model is, or "" and why not (the lookup's words: the places it tried).
  // Without a starter the choice falls back to the trained model.
  void setStarter(const QString& dir, const QString& whyMissing);
  QString starterDir() const { return starterDir_; }
  bool starterAvailable() const { return !starterDir_.isEmpty(); }

  // The project's training runs, newest last (their folders are read for their models).
  void setRuns(const QStringList& runDirs);
  QStringList runs() const { return runs_; }
  // Adds a run (a run folder, or a bare model folder) if it is new; with `choose`, its final
  // model (else its newest checkpoint) becomes the choice: a user who just trained wants to
  // hear that model.
  void addRun(const QString& runDir, bool choose);
  // The run being trained now and what it is doing ("training now, step 40 / 500"); "" none.
  void setLiveRun(const QString& runDir, const QString& activity);
  QString liveRun() const { return liveRun_; }
  QString liveActivity() const { return liveActivity_; }
  // Reads the runs' folders again (new checkpoints); keeps the choice where it still exists.
  void rescan();

  // Compatibility with a single run: adds and chooses it; "" forgets every run.
  void setTrainedModelDir(const QString& dir);
  QString trainedModelDir() const { return runs_.isEmpty() ? QString() : runs_.last(); }

  // Opens a model folder chosen by the user: false, with a message naming the folder and
  // what is missing, when Generate could not load it.
  bool openModelFolder(const QString& dir, QString* error = nullptr);

  Choice choice() const;
  // Returns false (and changes nothing) for the starter when it is not available. Trained
  // picks the newest run's final model (or the placeholder while there is none).
  bool setChoice(Choice choice);
  // The folder Generate loads: the chosen model's, "" when that model does not exist yet.
  QString activeModelDir() const;
  // The chosen item's words, e.g. "Run of 7 Dec 17:45 — cancelled at step 68".
  QString choiceText() const;

 signals:
  void choiceChanged();
  // A problem to show the user (a folder that holds no model).
  void message(const QString& text);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void rebuild();  // the combo's items from the fields below, keeping the choice
  void refreshDetail();
  void onActivated(int row);
  int findRow(Choice choice, const QString& dir) const;
  void selectRow(int row);

  QComboBox* combo_ = nullptr;
  QLabel* detail_ = nullptr;
  QString starterDir_;
  QString starterMissing_;
  QStringList runs_;
  QStringList folders_;
  QString liveRun_, liveActivity_;
  int lastRow_ = -1;  // the row chosen before "Open a model folder…", restored if it is cancelled
};

}  // namespace harmonia::ui
