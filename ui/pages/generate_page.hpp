// Generate & Play page: the piano roll with the prompt region, sampling controls, candidate
// list, Continue / Undo, playback through FluidSynth or a MIDI port, .mid / .wav export and
// drag-out. Generation and WAV rendering run on worker threads.
#pragma once

#include <QFutureWatcher>
#include <QStringList>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/midi/score.hpp"
#include "ui/bridge/generation_backend.hpp"
#include "ui/pages/pipeline_page.hpp"

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace harmonia::ui {

class PianoRollView;
class PlaybackController;
class SliderSpinBox;
class ClipDragSource;
class ModelChoiceBox;
class RecordPanel;
class TrackMixer;
class BarSelection;
class AddPartPanel;
class RegeneratePanel;
class NoteHighlighter;

class GeneratePage : public PipelinePage {
  Q_OBJECT
 public:
  explicit GeneratePage(QWidget* parent = nullptr);
  ~GeneratePage() override;

  // Loads a MIDI file as the prompt (its first `promptBars()` bars).
  bool openPrompt(const QString& path, QString* error = nullptr);
  int promptBars() const;
  void setPromptBars(int bars);
  // What the roll shows: prompt plus the kept continuation(s).
  const midi::Score& currentScore() const { return current_; }
  void showScore(const midi::Score& score, midi::Tick promptEnd);
  bool exportMidi(const QString& path, QString* error = nullptr) const;
  // Export .mid's work after its file dialog: writes `path`, or says why not in the banner.
  void exportMidiTo(const QString& path);
  // Renders on a worker thread; `done(ok, message)` is called on the GUI thread.
  void exportWav(const QString& path);
  bool isExporting() const { return wavWatcher_.isRunning(); }

  SamplingSettings samplingSettings() const;
  void setSamplingSettings(const SamplingSettings& s);  // the controls, as a user would set them
  // The current run's model ("My trained model"; "" before any training): a new one becomes
  // the chosen model. Which model Generate uses (starter, a run, a checkpoint, a folder) is
  // modelChoice()'s; the project's runs are listed there.
  void setModelDir(const QString& dir);
  QString modelDir() const;
  ModelChoiceBox* modelChoice() const { return modelChoice_; }
  bool isGenerating() const { return genWatcher_.isRunning(); }
  int candidateCount() const;
  // The message above the roll ("" when hidden): set when no candidate has a new note, and
  // when a generation was cancelled or failed (what the roll and the list show then).
  QString notice() const;
  // Length (bars): what the field says when a typed value was out of range ("" when none).
  QString lengthHint() const;
  bool canUndo() const { return !undo_.empty(); }

  // What a project keeps of this page (ui/project_state.hpp writes it as MIDI): the prompt
  // as loaded and its file's name, what the roll shows, the candidates and the chosen one.
  struct Session {
    midi::Score prompt;
    QString promptName;  // "" = no prompt file
    midi::Tick promptEnd = 0;
    midi::Score shown;
    midi::Tick shownPromptEnd = 0;
    std::vector<midi::Score> candidates;
    int selected = -1;
  };
  Session session() const;
  // Puts a saved session back (an empty one clears the prompt, the roll and the candidates;
  // Undo's history is not kept). Not while generating.
  void restoreSession(const Session& s);

  PianoRollView* rollView() const { return roll_; }
  PlaybackController* playback() const { return playback_; }
  // Issue 18: record a prompt, audition (mute/solo, loop the selected bars), add a part.
  RecordPanel* recordPanel() const { return record_; }
  TrackMixer* trackMixer() const { return mixer_; }
  BarSelection* barSelection() const { return selection_; }
  AddPartPanel* addPartPanel() const { return addPart_; }
  // Regenerate the selected bars with a fill-in-the-middle model; its candidates' new notes ringed.
  RegeneratePanel* regeneratePanel() const { return regenerate_; }
  NoteHighlighter* regeneratedNotes() const { return regenHighlight_; }
  QPushButton* loopButton() const { return loop_; }
  // A score (a recorded take) as the prompt, as openPrompt() does with a file.
  void usePrompt(const midi::Score& prompt, const QString& name);

 public slots:
  void generate();      // N candidates from the prompt
  void continueClip();  // continue what the roll shows
  void undoContinuation();
  void cancelGeneration();
  void togglePlay();
  void rollDice();

 signals:
  void wavExported(bool ok, const QString& message);
  void generationFinished(bool ok);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  // What the roll and the candidate list showed before a generation: Undo and a cancelled
  // or failed generation put it back.
  struct Snapshot {
    midi::Score score;
    midi::Tick promptEnd = 0;
    std::vector<midi::Score> candidates;
    int row = -1;
  };
  Snapshot snapshot() const;
  void restore(const Snapshot& s);
  void onGenerationFinished();
  void startGeneration(const midi::Score& prompt, bool continuation);
  void selectCandidate(int row);
  void updateButtons();
  void onExportMidi();
  void onExportWav();
  void onOpenPrompt();

  PianoRollView* roll_ = nullptr;
  PlaybackController* playback_ = nullptr;
  SliderSpinBox* temperature_ = nullptr;
  SliderSpinBox* topK_ = nullptr;
  SliderSpinBox* topP_ = nullptr;
  SliderSpinBox* repetition_ = nullptr;
  QSpinBox* lengthBars_ = nullptr;  // the piece's length in bars: the main length control
  QLabel* lengthHint_ = nullptr;    // says so when a typed length was out of range
  QSpinBox* tokenCap_ = nullptr;    // advanced: a cap on new tokens (0 = from the length)
  QSpinBox* seed_ = nullptr;
  QComboBox* key_ = nullptr;
  QSpinBox* candidates_ = nullptr;
  QSpinBox* bars_ = nullptr;
  QLabel* promptLabel_ = nullptr;
  ModelChoiceBox* modelChoice_ = nullptr;
  QLabel* availability_ = nullptr;
  QLabel* notice_ = nullptr;  // above the roll: why it shows no new notes
  QPushButton* generate_ = nullptr;
  QPushButton* continue_ = nullptr;
  QPushButton* undo_button_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QPushButton* play_ = nullptr;
  QComboBox* output_ = nullptr;
  QComboBox* colorMode_ = nullptr;
  QListWidget* candidateList_ = nullptr;
  ClipDragSource* dragSource_ = nullptr;
  RecordPanel* record_ = nullptr;
  TrackMixer* mixer_ = nullptr;
  BarSelection* selection_ = nullptr;
  AddPartPanel* addPart_ = nullptr;
  RegeneratePanel* regenerate_ = nullptr;
  NoteHighlighter* regenHighlight_ = nullptr;
  QPushButton* loop_ = nullptr;
  void updateLoop();  // the loop range follows the selection and the score

  midi::Score prompt_;           // the prompt as loaded (already cut to N bars)
  QString promptName_;           // its file's name, for the label and the project
  midi::Score current_;          // what the roll shows
  midi::Tick promptEnd_ = 0;        // where the roll's shading ends
  midi::Tick loadedPromptEnd_ = 0;  // the loaded prompt's end: Generate starts after it
  std::vector<midi::Score> candidates_scores_;
  std::vector<Snapshot> undo_;  // before each continuation
  Snapshot beforeRun_;          // before the running generation
  bool continuing_ = false;
  size_t promptNotes_ = 0;  // notes of the running generation's prompt: the rest are new
  std::shared_ptr<std::atomic<bool>> cancelFlag_;
  std::shared_ptr<std::string> genError_;  // the worker's error message, "" when none
  QFutureWatcher<std::vector<midi::Score>> genWatcher_;
  QFutureWatcher<QString> wavWatcher_;  // "" = ok, else the error
};

}  // namespace harmonia::ui
