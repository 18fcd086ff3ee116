// The studio's main window: the pipeline as a sidebar of four pages, each showing its
// state, with menus, shortcuts, a status bar, themes, settings and the .harmonia project.
#pragma once

#include <QMainWindow>
#include <QStringList>

#include "ui/pages/pipeline_page.hpp"
#include "ui/theme.hpp"

class QListWidget;
class QMenu;
class QStackedWidget;

namespace harmonia::ui {

class DatasetPage;
class TokenizerPage;
class TrainingPage;
class GeneratePage;
struct Project;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  int pageCount() const;
  QString pageTitle(int index) const;
  void showPage(int index);
  int currentPage() const;
  // The sidebar text of a page (title + state), for tests.
  QString pageStatusText(int index) const;

  DatasetPage* datasetPage() const { return dataset_; }
  TokenizerPage* tokenizerPage() const { return tokenizer_; }
  TrainingPage* trainingPage() const { return training_; }
  GeneratePage* generatePage() const { return generate_; }

  Project project() const;
  void applyProject(const Project& project);
  bool saveProject(const QString& path, QString* error = nullptr);
  bool openProject(const QString& path, QString* error = nullptr);
  QString projectPath() const { return projectPath_; }
  QStringList recentProjects() const;

  void setTheme(Theme theme);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  void addRecent(const QString& path);
  void rebuildRecentMenu();
  void updateSidebar(int index);
  void showStatus(const QString& message);
  void about();

  QListWidget* steps_ = nullptr;
  QStackedWidget* pages_ = nullptr;
  DatasetPage* dataset_ = nullptr;
  TokenizerPage* tokenizer_ = nullptr;
  TrainingPage* training_ = nullptr;
  GeneratePage* generate_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  QString projectPath_;
  QStringList titles_;
};

}  // namespace harmonia::ui
