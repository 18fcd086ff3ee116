// Playback › SoundFont: every SoundFont found (listed afresh each time the menu opens, so a
// file just copied into a soundfonts/ folder appears), "Automatic", a file of one's own, and
// the folder to put fonts in. The choice is remembered and handed to the playback controller;
// WAV export reads the same choice from it.
#pragma once

#include <QMenu>

namespace harmonia::ui {

class PlaybackController;

class SoundFontMenu : public QMenu {
  Q_OBJECT
 public:
  explicit SoundFontMenu(PlaybackController* playback, QWidget* parent = nullptr);

  // Makes `path` ("" = automatic) the studio's SoundFont: settings and playback.
  void choose(const QString& path);
  // Lists the fonts again (done on every opening).
  void rebuild();

 private:
  PlaybackController* playback_;
};

}  // namespace harmonia::ui
