// "Add a part" on the Generate page: a new track for a chosen General MIDI program under
// what the roll shows, from the chosen model (ui/bridge/add_part_backend.hpp), on a worker
// thread with Cancel. The page shows the result and offers Undo (the piece before).
#pragma once

#include <QFutureWatcher>
#include <QGroupBox>
#include <atomic>
#include <functional>
#include <memory>

#include "ui/bridge/add_part_backend.hpp"

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace harmonia::ui {

class AddPartPanel : public QGroupBox {
  Q_OBJECT
 public:
  explicit AddPartPanel(QWidget* parent = nullptr);
  ~AddPartPanel() override;
  // The piece to add to and the model to use, read when Add is pressed.
  void setSources(std::function<midi::Score()> piece, std::function<QString()> modelDir);
  void setProgram(int program);  // -1 = drums
  int program() const;
  void setSeed(int seed);
  bool isRunning() const { return watcher_.isRunning(); }
  QString status() const;
  // Enables Add (and says why not) for the model and the piece now chosen.
  void refresh();

 public slots:
  void addPart();
  void cancel();
  void undo();

 signals:
  // The new piece (the old one plus the part), or the old one back after Undo.
  void pieceChanged(const midi::Score& score, const QString& what);
  void message(const QString& error);
  void finished(bool ok);

 private:
  std::function<midi::Score()> piece_;
  std::function<QString()> modelDir_;
  QComboBox* program_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QPushButton* add_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QPushButton* undo_ = nullptr;
  QLabel* status_ = nullptr;
  QString problem_;  // why the chosen model cannot add a part ("" = it can)
  QString problemFor_;
  std::shared_ptr<std::atomic<bool>> cancelFlag_;
  std::vector<midi::Score> before_;  // for Undo
  midi::Score started_;              // the piece the running addition started from
  QFutureWatcher<AddPartOutcome> watcher_;
};

}  // namespace harmonia::ui
