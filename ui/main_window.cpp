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
#include <QJsonArray>
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
#include "ui/pages/inside_model_page.hpp"
#include "ui/help_guide.hpp"
#include "ui/widgets/model_choice_box.hpp"
#include "ui/widgets/soundfont_menu.hpp"
#include "ui/widgets/piano_roll_widget.hpp"
#include "ui/project_file.hpp"
#include "ui/project_state.hpp"
#include "ui/pages/tokenizer_page.hpp"
#include "ui/pages/training_page.hpp"
#include "ui/pages/runs_page.hpp"
#include "ui/classroom_view.hpp"

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
  // Not a step of the pipeline: the project's runs side by side, after the four steps.
  runs_ = new RunsPage;
  titles_ << tr("Compare runs");
  steps_->addItem(titles_.back());
  pages_->addWidget(runs_);
  const int runsIndex = pages_->indexOf(runs_);
  connect(runs_, &PipelinePage::stateChanged, this, [this, runsIndex] { updateSidebar(runsIndex); });
  connect(runs_, &PipelinePage::statusMessage, this, &MainWindow::showStatus);
  updateSidebar(runsIndex);
  // Nor is this: what the model does with the music (attention, embeddings), issue 17.
  inside_ = new InsideModelPage(generate_);
  titles_ << tr("Inside the model");
  steps_->addItem(titles_.back());
  pages_->addWidget(inside_);
  const int insideIndex = pages_->indexOf(inside_);
  connect(inside_, &PipelinePage::stateChanged, this, [this, insideIndex] { updateSidebar(insideIndex); });
  connect(inside_, &PipelinePage::statusMessage, this, &MainWindow::showStatus);
  updateSidebar(insideIndex);
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
    runs_->addRuns(dir);
  });
  // While a run trains, the picker lists it (its checkpoints can be tried) and says so.
  connect(training_, &PipelinePage::stateChanged, this, [this] {
    if (!training_->isTraining()) return;
    generate_->modelChoice()->setLiveRun(training_->runDir(), training_->isPaused() ? tr("paused") : tr("training now"));
    // The Runs page charts the live run too (once its folder holds run.json).
    const QString live = QDir::cleanPath(training_->runDir());
    if (!training_->runDir().isEmpty() && !runs_->runs().contains(live)) runs_->addRuns(live);
  });

  buildMenus();
  defaultTraining_ = training_->spec();
  defaultSampling_ = generate_->samplingSettings();
  defaultPromptBars_ = generate_->promptBars();

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
  auto* newProject = file->addAction(tr("&New Project"), this, [this] { this->newProject(); });
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
  for (int i = 0; i < titles_.size(); ++i) {
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
  classroom_ = new ClassroomView(view, {dataset_, tokenizer_, training_, generate_, runs_}, this);

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
  for (const QString& run : runs_->runs())  // and those added on the Runs page
    if (!p.runs.contains(run)) p.runs << run;
  p.datasetImported = !dataset_->usableFiles().isEmpty();
  p.training = trainingSettingsToJson(training_->spec());
  // The Generate page: sampling, and the music itself as MIDI inside the project.
  const GeneratePage::Session session = generate_->session();
  QJsonObject gen{{"sampling", samplingToJson(generate_->samplingSettings())}};
  if (session.prompt.note_count())
    gen["prompt"] = QJsonObject{{"name", session.promptName},
                                {"end", double(session.promptEnd)},
                                {"midi", scoreToBase64Midi(session.prompt)}};
  QJsonArray candidates;
  for (const auto& c : session.candidates) candidates.append(QJsonObject{{"midi", scoreToBase64Midi(c)}});
  if (!candidates.isEmpty()) gen["candidates"] = candidates;
  gen["selected"] = session.selected;
  if (session.shown.note_count())
    gen["shown"] = QJsonObject{{"promptEnd", double(session.shownPromptEnd)}, {"midi", scoreToBase64Midi(session.shown)}};
  p.generate = gen;
  p.settings["scheme"] = tokenizer_->schemeName();
  p.settings["promptBars"] = generate_->promptBars();
  // Which model Generate used: reopening the project must not swap the starter for the run.
  // "starter", "run:DIR", "checkpoint:DIR" or "folder:DIR" (ModelChoiceBox::choiceValue).
  p.settings["model"] = generate_->modelChoice()->choiceValue();
  p.settings["page"] = currentPage();
  return p;
}

