#include "ui/pages/record_panel.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>

#include "core/audio/count_in.hpp"
#include "core/audio/midi_recording.hpp"
#include "core/audio/playback_events.hpp"
#include "core/audio/rtmidi_ports.hpp"
#include "core/audio/score_player.hpp"
#include "ui/bridge/playback_controller.hpp"

namespace harmonia::ui {

namespace {

constexpr int kBeatsPerBar = 4;  // the count-in's bar; the take is in 4/4 like the tokenizer's default

class PortTakeSource final : public TakeSource {
 public:
  explicit PortTakeSource(const std::string& port) : recorder_(port) {}
  double elapsedSeconds() const override { return recorder_.elapsed_seconds(); }
  midi::Score finish(double qpm) override { return recorder_.finish(qpm); }
  QString description() const override { return QString::fromStdString(recorder_.description()); }

 private:
  audio::MidiInputRecorder recorder_;
};

}  // namespace

RecordPanel::RecordPanel(PlaybackController* playback, QWidget* parent)
    : QGroupBox(tr("Record a prompt"), parent), playback_(playback) {
  auto* form = new QFormLayout(this);
  input_ = new QComboBox;
  input_->setToolTip(tr("The MIDI keyboard to record from. The virtual input is a port other programs "
                        "(a DAW, a virtual keyboard, aconnect) can play into."));
  input_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  input_->setMinimumContentsLength(12);
  auto* refresh = new QPushButton(tr("⟳"));
  refresh->setToolTip(tr("Look for MIDI inputs again (after plugging in a keyboard)"));
  refresh->setAccessibleName(tr("Refresh MIDI inputs"));
  refresh->setMaximumWidth(refresh->fontMetrics().height() * 2 + 8);
  auto* inputRow = new QHBoxLayout;
  inputRow->addWidget(input_, 1);
  inputRow->addWidget(refresh);
  tempo_ = new QSpinBox;
  tempo_->setRange(30, 300);
  tempo_->setValue(100);
  tempo_->setSuffix(tr(" bpm"));
  tempo_->setToolTip(tr("The count-in's tempo, and the take's: play to the clicks"));
  countIn_ = new QCheckBox(tr("Count in one bar"));
  countIn_->setChecked(true);
  countIn_->setToolTip(tr("Four metronome clicks through the playback output before recording starts"));
  record_ = new QPushButton(tr("● Rec&ord"));
  record_->setToolTip(tr("Arm: count in, then record what you play until Stop"));
  stop_ = new QPushButton(tr("■ Stop"));
  stop_->setToolTip(tr("End the take: it becomes the prompt, on the model's grid"));
  stop_->setEnabled(false);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(record_);
  buttons->addWidget(stop_);
  status_ = new QLabel;
  status_->setWordWrap(true);
  auto* inputLabel = new QLabel(tr("&Input:"));
  inputLabel->setBuddy(input_);  // a row of widgets has no buddy of its own: the mnemonic needs one
  // The input on a row of its own, the column's whole width: beside its label a port's name
  // ("Virtual input (Harmonia Studio in)") was cut in presentation mode (text x1.6).
  form->addRow(inputLabel);
  form->addRow(inputRow);
  form->addRow(tr("Tem&po:"), tempo_);
  form->addRow(countIn_);
  form->addRow(buttons);
  form->addRow(status_);
  beats_ = new QTimer(this);
  connect(beats_, &QTimer::timeout, this, &RecordPanel::beat);
  connect(refresh, &QPushButton::clicked, this, &RecordPanel::refreshInputs);
  connect(record_, &QPushButton::clicked, this, [this] { arm(); });
  connect(stop_, &QPushButton::clicked, this, &RecordPanel::stop);
  refreshInputs();
}

RecordPanel::~RecordPanel() {
  clicks_.reset();  // its thread sends to the playback output
}

void RecordPanel::refreshInputs() {
  const QString keep = input_->currentData().toString();
  input_->clear();
  input_->addItem(tr("Virtual input (Harmonia Studio in)"), QString());
  // Listing asks ALSA/JACK: quick, and only done at start and when asked.
  const auto ports = audio::list_midi_ports();
  for (const auto& p : ports.inputs) input_->addItem(QString::fromStdString(p.name), QString::fromStdString(p.name));
  const int again = input_->findData(keep);
  input_->setCurrentIndex(again >= 0 ? again : (ports.inputs.empty() ? 0 : 1));
  if (ports.inputs.empty()) {
    QString why;
    for (const auto& p : ports.problems) why += QStringLiteral(" ") + QString::fromStdString(p) + QStringLiteral(".");
    setState(State::Idle, tr("No MIDI input port found: plug in a keyboard and press ⟳, or record from the "
                             "virtual input with another program connected to it.%1")
                              .arg(why));
  } else {
    setState(State::Idle, tr("%n MIDI input(s) found.", nullptr, int(ports.inputs.size())));
  }
}

void RecordPanel::setTempo(int qpm) { tempo_->setValue(qpm); }
int RecordPanel::tempo() const { return tempo_->value(); }
void RecordPanel::setCountIn(bool on) { countIn_->setChecked(on); }
QString RecordPanel::status() const { return status_->text(); }

void RecordPanel::setState(State s, const QString& status) {
  state_ = s;
  status_->setText(status);
  record_->setEnabled(s == State::Idle);
  stop_->setEnabled(s != State::Idle);
  input_->setEnabled(s == State::Idle);
  tempo_->setEnabled(s == State::Idle);
  emit stateChanged();
}

bool RecordPanel::arm() {
  if (state_ != State::Idle) return false;
  const QString port = input_->currentData().toString();
  try {
    return armWith(std::make_unique<PortTakeSource>(port.toStdString()));
  } catch (const std::exception& e) {
    const QString what = QString::fromUtf8(e.what());
    const QString msg =
        port.isEmpty()
            ? tr("Cannot record from the virtual input: %1. This system has no MIDI sequencer for it (ALSA's "
                 "snd-seq, or a JACK server); plug in a keyboard and choose its port.")
                  .arg(what)
            : tr("Cannot record from %1: %2. Check that the keyboard is connected and press ⟳.").arg(port, what);
    setState(State::Idle, msg);
    emit message(msg);
    return false;
  }
}

bool RecordPanel::armWith(std::unique_ptr<TakeSource> source) {
  if (state_ != State::Idle || !source) return false;
  playback_->stop();  // the piece must not play over the count-in
  source_ = std::move(source);
  if (countIn_->isChecked()) {
    startCountIn();
  } else {
    takeStart_ = source_->elapsedSeconds();
    setState(State::Recording, tr("Recording from %1: play, then Stop.").arg(source_->description()));
  }
  return true;
}

void RecordPanel::startCountIn() {
  const double qpm = tempo_->value();
  // The clicks go where Play goes; without an output the count-in is shown but silent.
  if (auto out = playback_->openedOutput()) {
    clicks_ = std::make_unique<audio::ScorePlayer>(out);
    clicks_->load(std::make_shared<audio::PlaybackEvents>(
        audio::build_playback_events(audio::count_in_clicks(qpm, kBeatsPerBar, 4))));
  }
  takeStart_ = source_->elapsedSeconds() + audio::count_in_seconds(qpm, kBeatsPerBar, 4);
  if (clicks_) clicks_->play();
  beatsLeft_ = kBeatsPerBar;
  setState(State::CountingIn, tr("Count-in: %1").arg(beatsLeft_));
  beats_->start(int(60000.0 / qpm));
}

void RecordPanel::beat() {
  if (--beatsLeft_ > 0) {
    status_->setText(tr("Count-in: %1").arg(beatsLeft_));
    return;
  }
  beats_->stop();
  setState(State::Recording, tr("Recording from %1: play, then Stop.").arg(source_->description()));
}

void RecordPanel::stop() {
  if (state_ == State::Idle || !source_) return;
  beats_->stop();
  if (clicks_) clicks_->stop();
  const bool countingIn = state_ == State::CountingIn;
  const QString from = source_->description();
  const midi::Score raw = source_->finish(tempo_->value());
  source_.reset();
  if (countingIn) {
    setState(State::Idle, tr("Recording cancelled during the count-in."));
    return;
  }
  const midi::Score take = audio::trim_count_in(raw, takeStart_);
  if (take.note_count() == 0) {
    const QString msg = tr("Nothing was recorded from %1: no note arrived after the count-in. Check that the "
                           "keyboard sends on this port, then record again.")
                            .arg(from);
    setState(State::Idle, msg);
    emit message(msg);
    return;
  }
  QuantizedTake q = quantize_take(take, modelDir_ ? modelDir_().toStdString() : std::string());
  if (!q.error.empty()) {
    const QString msg = tr("The take could not be put on the model's grid: %1").arg(QString::fromStdString(q.error));
    setState(State::Idle, msg);
    emit message(msg);
    return;
  }
  take_ = std::move(q);
  setState(State::Idle, tr("Take: %1 notes, on the grid of %2. It is the prompt now.")
                            .arg(take_.score.note_count())
                            .arg(QString::fromStdString(take_.tokenizer)));
  emit takeReady(take_.score, tr("Recorded take"));
}

}  // namespace harmonia::ui
