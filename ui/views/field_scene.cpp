#include "ui/views/field_scene.h"

#include <QFontMetrics>
#include <QHash>
#include <QMargins>
#include <QPainter>
#include <QLineF>
#include <QPainterPath>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace genlab::ui {

namespace {
struct Stop {
  double t;
  int r, g, b;
};

// Coarse samples of matplotlib's perceptually uniform maps, linearly interpolated.
constexpr std::array<Stop, 9> kViridis{{{0.000, 68, 1, 84},
                                        {0.125, 71, 44, 122},
                                        {0.250, 59, 81, 139},
                                        {0.375, 44, 113, 142},
                                        {0.500, 33, 144, 141},
                                        {0.625, 39, 173, 129},
                                        {0.750, 92, 200, 99},
                                        {0.875, 170, 220, 50},
                                        {1.000, 253, 231, 37}}};
constexpr std::array<Stop, 9> kMagma{{{0.000, 0, 0, 4},
                                      {0.125, 28, 16, 68},
                                      {0.250, 79, 18, 123},
                                      {0.375, 129, 37, 129},
                                      {0.500, 181, 54, 122},
                                      {0.625, 229, 80, 100},
                                      {0.750, 251, 135, 97},
                                      {0.875, 254, 194, 135},
                                      {1.000, 252, 253, 191}}};
// GAN Lab's colours: fake (purple) <-> real (green).
constexpr std::array<Stop, 5> kDiverging{{{0.00, 118, 42, 131},
                                          {0.25, 175, 141, 195},
                                          {0.50, 247, 247, 247},
                                          {0.75, 127, 191, 123},
                                          {1.00, 27, 120, 55}}};
constexpr std::array<Stop, 5> kCoolwarm{{{0.00, 59, 76, 192},
                                         {0.25, 141, 176, 254},
                                         {0.50, 242, 242, 242},
                                         {0.75, 244, 154, 123},
                                         {1.00, 180, 4, 38}}};

template <std::size_t N>
QRgb lookup(const std::array<Stop, N>& stops, double t) {
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
  std::size_t k = 1;
  while (k + 1 < N && stops[k].t < t) ++k;
  const Stop& a = stops[k - 1];
  const Stop& b = stops[k];
  const double u = (t - a.t) / std::max(1e-12, b.t - a.t);
  auto mix = [u](int x, int y) { return int(std::lround(x + (y - x) * u)); };
  return qRgb(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b));
}

double niceStep(double raw) {
  const double mag = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-12))));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= raw * 0.999) return m * mag;
  return 10 * mag;
}

QString tickLabel(double v, double step) {
  if (std::abs(v) < step * 1e-6) v = 0;
  const int decimals = std::clamp(int(-std::floor(std::log10(step) + 1e-9)), 0, 6);
  QString s = QString::number(v, 'f', step >= 1 ? 0 : decimals);
  return s.replace('-', QChar(0x2212));
}

QFont scaledFont(const QFont& f, double scale) {
  QFont out = f;
  if (out.pointSizeF() > 0) out.setPointSizeF(out.pointSizeF() * scale);
  else out.setPixelSize(std::max(6, int(out.pixelSize() * scale)));
  return out;
}

QColor halo(const QColor& c) {
  return c.lightnessF() > 0.6 ? QColor(20, 20, 30, 170) : QColor(255, 255, 255, 200);
}

// One pre-rendered disc per colour and size: much faster than drawEllipse
// for thousands of points.
QImage sprite(const QColor& color, double radius, double alpha, bool outline) {
  const int side = int(std::ceil(2 * radius + 4));
  QImage img(side, side, QImage::Format_ARGB32_Premultiplied);
  img.fill(Qt::transparent);
  QPainter p(&img);
  p.setRenderHint(QPainter::Antialiasing);
  QColor fill = color;
  fill.setAlphaF(std::clamp(alpha, 0.0, 1.0));
  if (outline) {
    QColor edge = halo(color);
    edge.setAlphaF(edge.alphaF() * std::clamp(alpha, 0.0, 1.0));
    p.setPen(QPen(edge, 1.0));
  } else {
    p.setPen(Qt::NoPen);
  }
  p.setBrush(fill);
  p.drawEllipse(QPointF(side / 2.0, side / 2.0), radius, radius);
  return img;
}

