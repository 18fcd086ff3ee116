#include "ui/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

#include "core/tokenizer/tokenizer.hpp"
#include "ui/bridge/corpus_shape.hpp"
#include "ui/pages/dataset_page.hpp"
#include "ui/pages/generate_page.hpp"
#include "ui/help_guide.hpp"
#include "ui/widgets/model_choice_box.hpp"
#include "ui/widgets/soundfont_menu.hpp"
#include "ui/widgets/piano_roll_widget.hpp"
#include "ui/project_file.hpp"
#include "ui/pages/tokenizer_page.hpp"
#include "ui/pages/training_page.hpp"

void harmoniaUiInitResources();  // resources_init.cpp

namespace harmonia::ui {

namespace {

constexpr int kMaxRecent = 8;

QIcon stateIcon(StepState state) {
  QColor c;
  switch (state) {
    case StepState::NotStarted: c = QColor(150, 150, 150); break;
    case StepState::Running: c = QColor(60, 140, 230); break;
    case StepState::Done: c = QColor(60, 170, 90); break;
    case StepState::Error: c = QColor(220, 70, 60); break;
    case StepState::Unavailable: c = QColor(200, 160, 40); break;
    case StepState::Paused: c = QColor(230, 150, 40); break;
  }
  QPixmap pm(16, 16);
  pm.fill(Qt::transparent);
  QPainter p(&pm);
  p.setRenderHint(QPainter::Antialiasing);
  p.setBrush(c);
  p.setPen(c.darker(130));
  p.drawEllipse(2, 2, 12, 12);
  return QIcon(pm);
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  harmoniaUiInitResources();
  setWindowTitle(tr("Harmonia Studio"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/harmonia-studio.png")));
  setAcceptDrops(true);
  auto* central = new QWidget;
  auto* layout = new QHBoxLayout(central);
  steps_ = new QListWidget;
  steps_->setFixedWidth(260);
  steps_->setWordWrap(true);
  steps_->setIconSize(QSize(16, 16));
  steps_->setSpacing(3);
  steps_->setAccessibleName(tr("Pipeline steps"));
  pages_ = new QStackedWidget;
  layout->addWidget(steps_);
  layout->addWidget(pages_, 1);
  setCentralWidget(central);

  dataset_ = new DatasetPage;
  tokenizer_ = new TokenizerPage;
  training_ = new TrainingPage;
  generate_ = new GeneratePage;
  titles_ = {tr("1. Dataset"), tr("2. Tokenizer"), tr("3. Model & Training"), tr("4. Generate & Play")};
  PipelinePage* pages[] = {dataset_, tokenizer_, training_, generate_};
  for (int i = 0; i < 4; ++i) {
    steps_->addItem(titles_[i]);
    pages_->addWidget(pages[i]);
    connect(pages[i], &PipelinePage::stateChanged, this, [this, i] { updateSidebar(i); });
    connect(pages[i], &PipelinePage::statusMessage, this, &MainWindow::showStatus);
    updateSidebar(i);
  }
  connect(steps_, &QListWidget::currentRowChanged, pages_, &QStackedWidget::setCurrentIndex);

  // The pipeline's hand-offs: each page gets what the previous one produced.
  // Multi-track corpora default to whole-arrangement tokens (issue 15) unless the user chose.
  connect(dataset_, &DatasetPage::filesChanged, this,
          [this] { tokenizer_->suggestForCorpus(is_multi_track_corpus(dataset_->results())); });
  connect(dataset_, &DatasetPage::filesChanged, tokenizer_, &TokenizerPage::setFiles);
  // Training imports what the Dataset page imported, into the same cache (its own tokenizer's).
  connect(dataset_, &DatasetPage::filesChanged, this, [this](const QStringList& files) {
    training_->setCacheRoot(dataset_->cacheRoot());
    training_->setDataset(files, dataset_->importedInput());
  });
  auto passTokenizer = [this] {
    const auto tok = tokenizer_->tokenizer();
    // The model's embedding size: a trained tokenizer's learned vocabulary, not its base one.
    training_->setTokenizer(tokenizer_->configJson(), tok ? qint64(tok->model_vocab_size()) : 0);
  };
  connect(tokenizer_, &TokenizerPage::tokenizerChanged, this, passTokenizer);
  passTokenizer();
  // The dataset page counts tokens (and keys its cache) with the project's tokenizer.
  auto tokenizerToDataset = [this] { dataset_->setTokenizer(tokenizer_->tokenizer()); };
  connect(tokenizer_, &TokenizerPage::tokenizerChanged, this, tokenizerToDataset);
  tokenizerToDataset();
  // Any run that saved a model (finished or cancelled; one stopped by an error keeps its
  // checkpoints) becomes pickable on the Generate page, and the newest is chosen.
  connect(training_, &TrainingPage::trainingFinished, this, [this](bool, const QString& dir) {
    generate_->modelChoice()->setLiveRun({}, {});
    generate_->modelChoice()->addRun(dir, true);
  });
  // While a run trains, the picker lists it (its checkpoints can be tried) and says so.
  connect(training_, &PipelinePage::stateChanged, this, [this] {
    if (!training_->isTraining()) return;
    generate_->modelChoice()->setLiveRun(training_->runDir(), training_->isPaused() ? tr("paused") : tr("training now"));
  });

  buildMenus();

  QSettings settings;
  setTheme(themeFromName(settings.value("theme", "light").toString()));
  const QString lastFolder = settings.value("datasetFolder").toString();
  if (lastFolder.isEmpty() || !QFileInfo(lastFolder).isDir())
    dataset_->useDefaultCorpus();  // first run: the corpus is ready to import
  else
    dataset_->setFolder(lastFolder);
  // First start: 1400x900, or the whole screen where that is smaller (a 1280x720 projector).
  if (!restoreGeometry(settings.value("geometry").toByteArray()))
    resize(QSize(1400, 900).boundedTo(screen() ? screen()->availableGeometry().size() : QSize(1400, 900)));

  steps_->setCurrentRow(0);
  const QString ready = tr("Ready. Step 1: press Import to read the dataset.");
  statusBar()->showMessage(ready);
  // The hint is stale once the Dataset page has done anything.
  connect(dataset_, &PipelinePage::stateChanged, this, [this, ready] {
    if (statusBar()->currentMessage() == ready) statusBar()->clearMessage();
  });
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
  auto* file = menuBar()->addMenu(tr("&File"));
  auto* newProject = file->addAction(tr("&New Project"), this, [this] {
    projectPath_.clear();
    applyProject(Project{});
    dataset_->useDefaultCorpus();
  });
  newProject->setShortcut(QKeySequence::New);
  auto* open = file->addAction(tr("&Open Project…"), this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open project"), {}, tr("Harmonia project (*.harmonia)"));
    if (!path.isEmpty()) openProject(path);
  });
  open->setShortcut(QKeySequence::Open);
  recentMenu_ = file->addMenu(tr("Open &Recent"));
  rebuildRecentMenu();
  auto* save = file->addAction(tr("&Save Project"), this, [this] {
    QString path = projectPath_;
    if (path.isEmpty())
      path = QFileDialog::getSaveFileName(this, tr("Save project"), QStringLiteral("untitled.harmonia"),
                                          tr("Harmonia project (*.harmonia)"));
    if (!path.isEmpty()) saveProject(path);
  });
  save->setShortcut(QKeySequence::Save);
  auto* saveAs = file->addAction(tr("Save Project &As…"), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save project as"), QStringLiteral("untitled.harmonia"),
                                                      tr("Harmonia project (*.harmonia)"));
    if (!path.isEmpty()) saveProject(path);
  });
  saveAs->setShortcut(QKeySequence::SaveAs);
  file->addSeparator();
  auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  auto* view = menuBar()->addMenu(tr("&View"));
  for (int i = 0; i < 4; ++i) {
    // "3. Model & Training": in a menu a single '&' marks a mnemonic, so double it.
    auto* a = view->addAction(QString(titles_[i]).replace(QLatin1Char('&'), QLatin1String("&&")), this, [this, i] { showPage(i); });
    a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
  }
  view->addSeparator();
  auto* dark = view->addAction(tr("&Dark Theme"));
  dark->setCheckable(true);
  dark->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
  dark->setChecked(QSettings().value("theme").toString() == QLatin1String("dark"));
  connect(dark, &QAction::toggled, this, [this](bool on) { setTheme(on ? Theme::Dark : Theme::Light); });
  view->addSeparator();
  auto* zoomIn = view->addAction(tr("Zoom &In Piano Roll"), generate_->rollView()->roll(), &PianoRollWidget::zoomIn);
  zoomIn->setShortcut(QKeySequence::ZoomIn);
  auto* zoomOut = view->addAction(tr("Zoom &Out Piano Roll"), generate_->rollView()->roll(), &PianoRollWidget::zoomOut);
  zoomOut->setShortcut(QKeySequence::ZoomOut);

