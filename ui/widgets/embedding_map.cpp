#include "ui/widgets/embedding_map.hpp"

#include <QLabel>
#include <QMap>
#include <QToolTip>
#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

#include "ui/pages/token_meaning.hpp"
#include "ui/widgets/queued_plot.hpp"
#include "ui/widgets/token_chip_view.hpp"

namespace harmonia::ui {

namespace {

const char* const kPitchClasses[] = {"C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B"};

QColor pitchClassColor(int pc) { return QColor::fromHsv((pc * 30) % 360, 210, 225); }

// Octave -1 (MIDI 0-11) is the smallest dot, octave 9 the largest.
double octaveSize(int pitch) { return 4.0 + 1.3 * (pitch / 12); }

// Families other than pitch: the chips' colours, and a shape each so that they read apart in
// grey-scale too.
QCPScatterStyle::ScatterShape familyShape(const QString& family) {
  if (family == QLatin1String("Velocity")) return QCPScatterStyle::ssTriangle;
  if (family == QLatin1String("Duration")) return QCPScatterStyle::ssSquare;
  if (family == QLatin1String("Position") || family == QLatin1String("TimeShift")) return QCPScatterStyle::ssDiamond;
  if (family == QLatin1String("Bar")) return QCPScatterStyle::ssCross;
  if (family == QLatin1String("Program")) return QCPScatterStyle::ssStar;
  if (family == QLatin1String("Learned")) return QCPScatterStyle::ssCircle;
  return QCPScatterStyle::ssPlus;
}

int pitchOf(const QString& token) {
  bool ok = false;
  const int pitch = token.section('_', 1, 1).toInt(&ok);
  return ok ? std::clamp(pitch, 0, 127) : -1;
}

}  // namespace

EmbeddingMapView::EmbeddingMapView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  caption_ = new QLabel;
  caption_->setWordWrap(true);
  plot_ = new QueuedPlot;
  plot_->setMinimumSize(200, 160);
  plot_->xAxis->setLabel(tr("first principal axis"));
  plot_->yAxis->setLabel(tr("second principal axis"));
  plot_->setMouseTracking(true);
  layout->addWidget(caption_);
  layout->addWidget(plot_, 1);
  connect(plot_, &QCustomPlot::mouseMove, this, &EmbeddingMapView::onMouseMove);
}

QString EmbeddingMapView::caption() const { return caption_->text(); }

QString EmbeddingMapView::family(const QString& token) {
  if (token.contains(QStringLiteral(" · "))) return QStringLiteral("Learned");
  const QString type = token.section('_', 0, 0);
  if (type == QLatin1String("PAD") || type == QLatin1String("BOS") || type == QLatin1String("EOS") ||
      type == QLatin1String("MASK"))
    return QStringLiteral("Special");
  return type;
}

QString EmbeddingMapView::legendHtml() {
  QString pcs;
  for (int pc = 0; pc < 12; ++pc)
    pcs += QStringLiteral("<span style='color:%1'>●</span>%2 ").arg(pitchClassColor(pc).name(), QString::fromUtf8(kPitchClasses[pc]));
  QString families;
  const char* const shown[][2] = {{"Velocity", "▲"}, {"Duration", "■"}, {"Position", "◆"}, {"Bar", "✕"},
                                  {"Program", "✱"},  {"Learned", "○"},  {"Special", "+"}};
  for (const auto& f : shown)
    families += QStringLiteral("<span style='color:%1'>%2</span> %3 &nbsp;")
                    .arg(TokenChipView::colorForType(QString::fromLatin1(f[0])).name(), QString::fromUtf8(f[1]),
                         QObject::tr(f[0]));
  return QObject::tr("<b>Pitch</b> (colour = pitch class, size = octave): %1<br>%2 others: the token chips' colours")
      .arg(pcs, families);
}

void EmbeddingMapView::setMessage(const QString& message) {
  points_.clear();
  plot_->clearGraphs();
  caption_->setText(message);
  ReplotQueue::request(plot_);
}

void EmbeddingMapView::setPoints(std::vector<EmbeddingMapPoint> points, const QString& caption) {
  points_ = std::move(points);
  caption_->setText(caption);
  plot_->clearGraphs();
  // One graph per look: a pitch's (class, octave) or a family. A few hundred graphs at most.
  QMap<QString, QCPGraph*> graphs;
  auto graphFor = [&](const QString& key, const QCPScatterStyle& style) {
    auto it = graphs.find(key);
    if (it != graphs.end()) return it.value();
    auto* g = plot_->addGraph();
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(style);
    g->setSelectable(QCP::stNone);
    graphs.insert(key, g);
    return g;
  };
  // Pitch tokens last: drawn on top of the rest.
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& p : points_) {
      const QString fam = family(p.token);
      const bool pitched = fam == QLatin1String("Pitch") || fam == QLatin1String("NoteOn");
      if (pitched != (pass == 1)) continue;
      const int pitch = pitched ? pitchOf(p.token) : -1;
      QCPGraph* g = nullptr;
      if (pitch >= 0) {
        const QColor c = pitchClassColor(pitch % 12);
        g = graphFor(QStringLiteral("pitch %1").arg(pitch),
                     QCPScatterStyle(QCPScatterStyle::ssDisc, c.darker(140), c, octaveSize(pitch)));
      } else {
        const QColor c = fam == QLatin1String("Learned") ? QColor(110, 110, 120) : TokenChipView::colorForType(fam);
        g = graphFor(fam, QCPScatterStyle(familyShape(fam), QPen(c, 1.5), Qt::NoBrush, 6));
      }
      g->addData(p.x, p.y);
    }
  plot_->rescaleAxes();
  // A margin, so that the outermost dots are not cut by the frame.
  for (auto* axis : {plot_->xAxis, plot_->yAxis}) {
    const auto r = axis->range();
    const double pad = std::max(r.size() * 0.06, 1e-6);
    axis->setRange(r.lower - pad, r.upper + pad);
  }
  ReplotQueue::request(plot_);
}

int EmbeddingMapView::pointAt(const QPoint& pos) const {
  int best = -1;
  double bestDist = 8.0 * 8.0;
  for (size_t i = 0; i < points_.size(); ++i) {
    const double dx = plot_->xAxis->coordToPixel(points_[i].x) - pos.x();
    const double dy = plot_->yAxis->coordToPixel(points_[i].y) - pos.y();
    if (dx * dx + dy * dy < bestDist) {
      bestDist = dx * dx + dy * dy;
      best = int(i);
    }
  }
  return best;
}

void EmbeddingMapView::onMouseMove(QMouseEvent* event) {
  const int i = pointAt(event->position().toPoint());
  if (i < 0) {
    QToolTip::hideText();
    return;
  }
  const QString& token = points_[size_t(i)].token;
  const QString meaning = token.contains(QStringLiteral(" · ")) ? tr("a learned token made of these base tokens")
                                                               : tokenMeaning(token);
  QToolTip::showText(event->globalPosition().toPoint(), QStringLiteral("%1\n%2").arg(token, meaning), plot_);
}

}  // namespace harmonia::ui
