// LatentMapView, continued: per-point colours drawn pixel by pixel (what
// makes 100 000 points cheap), the legends and caption, the brushed region,
// lasso selections, the δ arrow and the animated predicted cloud.
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

#include "ui/views/latent_map_view.h"

namespace genlab::ui {

namespace {
const char* const kNames[] = {QT_TRANSLATE_NOOP("genlab::ui::LatentMapView", "1 control (%1)"),
                              QT_TRANSLATE_NOOP("genlab::ui::LatentMapView", "2 treated (%1)"),
                              QT_TRANSLATE_NOOP("genlab::ui::LatentMapView", "3 apply to (%1)")};
}  // namespace

QColor selectionColour(int k) {
  switch (k) {
    case 1: return QColor(31, 119, 180);
    case 2: return QColor(214, 39, 40);
    default: return QColor(44, 160, 44);
  }
}

void LatentMapView::setPointColours(const std::vector<QRgb>& colours) {
  m_pointColours = colours;
  m_cacheDirty = true;
  update();
}

void LatentMapView::setLegend(const QStringList& names, const QVector<QColor>& colours) {
  m_legendNames = names;
  m_legendColours = colours;
  update();
}

void LatentMapView::drawLegend(QPainter& p) {
  const QRect r = plotRect();
  const QFontMetrics fm = fontMetrics();
  if (!m_legendNames.isEmpty()) {
    const int rowH = fm.height() + 2, rows = int(std::min<qsizetype>(14, m_legendNames.size()));
    int w = 0;
    for (int i = 0; i < rows; ++i) w = std::max(w, fm.horizontalAdvance(m_legendNames[i]));
    const QRect box(r.right() - w - 36, r.top() + 8, w + 28, rowH * rows + 8);
    p.save();
    p.setPen(QColor(200, 200, 210));
    p.setBrush(QColor(255, 255, 255, 225));
    p.drawRoundedRect(box, 4, 4);
    for (int i = 0; i < rows; ++i) {
      const int y = box.top() + 4 + rowH * i;
      p.setPen(Qt::NoPen);
      p.setBrush(m_legendColours.value(i, QColor(120, 120, 120)));
      p.drawEllipse(QPointF(box.left() + 12, y + rowH / 2.0), 5, 5);
      p.setPen(QColor(40, 40, 50));
      p.drawText(QRect(box.left() + 22, y, box.width() - 24, rowH), Qt::AlignVCenter, m_legendNames[i]);
    }
    p.restore();
    return;
  }
  if (!m_hasLabels) return;
  const int rowH = fm.height() + 2, w = fm.horizontalAdvance("label") + 16;
  const QRect box(r.right() - w - 8, r.top() + 8, w, rowH * 11 + 8);
  p.save();
  p.setPen(QColor(200, 200, 210));
  p.setBrush(QColor(255, 255, 255, 225));
  p.drawRoundedRect(box, 4, 4);
  p.setPen(QColor(40, 40, 50));
  p.drawText(QRect(box.left(), box.top() + 4, box.width(), rowH), Qt::AlignCenter, tr("label"));
  for (int i = 0; i < 10; ++i) {
    const int y = box.top() + 4 + rowH * (i + 1);
    p.setPen(Qt::NoPen);
    p.setBrush(labelColor(i));
    p.drawEllipse(QPointF(box.left() + 14, y + rowH / 2.0), 5, 5);
    p.setPen(QColor(40, 40, 50));
    p.drawText(QRect(box.left() + 24, y, box.width() - 26, rowH), Qt::AlignVCenter,
               QString::number(i));
  }
  p.restore();
}

void LatentMapView::paintDisc(const QPointF& widgetPos) {
  const QPointF l = latentAt(widgetPos);
  const double r = m_brushPixels / m_view.scale;
  // Skip discs that add little to the last one (a slow drag paints densely).
  if (!m_region.isEmpty()) {
    const Disc& last = m_region.back();
    if (std::hypot(last.x - l.x(), last.y - l.y()) < 0.35 * std::min(r, last.r)) return;
  }
  if (m_region.size() >= 20000) return;  // a bound on what one region can hold
  m_region.push_back({l.x(), l.y(), r});
  update();
}

void LatentMapView::setBrushEnabled(bool enabled) {
  m_brushEnabled = enabled;
  setCursor(enabled ? Qt::CrossCursor : Qt::ArrowCursor);
}

void LatentMapView::setBrushRegion(const QVector<Disc>& region) {
  m_region = region;
  update();
  Q_EMIT regionChanged();
}

void LatentMapView::clearBrushRegion() {
  if (m_region.isEmpty()) return;
  m_region.clear();
  update();
  Q_EMIT regionChanged();
}

void LatentMapView::drawRegion(QPainter& p) {
  if (m_region.isEmpty()) return;
  p.save();
  p.setClipRect(plotRect());
  p.setRenderHint(QPainter::Antialiasing);
  QPainterPath path;
  path.setFillRule(Qt::WindingFill);
  for (const Disc& d : m_region) {
    const double rp = d.r * m_view.scale;
    path.addEllipse(widgetPosOf({d.x, d.y}), rp, rp);
  }
  p.setPen(Qt::NoPen);
  p.setBrush(QColor(255, 140, 0, 70));
  p.drawPath(path.simplified());
  p.restore();
}

void LatentMapView::setCaption(const QString& text) {
  m_caption = text;
  update();
}

// Each point is a 2x2 (above kSpriteLimit points) or a 3x3 block of device
// pixels, blended by hand at 72 % opacity into the premultiplied cache: no
// QPainter call per point.
void LatentMapView::renderPixels(QImage& image, const QRect& plot) {
  const qreal dpr = image.devicePixelRatio();
  const int W = image.width(), H = image.height();
  auto* bits = reinterpret_cast<QRgb*>(image.bits());
  const int stride = image.bytesPerLine() / 4;
  const double s = m_view.scale * dpr;
  const double cx = (plot.width() / 2.0) * dpr - m_view.center.x() * s;
  const double cy = (plot.height() / 2.0) * dpr + m_view.center.y() * s;
  const int side = m_points.size() > kSpriteLimit ? 2 : 3;
  const int half = side / 2;
  constexpr int a = 184;  // 0.72 * 255
  QRgb labelRgb[11];
  for (int i = 0; i < 10; ++i) labelRgb[i] = labelColor(i).rgb();
  labelRgb[10] = labelColor(-1).rgb();
  const bool perPoint = !m_pointColours.empty();
  for (int i = 0; i < m_points.size(); ++i) {
    const int x = static_cast<int>(std::floor(cx + m_points[i].x() * s)) - half;
    const int y = static_cast<int>(std::floor(cy - m_points[i].y() * s)) - half;
    if (x < 0 || y < 0 || x + side > W || y + side > H) continue;
    const int idx = m_indices[i];
    QRgb c;
    if (perPoint && idx < int(m_pointColours.size())) c = m_pointColours[idx];
    else c = labelRgb[m_labels[i] < 0 ? 10 : m_labels[i] % 10];
    const int r = qRed(c) * a / 255, g = qGreen(c) * a / 255, b = qBlue(c) * a / 255;
    for (int dy = 0; dy < side; ++dy)
      for (int dx = 0; dx < side; ++dx) {
        QRgb& px = bits[(y + dy) * stride + x + dx];
        const int keep = 255 - a;
        px = qRgba(r + qRed(px) * keep / 255, g + qGreen(px) * keep / 255,
                   b + qBlue(px) * keep / 255, a + qAlpha(px) * keep / 255);
      }
  }
}

void LatentMapView::panBy(const QPointF& d) {
  m_view.center -= QPointF(d.x() / m_view.scale, -d.y() / m_view.scale);
  m_autoFit = false;
  m_rerender.stop();
  m_cacheDirty = true;  // the next paint renders every point, as the end of a drag does
  update();
  Q_EMIT viewChanged();
}

void LatentMapView::setLassoMode(int k) {
  m_lassoMode = std::clamp(k, 0, kLassos);
  setCursor(m_lassoMode > 0 ? Qt::CrossCursor : Qt::ArrowCursor);
}

void LatentMapView::setLasso(int k, const QPolygonF& polygon) {
  if (k < 1 || k > kLassos) return;
  m_lassos[k - 1] = polygon;
  pickInside(k);
  update();
}

QPolygonF LatentMapView::lasso(int k) const {
  return k >= 1 && k <= kLassos ? m_lassos[k - 1] : QPolygonF();
}

const std::vector<int>& LatentMapView::selection(int k) const {
  static const std::vector<int> none;
  return k >= 1 && k <= kLassos ? m_selections[k - 1] : none;
}

void LatentMapView::pickInside(int k) {
  auto& sel = m_selections[k - 1];
  sel.clear();
  const QPolygonF& poly = m_lassos[k - 1];
  if (poly.size() < 3) return;
  const QRectF box = poly.boundingRect();
  for (int i = 0; i < m_points.size(); ++i) {
    const QPointF& q = m_points[i];
    if (box.contains(q) && poly.containsPoint(q, Qt::OddEvenFill)) sel.push_back(m_indices[i]);
  }
}

void LatentMapView::finishLasso() {
  const int k = m_lassoMode;
  QPolygonF drawn = m_drawing;
  m_drawing.clear();
  if (k < 1 || drawn.size() < 3) return;
  setLasso(k, drawn);
  Q_EMIT lassoFinished(k);
}

void LatentMapView::clearSelections() {
  for (int k = 0; k < kLassos; ++k) m_lassos[k].clear(), m_selections[k].clear();
  m_drawing.clear();
  m_hasArrow = false;
  m_predFrom.clear();
  m_predTo.clear();
  m_anim.stop();
  m_phase = 1;
  update();
}

void LatentMapView::setArrow(const QPointF& from, const QPointF& to) {
  m_hasArrow = true;
  m_arrowFrom = from;
  m_arrowTo = to;
  update();
}

void LatentMapView::setPrediction(const std::vector<float>& source, const std::vector<float>& target) {
  const std::size_t n = std::min(source.size(), target.size()) / 2 * 2;
  m_predFrom.assign(source.begin(), source.begin() + n);
  m_predTo.assign(target.begin(), target.begin() + n);
  m_phase = 0;
  m_anim.start();
  update();
}

void LatentMapView::drawSelections(QPainter& p) {
  p.save();
  p.setClipRect(plotRect());
  p.setRenderHint(QPainter::Antialiasing);
  for (int k = 1; k <= kLassos; ++k) {
    if (m_lassos[k - 1].isEmpty()) continue;
    QPolygonF poly;
    for (const auto& q : m_lassos[k - 1]) poly << widgetPosOf(q);
    QColor c = selectionColour(k);
    p.setPen(QPen(c, 2, Qt::DashLine));
    c.setAlpha(30);
    p.setBrush(c);
    p.drawPolygon(poly);
  }
  if (!m_drawing.isEmpty()) {
    QPolygonF line;
    for (const auto& q : m_drawing) line << widgetPosOf(q);
    p.setPen(QPen(selectionColour(m_lassoMode), 1.5, Qt::DashLine));
    p.setBrush(Qt::NoBrush);
    p.drawPolyline(line);
  }
  p.restore();
}

void LatentMapView::drawArrowAndCloud(QPainter& p) {
  p.save();
  p.setClipRect(plotRect());
  p.setRenderHint(QPainter::Antialiasing);
  if (!m_predTo.empty()) {
    // Ease out: the cloud moves fast at first and settles on the prediction.
    const double e = 1 - std::pow(1 - m_phase, 3);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(255, 127, 14, 210));
    for (std::size_t i = 0; i + 1 < m_predTo.size(); i += 2) {
      const QPointF a(m_predFrom[i], m_predFrom[i + 1]), b(m_predTo[i], m_predTo[i + 1]);
      p.drawEllipse(widgetPosOf(a + (b - a) * e), 2.2, 2.2);
    }
  }
  // The lassos' names go above the cloud, on a white label, so it cannot hide them.
  QFont bold = font();
  bold.setBold(true);
  p.setFont(bold);
  const QFontMetrics fm(bold);
  for (int k = 1; k <= kLassos; ++k) {
    if (m_lassos[k - 1].isEmpty()) continue;
    QPolygonF poly;
    for (const auto& q : m_lassos[k - 1]) poly << widgetPosOf(q);
    const QString text = tr(kNames[k - 1]).arg(m_selections[k - 1].size());
    const QRectF box(poly.boundingRect().topLeft() + QPointF(0, -fm.height() - 4),
                     QSizeF(fm.horizontalAdvance(text) + 8, fm.height() + 2));
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(255, 255, 255, 215));
    p.drawRoundedRect(box, 3, 3);
    p.setPen(selectionColour(k).darker(130));
    p.drawText(box, Qt::AlignCenter, text);
  }
  p.setFont(font());
  if (m_hasArrow) {
    const QPointF a = widgetPosOf(m_arrowFrom), b = widgetPosOf(m_arrowTo);
    for (const auto& [colour, width] : {std::pair{QColor(255, 255, 255), 6.0}, std::pair{QColor(0, 0, 0), 3.0}}) {
      p.setPen(QPen(colour, width, Qt::SolidLine, Qt::RoundCap));
      p.drawLine(a, b);
    }
    const QPointF d = b - a;
    const double len = std::hypot(d.x(), d.y());
    if (len > 1) {
      const QPointF u = d / len, nrm(-u.y(), u.x());
      QPolygonF head;
      head << b << b - u * 14 + nrm * 6 << b - u * 14 - nrm * 6;
      p.setPen(QPen(Qt::white, 1));
      p.setBrush(Qt::black);
      p.drawPolygon(head);
    }
    QFont f = font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.3);
    p.setFont(f);
    p.setPen(Qt::black);
    p.drawText(b + QPointF(6, -6), QStringLiteral("δ"));
    p.setFont(font());
  }
  p.restore();
}

void LatentMapView::drawCaption(QPainter& p) {
  if (m_caption.isEmpty()) return;
  const QRect r = plotRect();
  p.save();
  p.setPen(QColor(90, 90, 105));
  p.drawText(QRectF(r.left() + 8, r.bottom() - 40, r.width() - 16, 18), Qt::AlignRight, m_caption);
  p.restore();
}

}  // namespace genlab::ui
