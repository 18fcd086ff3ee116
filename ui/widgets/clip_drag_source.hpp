// A handle the user drags out of the studio onto a DAW or file manager: it writes the
// current clip to a temporary .mid file and drags that file's URL.
#pragma once

#include <QLabel>
#include <QPoint>
#include <QTemporaryDir>
#include <functional>

#include "core/midi/score.hpp"

namespace harmonia::ui {

class ClipDragSource : public QLabel {
  Q_OBJECT
 public:
  // `clip` is asked for the Score at drag time, so the drag always carries what is shown.
  explicit ClipDragSource(std::function<midi::Score()> clip, QWidget* parent = nullptr);
  // Writes the clip to a fresh temporary .mid file and returns its path ("" when empty).
  QString writeClipFile();

 protected:
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;

 private:
  std::function<midi::Score()> clip_;
  QTemporaryDir dir_;
  QPoint pressPos_;
  int serial_ = 0;
};

}  // namespace harmonia::ui
