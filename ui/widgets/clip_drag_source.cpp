#include "ui/widgets/clip_drag_source.hpp"

#include <QApplication>
#include <QDrag>
#include <QMimeData>
#include <QMouseEvent>
#include <QUrl>

#include "core/midi/midi_file.hpp"

namespace harmonia::ui {

ClipDragSource::ClipDragSource(std::function<midi::Score()> clip, QWidget* parent)
    : QLabel(parent), clip_(std::move(clip)) {
  setText(tr("⇲ Drag clip as .mid"));
  setToolTip(tr("Drag this onto your DAW or a folder to get the clip as a MIDI file"));
  setFrameShape(QFrame::StyledPanel);
  setMargin(4);
  setCursor(Qt::OpenHandCursor);
}

QString ClipDragSource::writeClipFile() {
  const midi::Score score = clip_();
  if (score.note_count() == 0 || !dir_.isValid()) return {};
  const QString path = dir_.filePath(QStringLiteral("harmonia-clip-%1.mid").arg(++serial_));
  try {
    midi::write_midi_file(score, path.toStdString());
  } catch (const std::exception&) {
    return {};
  }
  return path;
}

void ClipDragSource::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) pressPos_ = event->position().toPoint();
  QLabel::mousePressEvent(event);
}

void ClipDragSource::mouseMoveEvent(QMouseEvent* event) {
  if (!(event->buttons() & Qt::LeftButton) ||
      (event->position().toPoint() - pressPos_).manhattanLength() < QApplication::startDragDistance())
    return;
  const QString path = writeClipFile();
  if (path.isEmpty()) return;
  auto* mime = new QMimeData;
  mime->setUrls({QUrl::fromLocalFile(path)});
  auto* drag = new QDrag(this);
  drag->setMimeData(mime);
  drag->exec(Qt::CopyAction);
}

}  // namespace harmonia::ui
