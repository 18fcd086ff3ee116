// Audition against the rest: one row per track of what the roll shows, with Mute and Solo
// toggles (any soloed track silences the others, as on a mixing desk). It only shows and
// reports the toggles; the Generate page hands them to the playback.
#pragma once

#include <QStringList>
#include <QWidget>
#include <vector>

#include "core/midi/score.hpp"

class QToolButton;
class QVBoxLayout;

namespace harmonia::ui {

class TrackMixer : public QWidget {
  Q_OBJECT
 public:
  explicit TrackMixer(QWidget* parent = nullptr);
  // One row per track: its name (or instrument) and note count; toggles kept when the
  // track count stays the same (a new candidate of the same piece), cleared otherwise.
  void setTracks(const midi::Score& score);
  int trackCount() const { return int(mute_.size()); }
  QToolButton* muteButton(int track) const { return mute_.at(size_t(track)); }
  QToolButton* soloButton(int track) const { return solo_.at(size_t(track)); }

 signals:
  void muteToggled(int track, bool muted);
  void soloToggled(int track, bool solo);

 private:
  QVBoxLayout* rows_;
  std::vector<QToolButton*> mute_, solo_;
  std::vector<QWidget*> rowWidgets_;
};

}  // namespace harmonia::ui
