// "Regenerate selection" on the Generate page (issue 18): the bars selected on the piano
// roll's ruler are filled again by a fill-in-the-middle model (ui/bridge/regenerate_backend.hpp)
// on a worker thread with progress and Cancel, as N candidates to audition one after the other
// (the page shows the chosen one with its new notes ringed and loops the bars), then Keep one
// (it replaces the piece's bars) or Discard them all. Undo / Redo step through what was kept.
#pragma once

#include <QFutureWatcher>
#include <QGroupBox>
#include <atomic>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "ui/bridge/regenerate_backend.hpp"

class QAction;
class QComboBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace harmonia::ui {

class RegeneratePanel : public QGroupBox {
  Q_OBJECT
 public:
  // What a regeneration reads when it starts: the piece, the model, the selected bars
  // ({-1, -1}: none) and the page's sampling (candidates, seed, temperature, top-p; the
  // request's piece, model and bars are filled in from the other sources).
  struct Sources {
    std::function<midi::Score()> piece;
    std::function<QString()> modelDir;
    std::function<std::pair<int, int>()> bars;
    std::function<RegenerateRequest()> sampling;
  };
  explicit RegeneratePanel(QWidget* parent = nullptr);
  ~RegeneratePanel() override;
  void setSources(Sources sources);

  bool isRunning() const { return watcher_.isRunning(); }
  // Candidates are on offer: the roll shows one of them, the piece is still pieceBefore().
  bool auditioning() const { return !candidates_.empty(); }
  const midi::Score& pieceBefore() const { return base_; }
  int candidateCount() const { return int(candidates_.size()); }
  int currentCandidate() const;
  midi::Tick startTick() const { return start_; }
  midi::Tick endTick() const { return end_; }
  bool canUndo() const { return !undo_.empty(); }
  bool canRedo() const { return !redo_.empty(); }
  QString status() const;
  // Why Regenerate is disabled ("" when it is not): no FIM model, no selection...
  QString problem() const { return problem_; }
  QListWidget* candidateList() const { return list_; }
  // Which notes in the bars are written again: kAllPrograms (every instrument, a FIM model),
  // or one of the piece's programs (-1 drums), the others kept and heard.
  QComboBox* programBox() const { return program_; }
  int program() const;
  void setProgram(int program);
  // Regenerate (Ctrl+R), Undo (Ctrl+Z), Redo (Ctrl+Shift+Z): for the page's tool row, the
  // roll's context menu and the page's shortcuts.
  QAction* regenerateAction() const { return regenerateAction_; }
  QAction* undoAction() const { return undoAction_; }
  QAction* redoAction() const { return redoAction_; }

  // Enables the buttons (and says why not) for the model, selection and piece now.
  void refresh();
  // The piece was replaced from elsewhere (a new prompt, Generate, an opened project): the
  // candidates and the history no longer apply.
  void reset();

 public slots:
  void regenerate();
  void cancel();
  void chooseCandidate(int row);
  void keep();
  void discard();
  void undo();
  void redo();

 signals:
  // Show this candidate (the piece with the bars [start, end) filled) without keeping it.
  void audition(const midi::Score& candidate, midi::Tick start, midi::Tick end);
  // The piece is now `score` (kept, discarded back to the original, undone, redone).
  void pieceChanged(const midi::Score& score, const QString& what);
  void message(const QString& error);
  void finished(bool ok);

 private:
  void showProblem();
  struct Step {
    midi::Score before, after;
  };

  Sources sources_;
  QAction* regenerateAction_ = nullptr;
  QAction* undoAction_ = nullptr;
  QAction* redoAction_ = nullptr;
  QComboBox* program_ = nullptr;
  QPushButton* run_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QListWidget* list_ = nullptr;
  QPushButton* keep_ = nullptr;
  QPushButton* discard_ = nullptr;
  QPushButton* undo_button_ = nullptr;
  QPushButton* redo_button_ = nullptr;
  QLabel* status_ = nullptr;
  QString problem_;           // why Regenerate is disabled now
  QString modelProblem_;      // why the chosen model cannot fill bars ("" = it can)
  QString modelProblemFor_;   // ... for this model folder
  std::shared_ptr<std::atomic<bool>> cancelFlag_;
  std::shared_ptr<std::atomic<int>> progressPermille_;
  midi::Score base_;  // the piece the running or offered candidates were made from
  std::pair<int, int> bars_{-1, -1};
  midi::Tick start_ = 0, end_ = 0;
  std::vector<midi::Score> candidates_;
  std::vector<Step> undo_, redo_;
  QFutureWatcher<RegenerateOutcome> watcher_;
};

}  // namespace harmonia::ui
