// Dark and light palettes for the studio. One place decides colours so pages, the piano
// roll and the charts agree, and a projector-friendly base font size is applied once.
#pragma once

#include <QColor>
#include <QString>

class QApplication;

namespace harmonia::ui {

enum class Theme { Light, Dark };

// Applies Fusion with the theme's palette to the whole application.
void applyTheme(QApplication& app, Theme theme);
Theme currentTheme();
// High contrast for a projector (presentation mode): black on white in the light theme, white
// on black in the dark one, strong highlight and disabled text still readable. Takes effect
// at the next applyTheme(), and stays across theme changes.
void setHighContrast(bool on);
bool highContrast();
QString themeName(Theme theme);
Theme themeFromName(const QString& name);  // unknown names give Light

// Colour of a track index in the piano roll and chips: a fixed, distinguishable cycle.
QColor trackColor(int track);
// Velocity 1..127 as a blue-to-red ramp, readable on both themes.
QColor velocityColor(int velocity);

}  // namespace harmonia::ui
