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
  if (score.tracks.size() != score_.tracks.size()) muted_.clear(), solo_.clear();  // another piece
  score_ = score;
  loaded_ = false;
  if (player_) {
    player_->stop();
    player_->load(std::make_shared<audio::PlaybackEvents>(audio::build_playback_events(score_)));
    applyAudition();
    loaded_ = true;
  }
}

bool PlaybackController::ensurePlayer() {
  if (player_) return true;
  try {
    if (out_) {
      // useOutput()'s: kept as it is.
    } else if (outputName_ == fluidSynthName()) {
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
    applyAudition();
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

void PlaybackController::setTrackMuted(int track, bool muted) {
  if (track < 0) return;
  if (muted_.size() <= size_t(track)) muted_.resize(size_t(track) + 1, false);
  muted_[size_t(track)] = muted;
  if (player_ && loaded_) player_->set_track_muted(track, muted);
}

void PlaybackController::setTrackSolo(int track, bool solo) {
  if (track < 0) return;
  if (solo_.size() <= size_t(track)) solo_.resize(size_t(track) + 1, false);
  solo_[size_t(track)] = solo;
  if (player_ && loaded_) player_->set_track_solo(track, solo);
}

bool PlaybackController::trackMuted(int track) const { return track >= 0 && size_t(track) < muted_.size() && muted_[size_t(track)]; }
bool PlaybackController::trackSolo(int track) const { return track >= 0 && size_t(track) < solo_.size() && solo_[size_t(track)]; }

void PlaybackController::setLoop(double startSeconds, double endSeconds) {
  if (!(endSeconds > startSeconds) || startSeconds < 0) return clearLoop();
  loopStart_ = startSeconds;
  loopEnd_ = endSeconds;
  if (player_ && loaded_) {
    player_->set_loop(loopStart_, loopEnd_);
    if (!isPlaying()) player_->seek(loopStart_);
  }
}

void PlaybackController::clearLoop() {
  loopStart_ = loopEnd_ = 0;
  if (player_) player_->clear_loop();
}

void PlaybackController::applyAudition() {
  // The player forgets mute/solo and the loop when it loads a score.
  for (size_t i = 0; i < muted_.size(); ++i)
    if (muted_[i]) player_->set_track_muted(int(i), true);
  for (size_t i = 0; i < solo_.size(); ++i)
    if (solo_[i]) player_->set_track_solo(int(i), true);
  if (looping()) {
    player_->set_loop(loopStart_, loopEnd_);
    player_->seek(loopStart_);
  }
}

void PlaybackController::useOutput(std::shared_ptr<audio::MidiOutput> output) {
  stop();
  player_.reset();
  out_ = std::move(output);
  loaded_ = false;
}

std::shared_ptr<audio::MidiOutput> PlaybackController::openedOutput() { return ensurePlayer() ? out_ : nullptr; }

}  // namespace harmonia::ui
