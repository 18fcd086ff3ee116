// The View menu's classroom switches: Presentation Mode (Ctrl+Shift+P: ui/presentation.hpp)
// and Explain Each Step (Ctrl+Shift+E: a short "what happens in this step" under the title
// of each pipeline page and the Runs page, for a teacher to talk over). Both are remembered
// in the settings, so a classroom computer starts the way the teacher left it.
#pragma once

#include <QList>
#include <QObject>

class QAction;
class QLabel;
class QMenu;

namespace harmonia::ui {

class PipelinePage;

// The explanation shown on `page` ("" for a page that has none).
QString stepExplanation(const PipelinePage* page);

class ClassroomView : public QObject {
  Q_OBJECT
 public:
  // Adds the two actions to `viewMenu` and an explanation under the title of each page that
  // has one, then restores both switches from the settings.
  ClassroomView(QMenu* viewMenu, const QList<PipelinePage*>& pages, QObject* parent);

  bool presentationMode() const;
  void setPresentationMode(bool on);
  bool explanationsShown() const;
  void setExplanationsShown(bool on);
  QAction* presentationAction() const { return presentation_; }
  QAction* explanationAction() const { return explain_; }
  // The explanation labels, one per page that has one (for tests).
  QList<QLabel*> explanations() const { return labels_; }

 private:
  QAction* presentation_ = nullptr;
  QAction* explain_ = nullptr;
  QList<QLabel*> labels_;
};

}  // namespace harmonia::ui
