#include "ui/widgets/bar_selection.hpp"

#include <QMouseEvent>
#include <QPainter>
#include <QWidget>
#include <algorithm>
#include <cmath>

#include "ui/widgets/piano_roll_rulers.hpp"
#include "ui/widgets/piano_roll_widget.hpp"

namespace harmonia::ui {

namespace {

// The band over the roll: translucent, with edges, deaf to the mouse.
class SelectionBand : public QWidget {
 public:
  explicit SelectionBand(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAccessibleName(tr("Selected bars"));
  }

 protected:
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    p.fillRect(rect(), QColor(255, 170, 40, 45));
    p.setPen(QColor(230, 130, 20, 200));
    p.drawLine(0, 0, 0, height());
    p.drawLine(width() - 1, 0, width() - 1, height());
  }
};

}  // namespace

BarSelection::BarSelection(PianoRollView* view) : QObject(view), view_(view) {
  band_ = new SelectionBand(view->roll());
  band_->hide();
  view->ruler()->installEventFilter(this);
  view->ruler()->setToolTip(tr("Drag along the bar numbers to select bars (to loop them); click a one-bar selection again to clear it"));
  view->ruler()->setCursor(Qt::PointingHandCursor);
  connect(view->roll(), &PianoRollWidget::zoomChanged, this, &BarSelection::placeBand);
  connect(view->roll(), &PianoRollWidget::rowHeightChanged, this, &BarSelection::placeBand);
  connect(view->roll(), &PianoRollWidget::scoreChanged, this, &BarSelection::placeBand);
}

midi::Tick BarSelection::barTicks() const {
  const auto* roll = view_->roll();
  return std::max<midi::Tick>(1, midi::Tick(roll->ticksPerQuarter()) * 4 / roll->beatUnit() * roll->beatsPerBar());
}

midi::Tick BarSelection::startTick() const { return active() ? first_ * barTicks() : 0; }
midi::Tick BarSelection::endTick() const { return active() ? (last_ + 1) * barTicks() : 0; }

void BarSelection::selectBars(int first, int last) {
  if (first > last) std::swap(first, last);
  first = std::max(first, 0);
  last = std::max(last, first);
  if (first == first_ && last == last_) return;
  first_ = first;
  last_ = last;
  placeBand();
  emit changed();
}

void BarSelection::clear() {
  if (!active()) return;
  first_ = last_ = -1;
  placeBand();
  emit changed();
}

int BarSelection::barAt(int rulerX) const {
  const auto* roll = view_->roll();
  const double barPx = roll->xForTick(barTicks()) - roll->xForTick(0);
  return int(std::floor((rulerX + view_->ruler()->offset()) / std::max(barPx, 1e-6)));
}

void BarSelection::placeBand() {
  if (!active()) {
    band_->hide();
    return;
  }
  const auto* roll = view_->roll();
  const int x0 = int(roll->xForTick(startTick())), x1 = int(roll->xForTick(endTick()));
  band_->setGeometry(x0, 0, std::max(2, x1 - x0), roll->height());
  band_->show();
  band_->raise();
}

bool BarSelection::eventFilter(QObject* watched, QEvent* event) {
  if (watched != view_->ruler()) return false;
  switch (event->type()) {
    case QEvent::MouseButtonPress: {
      auto* e = static_cast<QMouseEvent*>(event);
      if (e->button() != Qt::LeftButton) return false;
      const int bar = barAt(int(e->position().x()));
      // A click on the selection's only bar clears it: the ruler toggles a one-bar loop.
      if (active() && first_ == last_ && first_ == bar) {
        anchor_ = -1;
        clear();
        return true;
      }
      anchor_ = bar;
      selectBars(bar, bar);
      return true;
    }
    case QEvent::MouseMove: {
      auto* e = static_cast<QMouseEvent*>(event);
      if (anchor_ < 0 || !(e->buttons() & Qt::LeftButton)) return false;
      selectBars(anchor_, barAt(int(e->position().x())));
      return true;
    }
    case QEvent::MouseButtonRelease:
      anchor_ = -1;
      return false;
    default:
      return false;
  }
}

}  // namespace harmonia::ui
