#include "ui/pages/pipeline_page.hpp"

#include <QBoxLayout>
#include <QChildEvent>
#include <QComboBox>
#include <algorithm>
#include <QFrame>
#include <QScrollArea>
#include <QToolBar>

#include "ui/widgets/message_banner.hpp"

namespace harmonia::ui {

QString stepStateText(StepState state) {
  switch (state) {
    case StepState::NotStarted: return QObject::tr("not started");
    case StepState::Running: return QObject::tr("running");
    case StepState::Done: return QObject::tr("done");
    case StepState::Error: return QObject::tr("error");
    case StepState::Unavailable: return QObject::tr("not available in this build");
    case StepState::Paused: return QObject::tr("paused");
  }
  return {};
}

void PipelinePage::setState(StepState state, const QString& detail) {
  // Something new started: an earlier error no longer describes the page.
  if (state == StepState::Running && state_ != StepState::Running) clearBanner();
  if (state == state_ && detail == detail_) return;
  state_ = state;
  detail_ = detail;
  emit stateChanged(state, detail);
}

MessageBanner* PipelinePage::banner() {
  if (!banner_) {
    banner_ = new MessageBanner(this);
    // Every page's layout starts with its title: the banner goes right under it.
    if (auto* box = qobject_cast<QBoxLayout*>(layout())) box->insertWidget(std::min(1, box->count()), banner_);
  }
  return banner_;
}

QString PipelinePage::bannerText() const { return banner_ ? banner_->text() : QString(); }

void PipelinePage::showError(const QString& message) { banner()->showMessage(message, MessageBanner::Kind::Error); }

void PipelinePage::clearBanner() {
  if (banner_) banner_->dismiss();
}

QWidget* PipelinePage::sideColumn(QWidget* content) {
  auto* scroll = new QScrollArea;
  scroll->setObjectName(QStringLiteral("sideColumn"));  // presentation mode widens it
  scroll->setWidget(content);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(380);
  scroll->setMaximumWidth(440);
  scroll->setFrameShape(QFrame::NoFrame);
  return scroll;
}

namespace {

// A combo box in a tool row keeps its full width: QToolBar's layout shrinks a widget to its
// minimum before it moves it into the » menu, and a combo's minimum cuts its text (the
// synthesizer's name in presentation mode). A fixed width moves it into the menu instead.
class KeepCombosWhole final : public QObject {
 public:
  using QObject::QObject;
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (event->type() == QEvent::ChildAdded)
      if (auto* combo = qobject_cast<QComboBox*>(static_cast<QChildEvent*>(event)->child())) {
        QSizePolicy policy = combo->sizePolicy();
        policy.setHorizontalPolicy(QSizePolicy::Fixed);
        combo->setSizePolicy(policy);
      }
    return QObject::eventFilter(watched, event);
  }
};

}  // namespace

QToolBar* PipelinePage::toolRow() {
  auto* bar = new QToolBar;
  bar->installEventFilter(new KeepCombosWhole(bar));
  bar->setMovable(false);
  bar->setFloatable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  // QToolBarLayout shows an extension button with the items that do not fit, so the row's
  // minimum width is its first item's; a plain QHBoxLayout asked for all of them.
  bar->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
  return bar;
}

}  // namespace harmonia::ui
