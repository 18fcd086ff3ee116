#include "ui/widgets/track_mixer.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/midi/gm_programs.hpp"

namespace harmonia::ui {

TrackMixer::TrackMixer(QWidget* parent) : QWidget(parent) {
  rows_ = new QVBoxLayout(this);
  rows_->setContentsMargins(0, 0, 0, 0);
  rows_->setSpacing(2);
  setTracks({});
}

void TrackMixer::setTracks(const midi::Score& score) {
  const bool same = score.tracks.size() == mute_.size() && !mute_.empty();
  std::vector<bool> muted, soloed;
  for (auto* b : mute_) muted.push_back(b->isChecked());
  for (auto* b : solo_) soloed.push_back(b->isChecked());
  for (auto* w : rowWidgets_) delete w;
  rowWidgets_.clear();
  mute_.clear();
  solo_.clear();
  if (score.tracks.empty()) {
    auto* none = new QLabel(tr("No tracks yet: open, record or generate music."));
    none->setWordWrap(true);
    rows_->addWidget(none);
    rowWidgets_.push_back(none);
    return;
  }
  for (size_t i = 0; i < score.tracks.size(); ++i) {
    const auto& t = score.tracks[i];
    auto* row = new QWidget;
    auto* h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    const QString instrument = QString::fromStdString(midi::gm_program_name(t.is_drum ? -1 : t.program));
    const QString name = t.name.empty() ? instrument : QString::fromStdString(t.name);
    auto* label = new QLabel(tr("%1 · %2 notes").arg(name).arg(t.notes.size()));
    label->setToolTip(tr("Track %1: %2 (%3)").arg(i + 1).arg(name, instrument));
    label->setWordWrap(true);
    auto* mute = new QToolButton;
    mute->setText(tr("M"));
    mute->setCheckable(true);
    mute->setToolTip(tr("Mute this track"));
    mute->setAccessibleName(tr("Mute %1").arg(name));
    auto* solo = new QToolButton;
    solo->setText(tr("S"));
    solo->setCheckable(true);
    solo->setToolTip(tr("Solo: hear only the soloed tracks"));
    solo->setAccessibleName(tr("Solo %1").arg(name));
    if (same) {
      mute->setChecked(muted[i]);
      solo->setChecked(soloed[i]);
    }
    h->addWidget(mute);
    h->addWidget(solo);
    h->addWidget(label, 1);
    const int track = int(i);
    connect(mute, &QToolButton::toggled, this, [this, track](bool on) { emit muteToggled(track, on); });
    connect(solo, &QToolButton::toggled, this, [this, track](bool on) { emit soloToggled(track, on); });
    rows_->addWidget(row);
    rowWidgets_.push_back(row);
    mute_.push_back(mute);
    solo_.push_back(solo);
  }
}

}  // namespace harmonia::ui
