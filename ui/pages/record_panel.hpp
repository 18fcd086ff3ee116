// "Record a prompt" on the Generate page: choose a MIDI input (a keyboard's port, or the
// studio's own virtual input that another program can play into), arm, hear one bar of
// count-in clicks through the playback output, play, stop. The take is put on the chosen
// model's tokenizer grid (ui/bridge/take_backend.hpp) and handed to the page as its prompt.
#pragma once

#include <QGroupBox>
#include <QString>
#include <functional>
#include <memory>

#include "core/midi/score.hpp"
#include "ui/bridge/take_backend.hpp"

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTimer;

namespace harmonia::audio {
class ScorePlayer;
}

namespace harmonia::ui {

class PlaybackController;

// Where a take comes from: a MIDI input port (MidiInputRecorder), or messages a test feeds.
class TakeSource {
 public:
  virtual ~TakeSource() = default;
  virtual double elapsedSeconds() const = 0;  // since the source was opened
  virtual midi::Score finish(double qpm) = 0;  // stops listening; times from the opening
  virtual QString description() const = 0;
};

class RecordPanel : public QGroupBox {
  Q_OBJECT
 public:
  enum class State { Idle, CountingIn, Recording };

  RecordPanel(PlaybackController* playback, QWidget* parent = nullptr);
  ~RecordPanel() override;

  // The folder of the model whose tokenizer sets the grid ("" = plain REMI).
  void setModelDirSource(std::function<QString()> source) { modelDir_ = std::move(source); }
  // Lists the inputs again: the virtual input first, then every input port.
  void refreshInputs();
  QComboBox* inputBox() const { return input_; }
  void setTempo(int qpm);
  int tempo() const;
  void setCountIn(bool on);
  State state() const { return state_; }
  QString status() const;
  // The last take as quantized (its ids are the prompt's).
  const QuantizedTake& lastTake() const { return take_; }

  // Arms with the chosen input; false (and message()) when it cannot be opened.
  bool arm();
  // Arms with a source of one's own (tests).
  bool armWith(std::unique_ptr<TakeSource> source);
  // Seconds into the source at which the take's bar 1 begins (after the count-in).
  double takeStartSeconds() const { return takeStart_; }

 public slots:
  void stop();  // ends the take (or a count-in) and hands it over

 signals:
  void takeReady(const midi::Score& take, const QString& name);
  void message(const QString& error);  // for the page's banner
  void stateChanged();

 private:
  void setState(State s, const QString& status);
  void beat();  // the count-in's next beat, then recording
  void startCountIn();

  PlaybackController* playback_;
  std::function<QString()> modelDir_;
  QComboBox* input_ = nullptr;
  QSpinBox* tempo_ = nullptr;
  QCheckBox* countIn_ = nullptr;
  QPushButton* record_ = nullptr;
  QPushButton* stop_ = nullptr;
  QLabel* status_ = nullptr;
  QTimer* beats_ = nullptr;

  State state_ = State::Idle;
  std::unique_ptr<TakeSource> source_;
  std::unique_ptr<audio::ScorePlayer> clicks_;  // the count-in, on the playback output
  int beatsLeft_ = 0;
  double takeStart_ = 0;
  QuantizedTake take_;
};

}  // namespace harmonia::ui
