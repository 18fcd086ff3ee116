#include "ui/widgets/soundfont_menu.hpp"

#include <QActionGroup>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QUrl>

#include "ui/bridge/playback_controller.hpp"
#include "ui/bridge/soundfont_choice.hpp"

namespace harmonia::ui {

SoundFontMenu::SoundFontMenu(PlaybackController* playback, QWidget* parent)
    : QMenu(tr("&SoundFont"), parent), playback_(playback) {
  setToolTipsVisible(true);
  connect(this, &QMenu::aboutToShow, this, &SoundFontMenu::rebuild);
  rebuild();  // so that the actions exist before the first opening (keyboard, tests)
}

void SoundFontMenu::choose(const QString& path) {
  setChosenSoundFont(path);
  if (playback_) playback_->setSoundFont(path);
  rebuild();
}

void SoundFontMenu::rebuild() {
  clear();
  const QString chosen = chosenSoundFont();
  const QStringList fonts = availableSoundFonts();
  auto* group = new QActionGroup(this);
  auto* automatic = addAction(fonts.isEmpty() ? tr("Automatic (none found)")
                                              : tr("Automatic (%1)").arg(QFileInfo(fonts.front()).fileName()));
  automatic->setToolTip(tr("The first SoundFont found: the soundfonts/ folders, then the system's"));
  automatic->setCheckable(true);
  automatic->setChecked(chosen.isEmpty());
  group->addAction(automatic);
  connect(automatic, &QAction::triggered, this, [this] { choose({}); });
  addSeparator();
  QStringList listed = fonts;
  if (!chosen.isEmpty() && !listed.contains(chosen)) listed << chosen;  // a file of one's own, or gone
  for (const QString& f : listed) {
    const bool missing = !QFileInfo::exists(f);
    const QFileInfo info(f);
    QString label = info.fileName();
    // Debian's default-GM.sf2 is a link to whichever GM font is installed: say which.
    if (info.isSymLink()) label = tr("%1 (%2)").arg(label, QFileInfo(info.canonicalFilePath()).fileName());
    auto* a = addAction(missing ? tr("%1 (missing)").arg(info.fileName()) : label);
    a->setToolTip(f);
    a->setData(f);
    a->setCheckable(true);
    a->setChecked(f == chosen);
    group->addAction(a);
    connect(a, &QAction::triggered, this, [this, f] { choose(f); });
  }
  addSeparator();
  addAction(tr("Choose a File…"), this, [this] {
    const QString f = QFileDialog::getOpenFileName(parentWidget(), tr("Choose a SoundFont"), userSoundFontFolder(),
                                                   tr("SoundFonts (*.sf2 *.sf3)"));
    if (!f.isEmpty()) choose(f);
  });
  const QString folder = userSoundFontFolder();
  if (!folder.isEmpty()) {
    auto* open = addAction(tr("Open My SoundFonts Folder"), this, [folder] {
      QDir().mkpath(folder);
      QDesktopServices::openUrl(QUrl::fromLocalFile(folder));
    });
    open->setToolTip(tr("%1: fonts put there are listed here").arg(folder));
  }
}

}  // namespace harmonia::ui
