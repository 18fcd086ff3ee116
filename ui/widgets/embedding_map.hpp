// One embedding map: every token of a model's vocabulary as a point on the two principal axes
// of its embedding table (ui/bridge/inspect_backend.hpp computes them). Pitch tokens are
// coloured by pitch class (C red round the colour wheel to B) and sized by octave; the other
// families (Velocity, Duration, Position, Bar, Program, ...) have their own colour and shape,
// the token chips' colours. Hovering a point shows its token and what it means.
#pragma once

#include <QString>
#include <QWidget>
#include <vector>

class QCustomPlot;
class QLabel;
class QMouseEvent;

namespace harmonia::ui {

struct EmbeddingMapPoint {
  double x = 0, y = 0;
  QString token;
};

class EmbeddingMapView : public QWidget {
  Q_OBJECT
 public:
  explicit EmbeddingMapView(QWidget* parent = nullptr);
  // caption: what is shown ("Run of 7 Dec 17:45, before training · axes 3.1 % + 2.9 %").
  void setPoints(std::vector<EmbeddingMapPoint> points, const QString& caption);
  // Replaces the points by a message (reading..., an error).
  void setMessage(const QString& message);
  const std::vector<EmbeddingMapPoint>& points() const { return points_; }
  QCustomPlot* plot() const { return plot_; }
  QString caption() const;
  // The point nearest to `pos` (plot widget pixels) within a few pixels, or -1.
  int pointAt(const QPoint& pos) const;

  // "Pitch", "Velocity", ...; "Learned" for a learned token made of several base tokens,
  // "Special" for PAD/BOS/EOS/MASK.
  static QString family(const QString& token);
  // The legend shared by the maps (HTML).
  static QString legendHtml();

 private:
  void onMouseMove(QMouseEvent* event);

  QLabel* caption_;
  QCustomPlot* plot_;
  std::vector<EmbeddingMapPoint> points_;
};

}  // namespace harmonia::ui