void drawPoints(QPainter& p, const FieldLayer& l, const FieldViewport& vp) {
  const QRectF visible = QRectF(vp.plot).adjusted(-10, -10, 10, 10);
  if (!l.colors.isEmpty()) {
    p.setPen(l.outline ? QPen(QColor(255, 255, 255, 150), 0.8) : QPen(Qt::NoPen));
    for (int i = 0; i < l.points.size(); ++i) {
      const QPointF px = vp.toPixel(l.points[i]);
      if (!visible.contains(px)) continue;
      QColor c = i < l.colors.size() ? QColor(l.colors[i]) : l.color;
      c.setAlphaF(l.alpha);
      p.setBrush(c);
      p.drawEllipse(px, l.size, l.size);
    }
    return;
  }
  const QImage img = sprite(l.color, l.size, l.alpha, l.outline);
  const QPointF half(img.width() / 2.0, img.height() / 2.0);
  for (const QPointF& w : l.points) {
    const QPointF px = vp.toPixel(w);
    if (std::isfinite(px.x()) && std::isfinite(px.y()) && visible.contains(px))
      p.drawImage(px - half, img);
  }
}

void arrowSegments(QVector<QLineF>& out, const QPointF& a, const QPointF& b, double head) {
  out.append(QLineF(a, b));
  const QPointF d = b - a;
  const double len = std::hypot(d.x(), d.y());
  if (len < 1.5) return;
  const QPointF u = d / len, n(-u.y(), u.x());
  const double h = std::min(head, 0.45 * len);
  out.append(QLineF(b, b - h * u + 0.55 * h * n));
  out.append(QLineF(b, b - h * u - 0.55 * h * n));
}

void drawArrow(QPainter& p, const QPointF& a, const QPointF& b, double head) {
  QVector<QLineF> segs;
  arrowSegments(segs, a, b, head);
  p.drawLines(segs);
}

void drawArrows(QPainter& p, const FieldLayer& l, const FieldViewport& vp) {
  double maxNorm = 0;
  for (const QPointF& v : l.vectors)
    if (std::isfinite(v.x()) && std::isfinite(v.y())) maxNorm = std::max(maxNorm, std::hypot(v.x(), v.y()));
  if (maxNorm <= 0) return;
  const double length = l.arrowLength > 0 ? l.arrowLength : vp.visibleWorld().width() / 20.0;
  const double k = length / maxNorm;
  const double head = std::max(4.0, 2.2 * l.size + 2);
  QVector<QLineF> segs;
  const int n = std::min(l.points.size(), l.vectors.size());
  segs.reserve(3 * n);
  for (int i = 0; i < n; ++i) {
    const QPointF& v = l.vectors[i];
    if (!std::isfinite(v.x()) || !std::isfinite(v.y())) continue;
    QPointF w = k * v;
    if (l.compress) {
      const double norm = std::hypot(v.x(), v.y());
      w = norm > 0 ? v * (length * std::sqrt(norm / maxNorm) / norm) : QPointF();
    }
    arrowSegments(segs, vp.toPixel(l.points[i]), vp.toPixel(l.points[i] + w), head);
  }
  QColor c = l.color;
  c.setAlphaF(l.alpha);
  if (l.outline) {
    p.setPen(QPen(halo(l.color), l.size + 2.0, Qt::SolidLine, Qt::FlatCap, Qt::BevelJoin));
    p.drawLines(segs);
  }
  p.setPen(QPen(c, l.size, Qt::SolidLine, Qt::FlatCap, Qt::BevelJoin));
  p.drawLines(segs);
}

void drawLines(QPainter& p, const FieldLayer& l, const FieldViewport& vp) {
  QColor c = l.color;
  c.setAlphaF(l.alpha);
  // Segments in one drawLines call with flat caps: an order of magnitude
  // faster than antialiased polylines with round joins (and 1-pixel cosmetic
  // pens are faster still).
  QPen pen(c, l.size, Qt::SolidLine, Qt::FlatCap, Qt::BevelJoin);
  pen.setCosmetic(true);
  p.setPen(pen);
  p.setBrush(Qt::NoBrush);
  QVector<QLineF> segs;
  for (const QPolygonF& line : l.lines) {
    QPointF prev;
    bool have = false;
    for (const QPointF& w : line) {
      if (!std::isfinite(w.x()) || !std::isfinite(w.y())) {
        have = false;
        continue;
      }
      const QPointF q = vp.toPixel(w);
      // Vertices closer than a pixel add nothing visible but cost time
      // (long sample paths crawl in tiny steps near their end).
      if (have && std::abs(q.x() - prev.x()) + std::abs(q.y() - prev.y()) < 1.0) continue;
      if (have) segs.append(QLineF(prev, q));
      prev = q;
      have = true;
    }
  }
  p.drawLines(segs);
}

