// Step-through generation on the Generate page, for a class: Step (one token), Step bar, Run
// and Stop; the piano roll grows as tokens arrive; the tokens so far as chips (hover one: its
// notes light up in the roll); a chart of the next-token candidates, the model's own
// probabilities beside the ones the token was drawn from (after temperature, top-k, top-p,
// repetition penalty, grammar and key), the drawn token in orange. Moving a sampling slider
// re-draws the current step's chart from its stored logits: no new token, no forward pass.
// The model runs on the panel's own worker thread (ui/bridge/step_through_backend.hpp).
#pragma once

#include <QElapsedTimer>
#include <QThreadPool>
#include <QWidget>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "ui/bridge/step_through_backend.hpp"

class QCustomPlot;
class QCPBars;
class QLabel;
class QToolButton;

namespace harmonia::ui {

class NoteHighlighter;
class PianoRollView;
class TokenChipView;

class StepThroughPanel : public QWidget {
  Q_OBJECT
 public:
  // `spec` gives the page's model, sampling settings and prompt when a piece starts; `roll`
  // is the page's piano roll (the chips light up its notes).
  StepThroughPanel(std::function<GenerationSpec()> spec, PianoRollView* roll, QWidget* parent = nullptr);
  ~StepThroughPanel() override;

  bool isBusy() const { return busy_; }
  bool isRunning() const { return running_; }
  // What the panel shows: the last state from the worker, the chart's candidates (after any
  // slider change; as many of the top ones as its height shows legibly, the drawn one always
  // among them) and how many chart redraws came from a slider (tests).
  const StepThroughState& state() const { return state_; }
  const std::vector<StepCandidate>& chartCandidates() const { return chart_; }
  int resampleCount() const { return resamples_; }
  QCustomPlot* chart() const { return plot_; }
  TokenChipView* chips() const { return chips_; }
  QString statusText() const;
  // Shows or hides the chips and the chart (the header's toggle).
  void setExpanded(bool expanded);

 public slots:
  void step();
  void stepBar();
  void run();
  void stop();
  void restart();  // the next Step starts a new piece (new model, prompt or seed)
  // The page's sliders moved: re-draw the current step's chart with these settings (and draw
  // the next tokens with them).
  void samplingChanged(const SamplingSettings& sampling);

 signals:
  // The roll should show this (prompt + tokens so far).
  void scoreChanged(const midi::Score& score, midi::Tick promptEnd);
  void busyChanged(bool busy);
  // The chips and the chart were shown or hidden (the page makes room for them).
  void expandedChanged(bool expanded);

 private:
  enum class Action { Step, StepBar, RunStep };
  void submit(Action action);
  void onState(const StepThroughState& s, bool fromRun);
  void onError(const QString& message);
  // Shows these candidates (best first), as many as fit the chart's height.
  void showChart(const std::vector<StepCandidate>& candidates);
  int rowsThatFit() const;
  void showChips();
  void updateButtons();
  void setBusy(bool busy);
  void onChipHovered(int chip);

  std::function<GenerationSpec()> spec_;
  PianoRollView* roll_;
  NoteHighlighter* highlighter_ = nullptr;
  QToolButton* step_ = nullptr;
  QToolButton* stepBar_ = nullptr;
  QToolButton* run_ = nullptr;
  QToolButton* stop_ = nullptr;
  QToolButton* restart_ = nullptr;
  QToolButton* toggle_ = nullptr;
  QLabel* status_ = nullptr;
  TokenChipView* chips_ = nullptr;
  QCustomPlot* plot_ = nullptr;
  QCPBars* rawBars_ = nullptr;
  QCPBars* processedBars_ = nullptr;
  QCPBars* drawnBar_ = nullptr;
  int previousRollMinimum_ = -1;  // the roll's own minimum height while the panel is open

  QThreadPool worker_;  // one thread: the session is used by one thread at a time, in order
  std::shared_ptr<std::unique_ptr<StepThroughSession>> session_;  // made and used on the worker
  // The sliders' latest settings, read by the worker when it re-draws (merged while queued).
  struct PendingSampling {
    std::mutex mutex;
    SamplingSettings sampling;
    bool queued = false;
  };
  std::shared_ptr<PendingSampling> pending_;
  StepThroughState state_;
  std::vector<StepCandidate> candidates_;  // the step's candidates; chart_: the ones shown
  std::vector<StepCandidate> chart_;
  int rows_ = 0;  // candidates the chart's height shows (0: not laid out yet)
  int legendRowWidth_ = 0;  // the legend's width with its entries in one row
  QElapsedTimer sinceShown_;  // Run: the roll and chips update at most every kRunRefreshMs
  bool busy_ = false, running_ = false;
  int resamples_ = 0;
};

}  // namespace harmonia::ui
