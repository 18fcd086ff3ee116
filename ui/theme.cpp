#include "ui/theme.hpp"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

namespace harmonia::ui {

namespace {
Theme g_theme = Theme::Light;
}

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
