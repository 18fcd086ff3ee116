#include "ui/theme.hpp"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

namespace harmonia::ui {

namespace {
Theme g_theme = Theme::Light;
bool g_highContrast = false;

// A projector washes out greys: text and lines go to the extremes.
void raiseContrast(QPalette& p, Theme theme) {
  const bool dark = theme == Theme::Dark;
  const QColor ink = dark ? Qt::white : Qt::black, paper = dark ? Qt::black : Qt::white;
  for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText, QPalette::ToolTipText})
    p.setColor(role, ink);
  p.setColor(QPalette::Window, dark ? QColor(20, 20, 20) : QColor(250, 250, 250));
  p.setColor(QPalette::Base, paper);
  p.setColor(QPalette::AlternateBase, dark ? QColor(40, 40, 40) : QColor(235, 235, 235));
  p.setColor(QPalette::Button, dark ? QColor(35, 35, 35) : QColor(240, 240, 240));
  p.setColor(QPalette::ToolTipBase, paper);
  p.setColor(QPalette::Highlight, dark ? QColor(255, 200, 0) : QColor(0, 70, 200));
  p.setColor(QPalette::HighlightedText, dark ? Qt::black : Qt::white);
  p.setColor(QPalette::PlaceholderText, dark ? QColor(190, 190, 190) : QColor(80, 80, 80));
  const QColor disabled = dark ? QColor(150, 150, 150) : QColor(100, 100, 100);
  for (auto role : {QPalette::Text, QPalette::ButtonText, QPalette::WindowText}) p.setColor(QPalette::Disabled, role, disabled);
}
}  // namespace

void setHighContrast(bool on) { g_highContrast = on; }
bool highContrast() { return g_highContrast; }

void applyTheme(QApplication& app, Theme theme) {
  g_theme = theme;
  app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  QPalette p;
  if (theme == Theme::Dark) {
    const QColor window(45, 47, 52), base(30, 31, 35), text(230, 232, 236), accent(76, 145, 230);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Link, accent.lighter(130));
    p.setColor(QPalette::Highlight, accent);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(150, 152, 158));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(120, 122, 128));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(120, 122, 128));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(120, 122, 128));
  } else {
    p = app.style()->standardPalette();
    p.setColor(QPalette::Highlight, QColor(40, 110, 200));
  }
  if (g_highContrast) raiseContrast(p, theme);
  app.setPalette(p);
}

Theme currentTheme() { return g_theme; }

QString themeName(Theme theme) { return theme == Theme::Dark ? QStringLiteral("dark") : QStringLiteral("light"); }

Theme themeFromName(const QString& name) {
  return name.compare(QStringLiteral("dark"), Qt::CaseInsensitive) == 0 ? Theme::Dark : Theme::Light;
}

QColor trackColor(int track) {
  // Hues spaced by the golden angle stay distinct for many tracks.
  const int hue = int((track < 0 ? 0 : track) * 137.508) % 360;
  return QColor::fromHsv(hue, 170, 225);
}

QColor velocityColor(int velocity) {
  const double t = qBound(0.0, (velocity - 1) / 126.0, 1.0);
  return QColor::fromHsv(int(220 - 220 * t), 190, 230);
}

}  // namespace harmonia::ui