void drawAxes(QPainter& p, const FieldViewport& vp, const QFont& font) {
  const QRectF world = vp.visibleWorld();
  const QRect& r = vp.plot;
  const QFontMetrics fm(font);
  p.setFont(font);
  const double step = niceStep(std::max(world.width(), world.height()) / std::max(2.0, r.width() / 110.0));
  p.setPen(QPen(QColor(60, 60, 70), 1));
  p.setBrush(Qt::NoBrush);
  p.drawRect(QRectF(r).adjusted(-0.5, -0.5, 0.5, 0.5));
  for (double x = std::ceil(world.left() / step) * step; x <= world.right() + 1e-9; x += step) {
    const double px = vp.toPixel({x, 0}).x();
    if (px < r.left() || px > r.right()) continue;
    p.drawLine(QPointF(px, r.bottom() + 1), QPointF(px, r.bottom() + 6));
    const QString t = tickLabel(x, step);
    p.drawText(QRectF(px - 40, r.bottom() + 7, 80, fm.height()), Qt::AlignHCenter | Qt::AlignTop, t);
  }
  for (double y = std::ceil(world.top() / step) * step; y <= world.bottom() + 1e-9; y += step) {
    const double py = vp.toPixel({0, y}).y();
    if (py < r.top() || py > r.bottom()) continue;
    p.drawLine(QPointF(r.left() - 6, py), QPointF(r.left() - 1, py));
    p.drawText(QRectF(0, py - fm.height() / 2.0, r.left() - 9, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, tickLabel(y, step));
  }
}

void drawLegend(QPainter& p, const FieldScene& scene, const FieldViewport& vp, const QFont& font) {
  QVector<const FieldLayer*> items;
  for (const FieldLayer& l : scene.layers)
    if (!l.name.isEmpty()) items.push_back(&l);
  if (items.isEmpty()) return;
  const QFontMetrics fm(font);
  const int row = fm.height() + 4, swatch = 22;
  int w = 0;
  for (const FieldLayer* l : items) w = std::max(w, fm.horizontalAdvance(l->name));
  const QRect box(vp.plot.right() - w - swatch - 22, vp.plot.top() + 8, w + swatch + 14,
                  row * int(items.size()) + 8);
  p.setPen(QPen(QColor(0, 0, 0, 60), 1));
  p.setBrush(QColor(255, 255, 255, 215));
  p.drawRoundedRect(box, 4, 4);
  p.setFont(font);
  for (int i = 0; i < items.size(); ++i) {
    const FieldLayer& l = *items[i];
    const int y = box.top() + 4 + i * row + row / 2;
    const QPointF c(box.left() + 6 + swatch / 2.0, y);
    QColor col = l.colors.isEmpty() ? l.color : QColor(l.colors.front());
    if (l.kind == FieldLayer::Kind::Points) {
      p.setPen(QPen(QColor(60, 60, 70), 1.0));
      p.setBrush(col);
      p.drawEllipse(c, std::max(3.5, l.size), std::max(3.5, l.size));
    } else if (l.kind == FieldLayer::Kind::Lines) {
      p.setPen(QPen(col, std::max(2.0, l.size)));
      p.drawLine(c - QPointF(swatch / 2.0, 0), c + QPointF(swatch / 2.0, 0));
    } else {
      p.setPen(QPen(col, std::max(1.5, l.size)));
      drawArrow(p, c - QPointF(swatch / 2.0, 0), c + QPointF(swatch / 2.0, 0), 6);
    }
    p.setPen(QColor(20, 20, 30));
    p.drawText(QRect(box.left() + swatch + 10, y - row / 2, w + 4, row), Qt::AlignVCenter, l.name);
  }
}

void drawColorBar(QPainter& p, const FieldHeatmap& h, const FieldViewport& vp, const QFont& font) {
  const QFontMetrics fm(font);
  const int barW = 16;
  const QRect bar(vp.plot.right() + 10, vp.plot.top() + 6, barW, std::max(20, vp.plot.height() - 12));
  QImage img(1, 256, QImage::Format_RGB32);
  for (int i = 0; i < 256; ++i) img.setPixel(0, 255 - i, colorMapRgb(h.map, i / 255.0));
  p.drawImage(bar, img);
  p.setPen(QColor(60, 60, 70));
  p.setBrush(Qt::NoBrush);
  p.drawRect(QRectF(bar).adjusted(-0.5, -0.5, 0.5, 0.5));
  p.setFont(font);
  const double span = h.hi - h.lo;
  if (span > 0 && std::isfinite(span)) {
    const double step = niceStep(span / 4.0);
    for (double v = std::ceil(h.lo / step) * step; v <= h.hi + 1e-9 * std::abs(step); v += step) {
      const double y = bar.bottom() - (v - h.lo) / span * bar.height();
      p.drawLine(QPointF(bar.right() + 1, y), QPointF(bar.right() + 4, y));
      p.drawText(QRectF(bar.right() + 6, y - fm.height() / 2.0, 60, fm.height()),
                 Qt::AlignLeft | Qt::AlignVCenter, tickLabel(v, step));
    }
  }
  if (!h.title.isEmpty()) {
    p.save();
    const int x = bar.right() + 8 + fm.horizontalAdvance(QStringLiteral("\u22120.00")) + fm.height();
    p.translate(x, bar.center().y());
    p.rotate(-90);
    p.drawText(QRect(-bar.height() / 2, -fm.height(), bar.height(), fm.height() + 2),
               Qt::AlignCenter, fm.elidedText(h.title, Qt::ElideRight, bar.height()));
    p.restore();
  }
}
}  // namespace

