// Play/Stop of a Score through FluidSynth (the chosen or first-found SoundFont) or an
// external MIDI port, with the play-head position delivered on the GUI thread. The core
// player schedules on its own thread; this class only forwards its callbacks, queued.
#pragma once

#include <QObject>
#include <QStringList>
#include <memory>
#include <vector>

#include "core/midi/score.hpp"

namespace harmonia::audio {
class ScorePlayer;
class MidiOutput;
}  // namespace harmonia::audio

namespace harmonia::ui {

class PlaybackController : public QObject {
  Q_OBJECT
 public:
  explicit PlaybackController(QObject* parent = nullptr);
  ~PlaybackController() override;

  // "FluidSynth" first, then the external MIDI output ports.
  static QStringList outputNames();
  static QString fluidSynthName();
  // Opening happens at the next play(); an error then says what to do.
  void setOutput(const QString& name);
  QString output() const { return outputName_; }
  // The SoundFont for FluidSynth ("" = automatic); starts as the remembered choice. A change
  // takes effect at the next play(). Export .wav renders with the same one.
  void setSoundFont(const QString& path);
  QString soundFont() const { return soundFont_; }

  void setScore(const midi::Score& score);
  bool isPlaying() const;

  // Audition (ui/widgets/track_mixer.hpp): per Score track, kept across setScore() while the
  // track count stays the same. Any soloed track silences the others.
  void setTrackMuted(int track, bool muted);
  void setTrackSolo(int track, bool solo);
  bool trackMuted(int track) const;
  bool trackSolo(int track) const;
  // Playback wraps from `endSeconds` back to `startSeconds` until clearLoop().
  void setLoop(double startSeconds, double endSeconds);
  void clearLoop();
  bool looping() const { return loopEnd_ > loopStart_; }
  // Plays through `output` instead of opening one by name (tests, the count-in's clicks).
  void useOutput(std::shared_ptr<audio::MidiOutput> output);
  // The opened output (opening it as play() would; nullptr and error() when it cannot).
  std::shared_ptr<audio::MidiOutput> openedOutput();
  double position() const;

 public slots:
  // Returns false (and emits error) when no output can be opened.
  bool play();
  void stop();
  void togglePlay();

 signals:
  void positionChanged(double seconds);
  void playingChanged(bool playing);
  void error(const QString& message);

 private:
  bool ensurePlayer();

  QString outputName_;
  QString soundFont_;
  midi::Score score_;
  bool loaded_ = false;
  std::shared_ptr<audio::MidiOutput> out_;
  std::unique_ptr<audio::ScorePlayer> player_;
  std::vector<bool> muted_, solo_;
  double loopStart_ = 0, loopEnd_ = 0;
  void applyAudition();  // mute/solo/loop onto a freshly loaded player
};

}  // namespace harmonia::ui
