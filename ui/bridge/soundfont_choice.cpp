#include "ui/bridge/soundfont_choice.hpp"

#include <QSettings>

#include "core/audio/soundfont_locator.hpp"

namespace harmonia::ui {

namespace {
const char* const kKey = "soundfont";
}

QString chosenSoundFont() { return QSettings().value(kKey).toString(); }

void setChosenSoundFont(const QString& path) {
  if (path.isEmpty())
    QSettings().remove(kKey);
  else
    QSettings().setValue(kKey, path);
}

QStringList availableSoundFonts() {
  QStringList out;
  for (const auto& f : audio::list_soundfonts()) out << QString::fromStdString(f.string());
  return out;
}

QString userSoundFontFolder() { return QString::fromStdString(audio::user_soundfont_dir().string()); }

std::string resolveSoundFont(const QString& choice) { return audio::find_soundfont(choice.toStdString()).string(); }

}  // namespace harmonia::ui
