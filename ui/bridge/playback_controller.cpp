#include "ui/bridge/playback_controller.hpp"

#include "core/audio/live_synth_output.hpp"
#include "core/audio/playback_events.hpp"
#include "core/audio/rtmidi_ports.hpp"
#include "core/audio/score_player.hpp"
#include "ui/bridge/soundfont_choice.hpp"

namespace harmonia::ui {

PlaybackController::PlaybackController(QObject* parent)
    : QObject(parent), outputName_(fluidSynthName()), soundFont_(chosenSoundFont()) {}

PlaybackController::~PlaybackController() {
  // The player's thread calls back into us: stop it before our members go.
  player_.reset();
}

QString PlaybackController::fluidSynthName() { return tr("FluidSynth (built-in synthesizer)"); }

QStringList PlaybackController::outputNames() {
  QStringList names{fluidSynthName()};
  for (const auto& p : audio::list_midi_ports().outputs) names << QString::fromStdString(p.name);
  return names;
}

void PlaybackController::setOutput(const QString& name) {
  if (name == outputName_) return;
  stop();
  outputName_ = name;
  player_.reset();
  out_.reset();
}

void PlaybackController::setSoundFont(const QString& path) {
  if (path == soundFont_) return;
  soundFont_ = path;
  if (outputName_ != fluidSynthName()) return;  // a MIDI port has its own sounds
  stop();
  player_.reset();  // the next play() loads the new font
  out_.reset();
}

void PlaybackController::setScore(const midi::Score& score) {
  score_ = score;
  loaded_ = false;
  if (player_) {
    player_->stop();
    player_->load(std::make_shared<audio::PlaybackEvents>(audio::build_playback_events(score_)));
    loaded_ = true;
  }
}

bool PlaybackController::ensurePlayer() {
  if (player_) return true;
  try {
    if (outputName_ == fluidSynthName()) {
      audio::LiveSynthOptions options;
      options.synth.soundfont = resolveSoundFont(soundFont_);
      out_ = std::make_shared<audio::LiveSynthOutput>(options);
    } else {
      out_ = std::shared_ptr<audio::MidiOutput>(audio::RtMidiOutput::open_port(outputName_.toStdString()));
    }
    player_ = std::make_unique<audio::ScorePlayer>(out_);
  } catch (const std::exception& e) {
    out_.reset();
    QString what = QString::fromStdString(e.what());
    while (what.endsWith(QLatin1Char('.'))) what.chop(1);  // the sentence below adds its own
    emit error(tr("Cannot play: %1. Choose another output in the Output list, or export a .wav instead.").arg(what));
    return false;
  }
  // Both callbacks arrive on the scheduler thread; queue them to ours.
  player_->set_position_callback([this](double s) {
    QMetaObject::invokeMethod(this, [this, s] { emit positionChanged(s); }, Qt::QueuedConnection);
  });
  player_->set_state_callback([this](audio::PlayerState st) {
    const bool playing = st == audio::PlayerState::Playing;
    QMetaObject::invokeMethod(this, [this, playing] { emit playingChanged(playing); }, Qt::QueuedConnection);
  });
  return true;
}

bool PlaybackController::play() {
  if (score_.note_count() == 0) {
    emit error(tr("Nothing to play: generate or open a MIDI file first."));
    return false;
  }
  if (!ensurePlayer()) return false;
  if (!loaded_) {
    player_->load(std::make_shared<audio::PlaybackEvents>(audio::build_playback_events(score_)));
    loaded_ = true;
  }
  player_->play();
  return true;
}

void PlaybackController::stop() {
  if (player_) player_->stop();
}

void PlaybackController::togglePlay() {
  if (isPlaying())
    stop();
  else
    play();
}

bool PlaybackController::isPlaying() const { return player_ && player_->state() == audio::PlayerState::Playing; }

double PlaybackController::position() const { return player_ ? player_->position() : 0.0; }

}  // namespace harmonia::ui
