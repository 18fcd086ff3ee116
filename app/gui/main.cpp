// `harmonia-studio`: starts the Qt application and shows the main window.
// `harmonia-studio --screenshot DIR` walks the pipeline and saves a PNG of each page.
#include <QApplication>
#include <QCommandLineParser>
#include <QStandardPaths>
#include <cstdio>

#include "core/compute/threads.hpp"
#include "ui/main_window.hpp"
#include "ui/screenshot_tour.hpp"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("Harmonia Studio");
  QApplication::setOrganizationName("Harmonia");
  QApplication::setApplicationVersion(HARMONIA_VERSION);
  QApplication::setDesktopFileName("org.harmonia.HarmoniaStudio");

  QCommandLineParser parser;
  parser.setApplicationDescription("Harmonia Studio: MIDI tokenization, training and generation");
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption screenshot("screenshot", "Save a PNG of each page into DIR, then quit.", "DIR");
  parser.addOption(screenshot);
  parser.addPositionalArgument("project", "A .harmonia project to open.", "[project]");
  parser.process(app);

  // Screenshots must not read or change the user's settings (theme, recent projects).
  if (parser.isSet(screenshot)) QStandardPaths::setTestModeEnabled(true);
  harmonia::compute::set_compute_threads(0);
  harmonia::ui::MainWindow window;
  if (parser.isSet(screenshot)) {
    QString error;
    const QStringList files = harmonia::ui::takeScreenshots(window, parser.value(screenshot), &error);
    for (const auto& f : files) std::printf("%s\n", qPrintable(f));
    if (files.isEmpty()) std::fprintf(stderr, "harmonia-studio: %s\n", qPrintable(error));
    return files.isEmpty() ? 1 : 0;
  }
  if (!parser.positionalArguments().isEmpty()) window.openProject(parser.positionalArguments().front());
  window.show();
  return app.exec();
}
