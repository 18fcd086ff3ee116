// `harmonia-studio`: starts the Qt application and shows the main window.
#include <QApplication>

#include "core/compute/threads.hpp"
#include "ui/main_window.hpp"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("Harmonia Studio");
  QApplication::setOrganizationName("Harmonia");
  harmonia::compute::set_compute_threads(0);
  harmonia::ui::MainWindow window;
  window.show();
  return app.exec();
}
