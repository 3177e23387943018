#pragma once
// What a FieldView draws, as plain Qt values: an optional heatmap on a grid
// (colour map + legend), and an ordered list of layers (point sets, arrows,
// polylines). renderField() paints a scene into any QPainter, so the same
// code draws the interactive FieldView, the thumbnails of the model graph
// and exported images. World y grows upwards.
#include <QColor>
#include <QImage>
#include <QPointF>
#include <QPolygonF>
#include <QRectF>
#include <QString>
#include <QVector>

#include <vector>

class QPainter;

namespace genlab::ui {

enum class ColorMap {
  Viridis,    // sequential, dark blue -> yellow (densities)
  Magma,      // sequential, black -> cream (|det J|, noised densities)
  Diverging,  // purple -> white -> green (GAN Lab: fake <-> real)
  Coolwarm    // blue -> white -> red (signed quantities)
};

// Colour of t in [0, 1] (clamped).
QRgb colorMapRgb(ColorMap map, double t);

struct FieldHeatmap {
  // Cell centres span [x0, x1] x [y0, y1]; row 0 is at y0 (the bottom).
  double x0 = -1, x1 = 1, y0 = -1, y1 = 1;
  int nx = 0, ny = 0;
  QVector<float> values;  // nx * ny; non-finite values are drawn transparent
  double lo = 0, hi = 1;  // colour range; values outside are clamped
  ColorMap map = ColorMap::Viridis;
  QString title;          // legend title, e.g. "log p(x)"
  double opacity = 1.0;

  bool empty() const { return nx <= 0 || ny <= 0 || values.size() < nx * ny; }
  // The world rectangle the image covers (half a cell beyond the centres).
  QRectF coverRect() const;
  // nx x ny ARGB image, row 0 at the top (max y).
  QImage toImage() const;
  // The value at a world point (nearest cell), NaN outside.
  double valueAt(const QPointF& world) const;
};

struct FieldLayer {
  enum class Kind { Points, Arrows, Lines };
  Kind kind = Kind::Points;
  QString id;    // the owner's handle, e.g. "samples"
  QString name;  // legend entry; empty: not in the legend
  QColor color = QColor(20, 20, 20);
  double size = 3.0;   // point radius or line width, in pixels
  double alpha = 0.85;
  QVector<QPointF> points;  // Points: positions; Arrows: tails
  QVector<QRgb> colors;     // Points: optional per-point colours (overrides `color`)
  QVector<QPointF> vectors; // Arrows: world vectors
  double arrowLength = 0;   // Arrows: world length of the longest arrow (<= 0: 1/20 of the view)
  bool compress = false;    // Arrows: length grows with the square root of |v| (fields
                            // whose far arrows would dwarf the near ones, e.g. scores)
  QVector<QPolygonF> lines; // Lines: world polylines
  bool outline = true;      // Points/Arrows: a contrasting halo for legibility on heatmaps
};

class FieldScene {
 public:
  FieldHeatmap heatmap;            // empty() when none
  std::vector<FieldLayer> layers;  // drawn in order, after the heatmap
  QString title;                   // shown above the plot
  QString caption;                 // shown at the bottom right of the plot, e.g. "step 1200"
  QString emptyText;               // shown when there is nothing to draw

  bool empty() const { return heatmap.empty() && layers.empty(); }
  FieldLayer* layer(const QString& id);
  const FieldLayer* layer(const QString& id) const;
  // Adds or replaces the layer with the same id (keeping its place).
  FieldLayer& put(FieldLayer layer);
  // Extent of everything in the scene (the heatmap's cover and all layers).
  QRectF bounds() const;
  int pointCount(const QString& id) const;  // points of a Points layer, 0 if none
};

// World <-> pixel mapping with one scale for both axes (shapes keep their aspect).
struct FieldViewport {
  QPointF center{0, 0};
  double scale = 100;  // pixels per world unit
  QRect plot;          // pixel rectangle of the plot

  QPointF toPixel(const QPointF& w) const {
    return {plot.center().x() + 0.5 + (w.x() - center.x()) * scale,
            plot.center().y() + 0.5 - (w.y() - center.y()) * scale};
  }
  QPointF toWorld(const QPointF& p) const {
    return {center.x() + (p.x() - plot.center().x() - 0.5) / scale,
            center.y() - (p.y() - plot.center().y() - 0.5) / scale};
  }
  QRectF visibleWorld() const;
  // The viewport that shows `world` entirely inside `plot`.
  static FieldViewport fit(const QRectF& world, const QRect& plot);
};

struct FieldStyle {
  bool axes = true;         // ticks and labels around the plot
  bool legend = true;       // layer legend (top right inside the plot)
  bool colorBar = true;     // heatmap colour bar (right of the plot)
  double fontScale = 1.0;   // relative to the painter's font
  QColor background = QColor(250, 250, 252);
};

// Pixel margins around the plot that `style` needs with font `font`.
QMargins fieldMargins(const FieldStyle& style, const QFont& font);
// Draws the scene clipped to vp.plot, plus axes, legend and colour bar
// around / inside it as `style` says.
void renderField(QPainter& p, const FieldScene& scene, const FieldViewport& vp,
                 const FieldStyle& style);
// A self-contained image of the scene fitted to `size` (thumbnails, export).
QImage renderFieldImage(const FieldScene& scene, const QSize& size, const FieldStyle& style,
                        const QFont& font, const QRectF& world = QRectF());

}  // namespace genlab::ui
