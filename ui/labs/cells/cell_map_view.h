#pragma once
// The Cells lab's map: up to a few hundred thousand cells as dots, coloured
// per cell, with pan (drag) and zoom (wheel), three lasso selections
// (1 control, 2 treated, 3 apply-to), the δ arrow between the centroids of
// 1 and 2, and a predicted cloud animated from the third selection to its
// predicted place. The dots are drawn into a cached QImage that is only
// re-rendered when the points, the colours or the view change; a frame
// while dragging only blits the cache (LatentMapView's approach, without
// its 10 000-point cap). Map y grows upwards.
#include <QImage>
#include <QPointF>
#include <QPolygonF>
#include <QTimer>
#include <QVector>
#include <QWidget>

#include <vector>

namespace genlab::ui {

class CellMapView : public QWidget {
  Q_OBJECT

 public:
  enum class Mode { Pan, Lasso1, Lasso2, Lasso3 };
  explicit CellMapView(QWidget* parent = nullptr);

  // xy: x0, y0, x1, y1 ...; colours: one per point (ARGB).
  void setPoints(const std::vector<float>& xy);
  void setColours(const std::vector<QRgb>& colours);
  int pointCount() const { return static_cast<int>(m_xy.size() / 2); }
  void setLegend(const QStringList& names, const QVector<QColor>& colours);
  void setEmptyText(const QString& t);
  void setCaption(const QString& t);

  void setMode(Mode m) { m_mode = m; }
  Mode mode() const { return m_mode; }
  // Selection k (1..3) by polygon in map coordinates: picks the points inside.
  void setLasso(int k, const QPolygonF& mapPolygon);
  const std::vector<int>& selection(int k) const { return m_sel[k - 1]; }
  QPolygonF lasso(int k) const { return m_lasso[k - 1]; }
  void clearSelections();
  // The δ arrow (map coordinates) and the predicted cloud (source and target xy, 2 per cell).
  void setArrow(QPointF from, QPointF to);
  void setPrediction(const std::vector<float>& sourceXY, const std::vector<float>& predictedXY);
  bool hasPrediction() const { return !m_predTo.empty(); }
  double animationPhase() const { return m_phase; }

  QPointF mapAt(const QPointF& widgetPos) const;
  QPointF widgetPosOf(const QPointF& mapPos) const;
  void fit();
  // Pans by `pixels` as a drag would (benchmarks and tests).
  void panBy(QPointF pixels);
  // Milliseconds the last paint took (for the frame-time bench).
  double lastPaintMs() const { return m_lastPaintMs; }
  // Re-renders the dot cache now (what a new frame of the map costs).
  void renderNow();

 Q_SIGNALS:
  void lassoFinished(int k);

 protected:
  void paintEvent(QPaintEvent*) override;
  void resizeEvent(QResizeEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;
  void mouseReleaseEvent(QMouseEvent*) override;
  void wheelEvent(QWheelEvent*) override;

 private:
  void renderCache();
  void pickInside(int k);

  std::vector<float> m_xy;
  std::vector<QRgb> m_colours;
  QStringList m_legendNames;
  QVector<QColor> m_legendColours;
  QString m_empty, m_caption;
  QPointF m_center{0, 0};
  double m_scale = 40;
  bool m_autoFit = true;
  QImage m_cache;
  bool m_dirty = true;
  Mode m_mode = Mode::Pan;
  bool m_dragging = false;
  QPointF m_last;
  QPolygonF m_drawing;  // the lasso being drawn, widget coordinates
  QPolygonF m_lasso[3];
  std::vector<int> m_sel[3];
  bool m_hasArrow = false;
  QPointF m_arrowFrom, m_arrowTo;
  std::vector<float> m_predFrom, m_predTo;
  double m_phase = 1;
  QTimer m_anim;
  double m_lastPaintMs = 0;
};

// Selection colours: 1 control, 2 treated, 3 apply-to.
QColor selectionColour(int k);

}  // namespace genlab::ui