  auto* play = menuBar()->addMenu(tr("&Playback"));
  auto* playStop = play->addAction(tr("&Play / Stop"), generate_, &GeneratePage::togglePlay);
  playStop->setShortcut(QKeySequence(Qt::Key_Space));
  auto* gen = play->addAction(tr("&Generate"), this, [this] {
    showPage(3);
    generate_->generate();
  });
  gen->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
  play->addSeparator();
  play->addMenu(new SoundFontMenu(generate_->playback(), play));

  auto* help = menuBar()->addMenu(tr("&Help"));
  auto* guide = help->addAction(tr("Studio &Guide"), this, [this] { HelpGuide::show(this); });
  guide->setShortcut(QKeySequence::HelpContents);
  help->addAction(tr("&About Harmonia Studio"), this, &MainWindow::about);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

int MainWindow::pageCount() const { return pages_->count(); }
QString MainWindow::pageTitle(int index) const { return titles_.value(index); }
void MainWindow::showPage(int index) { steps_->setCurrentRow(index); }
int MainWindow::currentPage() const { return pages_->currentIndex(); }
QString MainWindow::pageStatusText(int index) const { return steps_->item(index)->text(); }

void MainWindow::updateSidebar(int index) {
  auto* page = qobject_cast<PipelinePage*>(pages_->widget(index));
  auto* item = steps_->item(index);
  if (!page || !item) return;
  const QString detail = page->stateDetail();
  QString text = titles_[index] + QStringLiteral("\n   ") + stepStateText(page->state());
  if (!detail.isEmpty() && page->state() != StepState::Unavailable) text += QStringLiteral(": ") + detail;
  item->setText(text);
  item->setIcon(stateIcon(page->state()));
  item->setToolTip(detail);
}

void MainWindow::showStatus(const QString& message) { statusBar()->showMessage(message, 15000); }

void MainWindow::setTheme(Theme theme) {
  applyTheme(*qApp, theme);
  QSettings().setValue("theme", themeName(theme));
}

Project MainWindow::project() const {
  Project p;
  p.datasetFolder = dataset_->isDefaultCorpus() ? QString() : dataset_->folder();
  const QString tok = tokenizer_->configJson();
  p.tokenizerJson = tok;
  // Every run the Generate page lists (the Training page's current one among them).
  p.runs = generate_->modelChoice()->runs();
  if (!training_->runDir().isEmpty() && !p.runs.contains(training_->runDir())) p.runs << training_->runDir();
  p.settings["scheme"] = tokenizer_->schemeName();
  p.settings["promptBars"] = generate_->promptBars();
  // Which model Generate used: reopening the project must not swap the starter for the run.
  // "starter", "run:DIR", "checkpoint:DIR" or "folder:DIR" (ModelChoiceBox::choiceValue).
  p.settings["model"] = generate_->modelChoice()->choiceValue();
  p.settings["page"] = currentPage();
  return p;
}

void MainWindow::applyProject(const Project& p) {
  if (p.datasetFolder.isEmpty())
    dataset_->useDefaultCorpus();
  else
    dataset_->setFolder(p.datasetFolder);
  if (!p.tokenizerJson.isEmpty()) {
    // The tokenizer page loads tokenizer.json from a file; hand it one.
    const QString tmp = QDir::temp().filePath(QStringLiteral("harmonia-project-tokenizer-%1.json").arg(qApp->applicationPid()));
    QFile f(tmp);
    if (f.open(QIODevice::WriteOnly)) {
      f.write(p.tokenizerJson.toUtf8());
      f.close();
      QString error;
      if (!tokenizer_->loadTokenizerFile(tmp, &error)) showStatus(tr("The project's tokenizer is invalid: %1").arg(error));
      QFile::remove(tmp);
    }
  } else if (p.settings.contains("scheme")) {
    tokenizer_->selectScheme(p.settings.value("scheme").toString());
  }
  generate_->modelChoice()->setRuns(p.runs);
  if (!p.runs.isEmpty()) generate_->modelChoice()->addRun(p.runs.back(), true);
  // After the runs, the newest of which would otherwise be chosen. A project from before the
  // choice existed records none and keeps what the page chose; older projects' "starter" and
  // "trained" still load.
  const QString model = p.settings.value("model").toString();
  QString why;
  if (!model.isEmpty() && !generate_->modelChoice()->setChoiceValue(model, &why))
    showStatus(tr("This project generated with a model that cannot be used here (%1); the Generate page uses "
                  "%2 instead.")
                   .arg(why, generate_->modelChoice()->choiceText()));
  if (p.settings.contains("promptBars")) generate_->setPromptBars(p.settings.value("promptBars").toInt());
  showPage(p.settings.value("page").toInt(0));
}

bool MainWindow::saveProject(const QString& path, QString* error) {
  QString err;
  if (!project().save(path, &err)) {
    showStatus(tr("Could not save %1: %2. Choose a folder you can write to.").arg(path, err));
    if (error) *error = err;
    return false;
  }
  projectPath_ = path;
  addRecent(path);
  setWindowTitle(tr("%1 — Harmonia Studio").arg(QFileInfo(path).fileName()));
  showStatus(tr("Saved %1").arg(path));
  return true;
}

bool MainWindow::openProject(const QString& path, QString* error) {
  Project p;
  QString err;
  if (!Project::load(path, &p, &err)) {
    showStatus(tr("Could not open %1: %2. Choose a .harmonia file saved by Harmonia Studio.").arg(path, err));
    if (error) *error = err;
    return false;
  }
  applyProject(p);
  projectPath_ = path;
  addRecent(path);
  setWindowTitle(tr("%1 — Harmonia Studio").arg(QFileInfo(path).fileName()));
  showStatus(tr("Opened %1").arg(path));
  return true;
}

QStringList MainWindow::recentProjects() const { return QSettings().value("recentProjects").toStringList(); }

void MainWindow::addRecent(const QString& path) {
  QStringList recent = recentProjects();
  const QString abs = QFileInfo(path).absoluteFilePath();
  recent.removeAll(abs);
  recent.prepend(abs);
  while (recent.size() > kMaxRecent) recent.removeLast();
  QSettings().setValue("recentProjects", recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = recentProjects();
  for (const auto& path : recent) recentMenu_->addAction(path, this, [this, path] { openProject(path); });
  recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::about() {
  QMessageBox::about(this, tr("About Harmonia Studio"),
                     tr("<h3>Harmonia Studio %1</h3><p>Turn MIDI files into tokens, train a small music language "
                        "model on your own computer, and generate new music in a piano roll.</p>"
                        "<p>Built with Qt %2, LibTorch, FluidSynth and QCustomPlot.</p>")
                         .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (urls.isEmpty() || !urls.front().isLocalFile()) return;
  const QFileInfo info(urls.front().toLocalFile());
  if (info.isDir()) {
    // A dropped folder becomes the dataset.
    dataset_->setFolder(info.absoluteFilePath());
    showPage(0);
    showStatus(tr("Dataset folder set to %1: press Import.").arg(info.absoluteFilePath()));
  } else if (info.suffix().compare(QLatin1String("harmonia"), Qt::CaseInsensitive) == 0) {
    openProject(info.absoluteFilePath());
  } else {
    showPage(3);
    generate_->openPrompt(info.absoluteFilePath());
  }
  event->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent* event) {
  QSettings settings;
  settings.setValue("geometry", saveGeometry());
  if (!dataset_->isDefaultCorpus()) settings.setValue("datasetFolder", dataset_->folder());
  QMainWindow::closeEvent(event);
}

}  // namespace harmonia::ui
