// The studio's main window: the pipeline as a sidebar of four pages, each showing its
// state, with menus, shortcuts, a status bar, themes, settings and the .harmonia project.
#pragma once

#include <QMainWindow>
#include <QStringList>

#include "ui/bridge/generation_backend.hpp"
#include "ui/bridge/training_backend.hpp"
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
class InsideModelPage;
class RunsPage;
class ClassroomView;
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
  InsideModelPage* insideModelPage() const { return inside_; }
  RunsPage* runsPage() const { return runs_; }
  // Presentation mode and the steps' explanations (View menu).
  ClassroomView* classroom() const { return classroom_; }

  Project project() const;
  // Returns what could not be restored ("" when everything was), in words for the user.
  QString applyProject(const Project& project);
  bool saveProject(const QString& path, QString* error = nullptr);
  bool openProject(const QString& path, QString* error = nullptr);
  // File › New Project: every page back to how the studio starts, no project file, plain
  // title. Refused (false, with the reason in `error` and the status bar) while an import,
  // a training run or a generation is running.
  bool newProject(QString* error = nullptr);
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
  // Empties every page (the dataset's import, the tokenizer, the run and its charts, the
  // prompt and candidates) and resets the settings to the studio's defaults.
  void resetPages();
  // Why the pages cannot be reset now ("" = they can): work that is still running.
  QString busyReason() const;

  QListWidget* steps_ = nullptr;
  QStackedWidget* pages_ = nullptr;
  DatasetPage* dataset_ = nullptr;
  TokenizerPage* tokenizer_ = nullptr;
  TrainingPage* training_ = nullptr;
  GeneratePage* generate_ = nullptr;
  InsideModelPage* inside_ = nullptr;
  RunsPage* runs_ = nullptr;
  ClassroomView* classroom_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  QString projectPath_;
  QStringList titles_;
  // The pages' settings as the studio starts, what New Project goes back to.
  TrainingSpec defaultTraining_;
  SamplingSettings defaultSampling_;
  int defaultPromptBars_ = 0;
};

}  // namespace harmonia::ui
