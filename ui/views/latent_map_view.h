#pragma once
// Scatter of a 2-D latent map (up to 10 000 points coloured by label) with
// pan / zoom, a hover crosshair, a pinned cursor (click or drag to scrub),
// interpolation endpoints (Shift+click A, then B) and an optional overlay
// image (e.g. a decoded manifold grid) covering a latent rectangle, and an
// optional brush that paints a region (a union of discs) for sampling.
// Latent y grows upwards. The points are cached in a QImage that is only
// re-rendered when the points or the view change.
#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QTimer>
#include <QVector>
#include <QWidget>

#include <optional>
#include <vector>

class QToolButton;

namespace genlab::ui {

class LatentMapView : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kMaxPoints = 10000;

  explicit LatentMapView(QWidget* parent = nullptr);

  // `xy` holds x0, y0, x1, y1, ...; labels may be empty or -1 (unknown).
  void setPoints(const std::vector<float>& xy, const std::vector<int>& labels);
  void clearPoints();
  int pointCount() const { return m_points.size(); }
  void setEmptyText(const QString& text);
  void setAxisNames(const QString& x, const QString& y);

  // Overlay image covering `latentRect` (row 0 at the rectangle's top, i.e. at max y).
  void setOverlay(const QImage& image, const QRectF& latentRect);
  void setOverlayVisible(bool visible);
  bool overlayVisible() const { return m_overlayVisible; }
  void clearOverlay();

  void setPinned(const QPointF& latent);
  void clearPinned();
  std::optional<QPointF> pinned() const { return m_pinned; }
  void clearInterpolation();
  // Shows endpoints A and B without emitting interpolationRequested.
  void setInterpolation(const QPointF& a, const QPointF& b);

  // Brush mode: a left drag paints discs of `radiusPixels` (converted to
  // latent units where painted) instead of scrubbing; the region stays until
  // cleared. regionChanged() after each stroke.
  void setBrushEnabled(bool enabled);
  bool brushEnabled() const { return m_brushEnabled; }
  void setBrushRadius(double radiusPixels) { m_brushPixels = radiusPixels; }
  struct Disc {
    double x = 0, y = 0, r = 0;  // latent units
  };
  const QVector<Disc>& brushRegion() const { return m_region; }
  void setBrushRegion(const QVector<Disc>& region);
  void clearBrushRegion();
  QRectF visibleLatentRect() const;  // normalised: top() is the smaller y
  QPointF latentAt(const QPointF& widgetPos) const;
  QPointF widgetPosOf(const QPointF& latent) const;
  QRect plotRect() const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 public Q_SLOTS:
  // Resets the view to show all points and follows the data again.
  void fit();

 Q_SIGNALS:
  void hovered(QPointF latent);
  void picked(QPointF latent);
  // Shift+click placed A (B follows with the next Shift+click).
  void interpolationStarted(QPointF a);
  void interpolationRequested(QPointF a, QPointF b);
  void viewChanged();
  // The brushed region changed (a stroke ended, or it was set or cleared).
  void regionChanged();

 protected:
  bool event(QEvent* event) override;
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  struct View {
    QPointF center{0, 0};
    double scale = 50;  // pixels per latent unit
    QSize size;
    bool operator==(const View& o) const {
      return center == o.center && scale == o.scale && size == o.size;
    }
  };

  void fitToPoints();
  void viewMoved();  // after a user pan / zoom
  void renderCache();
  void drawPoints(QPainter& p);
  void drawGridAndAxes(QPainter& p);
  void drawOverlay(QPainter& p);
  void drawMarkers(QPainter& p);
  void drawRegion(QPainter& p);
  void paintDisc(const QPointF& widgetPos);
  void drawCrosshair(QPainter& p);
  void drawLegend(QPainter& p);
  int nearestPoint(const QPointF& widgetPos, double maxDistance) const;
  QString helpText() const;

  QVector<QPointF> m_points;
  QVector<int> m_labels;
  QVector<int> m_indices;  // index in the data before thinning
  bool m_hasLabels = false;
  QString m_emptyText, m_axisX, m_axisY;

  View m_view;
  bool m_autoFit = true;
  QImage m_cache;
  View m_cacheView;
  bool m_cacheDirty = true;
  QTimer m_rerender;  // re-renders the cache once interaction pauses
  QVector<QImage> m_sprites;

  QImage m_overlay;
  QRectF m_overlayRect;
  bool m_overlayVisible = false;

  std::optional<QPointF> m_pinned, m_endA, m_endB;
  std::optional<QPointF> m_hover;  // widget coordinates
  enum class Drag { None, Pan, Scrub, Brush } m_drag = Drag::None;
  bool m_brushEnabled = false;
  double m_brushPixels = 16;
  QVector<Disc> m_region;
  QPointF m_lastMouse;
  QToolButton* m_fitButton;
};

// The 10 label colours (Tableau 10) used by the map's legend.
QColor labelColor(int label);

}  // namespace genlab::ui