QString MainWindow::applyProject(const Project& p) {
  if (p.datasetFolder.isEmpty())
    dataset_->useDefaultCorpus();
  else
    dataset_->setFolder(p.datasetFolder);
  QStringList problems;  // said once, after everything that could be restored is
  if (!p.tokenizerJson.isEmpty()) {
    QString error;
    if (!tokenizer_->loadTokenizerJson(p.tokenizerJson, {}, &error)) problems << tr("its tokenizer is invalid (%1)").arg(error);
  } else if (p.settings.contains("scheme")) {
    tokenizer_->selectScheme(p.settings.value("scheme").toString());
  }
  generate_->modelChoice()->setRuns(p.runs);
  runs_->setRuns(p.runs);
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
  training_->setHyperparameters(trainingSettingsFromJson(p.training, defaultTraining_));
  if (!p.runs.isEmpty()) {
    // The last run's whole chart and checkpoints, from its folder.
    QString error;
    if (!training_->openRun(p.runs.back(), &error)) problems << tr("its run cannot be shown (%1)").arg(error);
  }
  generate_->setSamplingSettings(samplingFromJson(p.generate.value("sampling").toObject(), defaultSampling_));
  try {
    GeneratePage::Session s;
    const QJsonObject prompt = p.generate.value("prompt").toObject();
    if (!prompt.isEmpty()) {
      s.prompt = scoreFromBase64Midi(prompt.value("midi").toString(), tr("the prompt"));
      s.promptName = prompt.value("name").toString();
      s.promptEnd = midi::Tick(prompt.value("end").toDouble());
    }
    const QJsonArray candidates = p.generate.value("candidates").toArray();
    for (int i = 0; i < candidates.size(); ++i)
      s.candidates.push_back(
          scoreFromBase64Midi(candidates[i].toObject().value("midi").toString(), tr("candidate %1").arg(i + 1)));
    s.selected = p.generate.value("selected").toInt(-1);
    const QJsonObject shown = p.generate.value("shown").toObject();
    if (!shown.isEmpty()) {
      s.shown = scoreFromBase64Midi(shown.value("midi").toString(), tr("the piano roll's music"));
      s.shownPromptEnd = midi::Tick(shown.value("promptEnd").toDouble());
    } else if (s.selected >= 0 && size_t(s.selected) < s.candidates.size()) {
      s.shown = s.candidates[size_t(s.selected)];
      s.shownPromptEnd = s.promptEnd;
    } else {
      s.shown = s.prompt;
      s.shownPromptEnd = s.promptEnd;
    }
    generate_->restoreSession(s);
  } catch (const std::exception& e) {
    problems << tr("its music cannot be read (%1)").arg(QString::fromUtf8(e.what()));
  }
  // An imported dataset is imported again: the token cache's quick index answers at once
  // when nothing changed, and Training's Start is ready as it was.
  if (p.datasetImported) dataset_->startImport();
  showPage(p.settings.value("page").toInt(0));
  return problems.isEmpty() ? QString() : tr("part of it was not restored: %1.").arg(problems.join(QStringLiteral("; ")));
}

QString MainWindow::busyReason() const {
  if (dataset_->isRunning()) return tr("an import is running (Cancel it on page 1)");
  if (training_->isTraining()) return tr("a training run is running (Cancel it on page 3)");
  if (generate_->isGenerating()) return tr("a generation is running (Cancel it on page 4)");
  return {};
}

void MainWindow::resetPages() {
  dataset_->clearImport();
  dataset_->useDefaultCorpus();
  tokenizer_->resetToDefaults();
  training_->clearRun();
  training_->setHyperparameters(defaultTraining_);
  generate_->modelChoice()->setRuns({});
  runs_->setRuns({});
  generate_->setPromptBars(defaultPromptBars_);
  generate_->setSamplingSettings(defaultSampling_);
  generate_->restoreSession({});
}

bool MainWindow::newProject(QString* error) {
  if (const QString busy = busyReason(); !busy.isEmpty()) {
    showStatus(tr("Cannot start a new project while %1.").arg(busy));
    if (error) *error = busy;
    return false;
  }
  resetPages();
  projectPath_.clear();
  setWindowTitle(tr("Harmonia Studio"));
  showPage(0);
  showStatus(tr("New project. Step 1: press Import to read the dataset."));
  return true;
}

bool MainWindow::saveProject(const QString& path, QString* error) {
  QString err;
  if (!project().save(path, &err)) {
    // An error stays on the page in view (its banner), not in the status bar that forgets it.
    if (auto* page = qobject_cast<PipelinePage*>(pages_->currentWidget()))
      page->showError(tr("Could not save %1: %2. Free some disk space or choose another folder.").arg(path, err));
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
    if (auto* page = qobject_cast<PipelinePage*>(pages_->currentWidget()))
      page->showError(tr("Could not open %1: %2. Choose a .harmonia file saved by Harmonia Studio.").arg(path, err));
    if (error) *error = err;
    return false;
  }
  if (const QString busy = busyReason(); !busy.isEmpty()) {
    showStatus(tr("Cannot open %1 while %2.").arg(path, busy));
    if (error) *error = busy;
    return false;
  }
  // What the project does not mention starts as in a new project, not as the last one left it.
  resetPages();
  const QString problems = applyProject(p);
  projectPath_ = path;
  addRecent(path);
  setWindowTitle(tr("%1 — Harmonia Studio").arg(QFileInfo(path).fileName()));
  showStatus(problems.isEmpty() ? tr("Opened %1").arg(path) : tr("Opened %1, but %2").arg(path, problems));
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
