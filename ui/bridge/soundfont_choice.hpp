// The SoundFont the studio plays and renders with: the user's choice, remembered in
// QSettings ("soundfont"; "" = automatic, the first font core/audio's search finds).
#pragma once

#include <QString>
#include <QStringList>

namespace harmonia::ui {

QString chosenSoundFont();
void setChosenSoundFont(const QString& path);

// Every SoundFont found (audio::list_soundfonts): the soundfonts/ folders, then the system's.
QStringList availableSoundFonts();
// The user's own folder (~/.local/share/harmonia/soundfonts), where "Add…" copies to.
QString userSoundFontFolder();

// The file render and play use for `choice` ("" = automatic). Throws audio::SoundFontError
// (naming the file and the problem, or where it looked) like the CLI's --soundfont.
std::string resolveSoundFont(const QString& choice);

}  // namespace harmonia::ui
