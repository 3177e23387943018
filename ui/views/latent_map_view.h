#pragma once
// Scatter of a 2-D latent map (hundreds of thousands of points, coloured by
// label or one colour per point) with pan / zoom, a hover crosshair, a pinned
// cursor (click or drag to scrub), interpolation endpoints (Shift+click A,
// then B) and an optional overlay image (e.g. a decoded manifold grid)
// covering a latent rectangle, and an optional brush that paints a region (a
// union of discs) for sampling. For perturbation experiments it also has up
// to three lasso selections (polygons; the points inside each), an arrow
// between two map points (δ) and a predicted cloud animated from source
// points to target points. Latent y grows upwards. The points are cached in
// a QImage that is only re-rendered when the points, colours or view change;
// above kSpriteLimit points the cache is drawn pixel by pixel (2x2 dots).
#include <QImage>
#include <QPointF>
#include <QPolygonF>
#include <QRectF>
#include <QStringList>
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
  // Beyond this many points the map is thinned (every k-th point) as a bound on memory.
  static constexpr int kMaxPoints = 2000000;
  // Up to this many points each is drawn as an antialiased sprite; above, as 2x2 pixels.
  static constexpr int kSpriteLimit = 20000;
  static constexpr int kLassos = 3;

  explicit LatentMapView(QWidget* parent = nullptr);

  // `xy` holds x0, y0, x1, y1, ...; labels may be empty or -1 (unknown).
  void setPoints(const std::vector<float>& xy, const std::vector<int>& labels);
  void clearPoints();
  int pointCount() const { return m_points.size(); }
  void setEmptyText(const QString& text);
  void setAxisNames(const QString& x, const QString& y);
  // One colour per point of the last setPoints (in its order); empty: colour by label.
  void setPointColours(const std::vector<QRgb>& colours);
  // A legend of named colours in place of the label legend (empty: the label legend).
  void setLegend(const QStringList& names, const QVector<QColor>& colours);
  // A line of text at the bottom right of the plot (e.g. the space and the epoch).
  void setCaption(const QString& text);
  // What a left drag does when no brush or lasso is active: pick and scrub
  // (the default), or pan.
  void setLeftDragPans(bool pans) { m_leftPans = pans; }

  // Lasso selections 1..kLassos. setLassoMode(k) makes a left drag draw
  // lasso k (0: off); lassoFinished(k) after the mouse is released.
  void setLassoMode(int k);
  int lassoMode() const { return m_lassoMode; }
  void setLasso(int k, const QPolygonF& latentPolygon);
  QPolygonF lasso(int k) const;
  // The points inside lasso k, as indices into the last setPoints' order.
  const std::vector<int>& selection(int k) const;
  void clearSelections();  // lassos, arrow and predicted cloud
  // An arrow from `from` to `to` (latent units), labelled δ.
  void setArrow(const QPointF& from, const QPointF& to);
  bool hasArrow() const { return m_hasArrow; }
  // A cloud animated from `source` to `target` (x0, y0, x1, y1, ...; same length).
  void setPrediction(const std::vector<float>& source, const std::vector<float>& target);
  bool hasPrediction() const { return !m_predTo.empty(); }
  double animationPhase() const { return m_phase; }  // 0 .. 1 (arrived)

  // Pans by `pixels` as a drag would, and re-renders every point at the next
  // paint (benchmarks and tests); lastPaintMs() is what the last paint took.
  void panBy(const QPointF& pixels);
  double lastPaintMs() const { return m_lastPaintMs; }

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
  void lassoFinished(int k);
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
  void renderPixels(QImage& image, const QRect& plot);
  void drawSelections(QPainter& p);
  void drawArrowAndCloud(QPainter& p);
  void drawCaption(QPainter& p);
  void pickInside(int k);
  void finishLasso();
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
  enum class Drag { None, Pan, Scrub, Brush, Lasso } m_drag = Drag::None;
  bool m_brushEnabled = false;
  double m_brushPixels = 16;
  QVector<Disc> m_region;
  QPointF m_lastMouse;
  QToolButton* m_fitButton;

  std::vector<QRgb> m_pointColours;  // per point of setPoints (original order)
  QStringList m_legendNames;
  QVector<QColor> m_legendColours;
  QString m_caption;
  bool m_leftPans = false;
  int m_lassoMode = 0;
  QPolygonF m_drawing;  // the lasso being drawn (latent units)
  QPolygonF m_lassos[kLassos];
  std::vector<int> m_selections[kLassos];
  bool m_hasArrow = false;
  QPointF m_arrowFrom, m_arrowTo;
  std::vector<float> m_predFrom, m_predTo;
  double m_phase = 1;
  QTimer m_anim;
  double m_lastPaintMs = 0;
};

// Lasso colours: 1 blue, 2 red, 3 green.
QColor selectionColour(int k);

// The 10 label colours (Tableau 10) used by the map's legend.
QColor labelColor(int label);

}  // namespace genlab::ui