QRgb colorMapRgb(ColorMap map, double t) {
  switch (map) {
    case ColorMap::Viridis: return lookup(kViridis, t);
    case ColorMap::Magma: return lookup(kMagma, t);
    case ColorMap::Diverging: return lookup(kDiverging, t);
    case ColorMap::Coolwarm: return lookup(kCoolwarm, t);
  }
  return lookup(kViridis, t);
}

QRectF FieldHeatmap::coverRect() const {
  const double hx = nx > 1 ? (x1 - x0) / (2.0 * (nx - 1)) : 0.5;
  const double hy = ny > 1 ? (y1 - y0) / (2.0 * (ny - 1)) : 0.5;
  return QRectF(QPointF(x0 - hx, y0 - hy), QPointF(x1 + hx, y1 + hy));
}

QImage FieldHeatmap::toImage() const {
  if (empty()) return {};
  QImage img(nx, ny, QImage::Format_ARGB32_Premultiplied);  // opaque or fully transparent
  const double span = hi > lo ? hi - lo : 1.0;
  for (int j = 0; j < ny; ++j) {
    auto* line = reinterpret_cast<QRgb*>(img.scanLine(ny - 1 - j));
    for (int i = 0; i < nx; ++i) {
      const float v = values[j * nx + i];
      if (std::isnan(v)) {
        line[i] = qRgba(0, 0, 0, 0);
        continue;
      }
      // -inf (zero density) shows as the bottom of the scale.
      const double t = std::isfinite(v) ? (v - lo) / span : (v > 0 ? 1.0 : 0.0);
      line[i] = colorMapRgb(map, t);
    }
  }
  return img;
}

double FieldHeatmap::valueAt(const QPointF& w) const {
  if (empty()) return std::numeric_limits<double>::quiet_NaN();
  const QRectF c = coverRect();
  if (!c.contains(w)) return std::numeric_limits<double>::quiet_NaN();
  const int i = std::clamp(int((w.x() - c.left()) / c.width() * nx), 0, nx - 1);
  const int j = std::clamp(int((w.y() - c.top()) / c.height() * ny), 0, ny - 1);
  return values[j * nx + i];
}

FieldLayer* FieldScene::layer(const QString& id) {
  for (FieldLayer& l : layers)
    if (l.id == id) return &l;
  return nullptr;
}

const FieldLayer* FieldScene::layer(const QString& id) const {
  for (const FieldLayer& l : layers)
    if (l.id == id) return &l;
  return nullptr;
}

FieldLayer& FieldScene::put(FieldLayer l) {
  if (FieldLayer* existing = layer(l.id)) {
    *existing = std::move(l);
    return *existing;
  }
  layers.push_back(std::move(l));
  return layers.back();
}

