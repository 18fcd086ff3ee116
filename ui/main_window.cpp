#include "ui/main_window.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

#include "core/data/default_corpus.hpp"

namespace harmonia::ui {

namespace {

QWidget* makePlaceholderPage(const QString& title, const QString& text) {
  auto* page = new QWidget;
  auto* layout = new QVBoxLayout(page);
  auto* heading = new QLabel(QStringLiteral("<h2>%1</h2>").arg(title));
  auto* body = new QLabel(text);
  body->setWordWrap(true);
  layout->addWidget(heading);
  layout->addWidget(body);
  layout->addStretch();
  return page;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("Harmonia Studio"));
  auto* central = new QWidget;
  auto* layout = new QHBoxLayout(central);
  steps_ = new QListWidget;
  steps_->setFixedWidth(220);
  pages_ = new QStackedWidget;
  layout->addWidget(steps_);
  layout->addWidget(pages_, 1);
  setCentralWidget(central);

  const auto corpus = data::default_corpus_files();
  const QString corpusText =
      corpus.empty() ? tr("No default corpus installed: install the Debian packages openttd-openmsx and "
                          "planetblupi-music-midi, or choose a folder of MIDI files.")
                     : tr("Default corpus: %1 MIDI files from Debian's openttd-openmsx and planetblupi-music-midi.")
                           .arg(corpus.size());
  const struct {
    QString title;
    QString text;
  } steps[] = {
      {tr("1. Dataset"), corpusText},
      {tr("2. Tokenizer"), tr("Choose how MIDI becomes tokens: REMI, TSD, MIDILike, CPWord or Octuple.")},
      {tr("3. Model & Training"), tr("Pick a model preset and train it with a live loss plot.")},
      {tr("4. Generate & Play"), tr("Generate new music in the piano roll and listen to it.")},
  };
  for (const auto& s : steps) {
    steps_->addItem(s.title);
    pages_->addWidget(makePlaceholderPage(s.title, s.text));
  }
  connect(steps_, &QListWidget::currentRowChanged, pages_, &QStackedWidget::setCurrentIndex);
  steps_->setCurrentRow(0);
  statusBar()->showMessage(tr("Ready"));
  resize(1100, 700);
}

int MainWindow::pageCount() const { return pages_->count(); }
QString MainWindow::pageTitle(int index) const { return steps_->item(index)->text(); }
void MainWindow::showPage(int index) { steps_->setCurrentRow(index); }
int MainWindow::currentPage() const { return pages_->currentIndex(); }

}  // namespace harmonia::ui
