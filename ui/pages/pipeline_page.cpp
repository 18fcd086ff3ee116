#include "ui/pages/pipeline_page.hpp"

#include <QFrame>
#include <QScrollArea>

namespace harmonia::ui {

QString stepStateText(StepState state) {
  switch (state) {
    case StepState::NotStarted: return QObject::tr("not started");
    case StepState::Running: return QObject::tr("running");
    case StepState::Done: return QObject::tr("done");
    case StepState::Error: return QObject::tr("error");
    case StepState::Unavailable: return QObject::tr("not available in this build");
  }
  return {};
}

void PipelinePage::setState(StepState state, const QString& detail) {
  if (state == state_ && detail == detail_) return;
  state_ = state;
  detail_ = detail;
  emit stateChanged(state, detail);
}

QWidget* PipelinePage::sideColumn(QWidget* content) {
  auto* scroll = new QScrollArea;
  scroll->setWidget(content);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(380);
  scroll->setMaximumWidth(440);
  scroll->setFrameShape(QFrame::NoFrame);
  return scroll;
}

}  // namespace harmonia::ui
