#include "ui/classroom_view.hpp"

#include <QAction>
#include <QApplication>
#include <QBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSettings>

#include "ui/pages/pipeline_page.hpp"
#include "ui/presentation.hpp"

namespace harmonia::ui {

QString stepExplanation(const PipelinePage* page) {
  // Keyed by the page's class: the pages need not know about the classroom.
  const QByteArray cls = page->metaObject()->className();
  if (cls.endsWith("DatasetPage"))
    return QObject::tr("The studio reads every MIDI file in the folder: its notes, their timing and instruments. "
                       "Each piece becomes a list of tokens (step 2). Broken files and copies are set aside: "
                       "the model learns only from what is kept here.");
  if (cls.endsWith("TokenizerPage"))
    return QObject::tr("A language model reads words, so music is first written as \"words\": tokens. Each note "
                       "becomes a few of them: when it starts, its pitch, how loud, how long. Hover a chip to see "
                       "its note. A trained tokenizer (BPE) merges frequent groups into one token.");
  if (cls.endsWith("TrainingPage"))
    return QObject::tr("The model guesses each next token of the pieces. The loss says how surprised it was "
                       "(lower is better); each step nudges its weights to be less surprised. Validation loss is "
                       "measured on pieces it never trains on: if only the training loss falls, it memorises.");
  if (cls.endsWith("GeneratePage"))
    return QObject::tr("The model writes one token at a time: it gives every possible next token a probability, "
                       "one is drawn (temperature and top-p reshape the odds), and the model is asked again. "
                       "The tokens become the notes you see.");
  if (cls.endsWith("RunsPage"))
    return QObject::tr("Each run is one training with its own settings. The curve that falls lowest, and soonest, "
                       "learned best. Against tokens seen, runs with different batch sizes compare fairly.");
  return {};
}

ClassroomView::ClassroomView(QMenu* viewMenu, const QList<PipelinePage*>& pages, QObject* parent) : QObject(parent) {
  for (PipelinePage* page : pages) {
    const QString text = stepExplanation(page);
    auto* box = qobject_cast<QBoxLayout*>(page->layout());
    if (text.isEmpty() || !box) continue;
    auto* label = new QLabel(tr("<b>What happens in this step:</b> %1").arg(text.toHtmlEscaped()));
    label->setObjectName(QStringLiteral("stepExplanation"));
    label->setWordWrap(true);
    label->setFrameShape(QFrame::StyledPanel);
    label->setMargin(6);
    label->setAutoFillBackground(true);
    label->setBackgroundRole(QPalette::AlternateBase);
    label->setVisible(false);
    box->insertWidget(std::min(1, box->count()), label);  // under the page's title
    labels_ << label;
  }

  viewMenu->addSeparator();
  presentation_ = viewMenu->addAction(tr("&Presentation Mode"));
  presentation_->setCheckable(true);
  presentation_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
  presentation_->setToolTip(tr("Large text, thick chart lines and high contrast for a projector"));
  connect(presentation_, &QAction::toggled, this, &ClassroomView::setPresentationMode);
  explain_ = viewMenu->addAction(tr("&Explain Each Step"));
  explain_->setCheckable(true);
  explain_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
  connect(explain_, &QAction::toggled, this, &ClassroomView::setExplanationsShown);

  QSettings settings;
  setExplanationsShown(settings.value(QStringLiteral("stepExplanations"), false).toBool());
  setPresentationMode(settings.value(QStringLiteral("presentationMode"), false).toBool());
}

bool ClassroomView::presentationMode() const { return harmonia::ui::presentationMode(); }

void ClassroomView::setPresentationMode(bool on) {
  harmonia::ui::setPresentationMode(*qApp, on);
  if (presentation_->isChecked() != on) presentation_->setChecked(on);
  QSettings().setValue(QStringLiteral("presentationMode"), on);
}

bool ClassroomView::explanationsShown() const { return explain_->isChecked(); }

void ClassroomView::setExplanationsShown(bool on) {
  if (explain_->isChecked() != on) explain_->setChecked(on);
  for (auto* label : labels_) label->setVisible(on);
  QSettings().setValue(QStringLiteral("stepExplanations"), on);
}

}  // namespace harmonia::ui