QRectF FieldScene::bounds() const {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  auto add = [&](const QPointF& q) {
    if (!std::isfinite(q.x()) || !std::isfinite(q.y())) return;
    x0 = std::min(x0, q.x());
    x1 = std::max(x1, q.x());
    y0 = std::min(y0, q.y());
    y1 = std::max(y1, q.y());
  };
  if (!heatmap.empty()) {
    const QRectF c = heatmap.coverRect();
    add(c.topLeft());
    add(c.bottomRight());
  }
  for (const FieldLayer& l : layers) {
    for (const QPointF& q : l.points) add(q);
    for (const QPolygonF& line : l.lines)
      for (const QPointF& q : line) add(q);
  }
  if (!std::isfinite(x0)) return QRectF(-1, -1, 2, 2);
  return QRectF(QPointF(x0, y0), QPointF(x1, y1));
}

int FieldScene::pointCount(const QString& id) const {
  const FieldLayer* l = layer(id);
  return l && l->kind == FieldLayer::Kind::Points ? int(l->points.size()) : 0;
}

QRectF FieldViewport::visibleWorld() const {
  const QPointF a = toWorld(QPointF(plot.left(), plot.bottom() + 1));
  const QPointF b = toWorld(QPointF(plot.right() + 1, plot.top()));
  return QRectF(a, b).normalized();
}

FieldViewport FieldViewport::fit(const QRectF& world, const QRect& plot) {
  FieldViewport vp;
  vp.plot = plot;
  const QRectF w = world.normalized();
  vp.center = w.center();
  const double sx = plot.width() / std::max(1e-9, w.width());
  const double sy = plot.height() / std::max(1e-9, w.height());
  vp.scale = std::max(1e-6, std::min(sx, sy));
  return vp;
}

QMargins fieldMargins(const FieldStyle& style, const QFont& font) {
  const QFontMetrics fm(scaledFont(font, style.fontScale));
  const int left = style.axes ? fm.horizontalAdvance(QStringLiteral("\u22120.00")) + 14 : 2;
  const int bottom = style.axes ? fm.height() + 12 : 2;
  const int right = style.colorBar ? 16 + 22 + fm.horizontalAdvance(QStringLiteral("\u22120.00")) + fm.height() : 6;
  return QMargins(left, 6, right, bottom);
}

void renderField(QPainter& p, const FieldScene& scene, const FieldViewport& vp,
                 const FieldStyle& style) {
  const QFont font = scaledFont(p.font(), style.fontScale);
  p.save();
  p.fillRect(vp.plot, style.background);
  p.setClipRect(vp.plot);
  p.setRenderHint(QPainter::Antialiasing);
  if (!scene.heatmap.empty()) {
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    const QRectF c = scene.heatmap.coverRect();
    const QRectF target(vp.toPixel(c.topLeft() + QPointF(0, c.height())),
                        vp.toPixel(c.topLeft() + QPointF(c.width(), 0)));
    p.setOpacity(scene.heatmap.opacity);
    p.drawImage(target, scene.heatmap.toImage());
    p.setOpacity(1.0);
  }
  for (const FieldLayer& l : scene.layers) {
    switch (l.kind) {
      case FieldLayer::Kind::Points: drawPoints(p, l, vp); break;
      case FieldLayer::Kind::Arrows: drawArrows(p, l, vp); break;
      case FieldLayer::Kind::Lines: drawLines(p, l, vp); break;
    }
  }
  if (style.legend) drawLegend(p, scene, vp, font);
  p.setClipping(false);
  if (style.axes) drawAxes(p, vp, font);
  if (style.colorBar && !scene.heatmap.empty()) drawColorBar(p, scene.heatmap, vp, font);
  p.restore();
}

QImage renderFieldImage(const FieldScene& scene, const QSize& size, const FieldStyle& style,
                        const QFont& font, const QRectF& world) {
  QImage img(size, QImage::Format_ARGB32_Premultiplied);
  img.fill(style.background);
  QPainter p(&img);
  p.setFont(font);
  const QMargins m = fieldMargins(style, font);
  const QRect plot = QRect(QPoint(0, 0), size).marginsRemoved(m);
  QRectF w = world.isValid() ? world : scene.bounds();
  if (w.width() < 1e-6 || w.height() < 1e-6) w = QRectF(w.center() - QPointF(1, 1), QSizeF(2, 2));
  w = w.adjusted(-0.05 * w.width(), -0.05 * w.height(), 0.05 * w.width(), 0.05 * w.height());
  renderField(p, scene, FieldViewport::fit(w, plot), style);
  return img;
}

}  // namespace genlab::ui
