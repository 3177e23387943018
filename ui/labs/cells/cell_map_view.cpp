#include "ui/labs/cells/cell_map_view.h"

#include <QElapsedTimer>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace genlab::ui {

QColor selectionColour(int k) {
  switch (k) {
    case 1: return QColor(31, 119, 180);
    case 2: return QColor(214, 39, 40);
    default: return QColor(44, 160, 44);
  }
}

CellMapView::CellMapView(QWidget* parent) : QWidget(parent) {
  setMinimumSize(320, 260);
  setMouseTracking(false);
  m_anim.setInterval(16);
  connect(&m_anim, &QTimer::timeout, this, [this] {
    m_phase = std::min(1.0, m_phase + 16.0 / 900.0);
    if (m_phase >= 1) m_anim.stop();
    update();
  });
}

void CellMapView::setPoints(const std::vector<float>& xy) {
  const bool first = m_xy.empty() || m_xy.size() != xy.size();
  m_xy = xy;
  if (first || m_autoFit) fit();
  for (int k = 1; k <= 3; ++k)
    if (!m_lasso[k - 1].isEmpty()) pickInside(k);
  m_dirty = true;
  update();
}

void CellMapView::setColours(const std::vector<QRgb>& c) {
  m_colours = c;
  m_dirty = true;
  update();
}

void CellMapView::setLegend(const QStringList& names, const QVector<QColor>& colours) {
  m_legendNames = names;
  m_legendColours = colours;
  update();
}

void CellMapView::setEmptyText(const QString& t) {
  m_empty = t;
  update();
}

void CellMapView::setCaption(const QString& t) {
  m_caption = t;
  update();
}

void CellMapView::fit() {
  if (m_xy.empty()) return;
  float x0 = m_xy[0], x1 = m_xy[0], y0 = m_xy[1], y1 = m_xy[1];
  for (std::size_t i = 0; i < m_xy.size(); i += 2) {
    x0 = std::min(x0, m_xy[i]);
    x1 = std::max(x1, m_xy[i]);
    y0 = std::min(y0, m_xy[i + 1]);
    y1 = std::max(y1, m_xy[i + 1]);
  }
  m_center = QPointF((x0 + x1) / 2, (y0 + y1) / 2);
  const double w = std::max(1e-6f, x1 - x0), h = std::max(1e-6f, y1 - y0);
  m_scale = 0.9 * std::min((width() - 20) / w, (height() - 40) / h);
  if (!(m_scale > 0)) m_scale = 40;
  m_dirty = true;
  update();
}

void CellMapView::panBy(QPointF d) {
  m_center -= QPointF(d.x() / m_scale, -d.y() / m_scale);
  m_autoFit = false;
  m_dirty = true;
  update();
}

QPointF CellMapView::mapAt(const QPointF& p) const {
  return QPointF(m_center.x() + (p.x() - width() / 2.0) / m_scale,
                 m_center.y() - (p.y() - height() / 2.0) / m_scale);
}

QPointF CellMapView::widgetPosOf(const QPointF& m) const {
  return QPointF(width() / 2.0 + (m.x() - m_center.x()) * m_scale,
                 height() / 2.0 - (m.y() - m_center.y()) * m_scale);
}

void CellMapView::renderNow() {
  renderCache();
}

void CellMapView::renderCache() {
  const qreal dpr = devicePixelRatioF();
  QImage img(QSize(std::max(1, width()), std::max(1, height())) * dpr, QImage::Format_ARGB32_Premultiplied);
  img.fill(Qt::white);
  const int W = img.width(), H = img.height();
  auto* bits = reinterpret_cast<QRgb*>(img.bits());
  const int stride = img.bytesPerLine() / 4;
  const double cx = W / 2.0 - m_center.x() * m_scale * dpr, cy = H / 2.0 + m_center.y() * m_scale * dpr;
  const double s = m_scale * dpr;
  const std::size_t n = m_xy.size() / 2;
  // 2x2 dots, alpha-blended by hand: no QPainter call per cell.
  for (std::size_t i = 0; i < n; ++i) {
    const int x = static_cast<int>(cx + m_xy[2 * i] * s), y = static_cast<int>(cy - m_xy[2 * i + 1] * s);
    if (x < 0 || y < 0 || x >= W - 1 || y >= H - 1) continue;
    const QRgb c = i < m_colours.size() ? m_colours[i] : qRgb(120, 120, 120);
    const int r = qRed(c), g = qGreen(c), b = qBlue(c);
    for (int dy = 0; dy < 2; ++dy)
      for (int dx = 0; dx < 2; ++dx) {
        QRgb& px = bits[(y + dy) * stride + x + dx];
        px = qRgb((qRed(px) + 2 * r) / 3, (qGreen(px) + 2 * g) / 3, (qBlue(px) + 2 * b) / 3);
      }
  }
  img.setDevicePixelRatio(dpr);
  m_cache = img;
  m_dirty = false;
}

void CellMapView::paintEvent(QPaintEvent*) {
  QElapsedTimer t;
  t.start();
  QPainter p(this);
  if (m_xy.empty()) {
    p.fillRect(rect(), Qt::white);
    p.setPen(Qt::gray);
    p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_empty);
    m_lastPaintMs = t.nsecsElapsed() / 1e6;
    return;
  }
  if (m_dirty || m_cache.size() != size() * devicePixelRatioF()) renderCache();
  p.drawImage(0, 0, m_cache);
  p.setRenderHint(QPainter::Antialiasing);
  for (int k = 1; k <= 3; ++k) {
    if (m_lasso[k - 1].isEmpty()) continue;
    QPolygonF poly;
    for (const auto& q : m_lasso[k - 1]) poly << widgetPosOf(q);
    QColor c = selectionColour(k);
    p.setPen(QPen(c, 2, Qt::DashLine));
    c.setAlpha(30);
    p.setBrush(c);
    p.drawPolygon(poly);
    p.setPen(selectionColour(k));
    p.drawText(poly.boundingRect().topLeft() + QPointF(2, -4),
               k == 1 ? tr("1 control (%1)").arg(m_sel[0].size())
                      : k == 2 ? tr("2 treated (%1)").arg(m_sel[1].size())
                               : tr("3 apply to (%1)").arg(m_sel[2].size()));
  }
  if (!m_drawing.isEmpty()) {
    p.setPen(QPen(Qt::black, 1, Qt::DashLine));
    p.setBrush(Qt::NoBrush);
    p.drawPolyline(m_drawing);
  }
  // The predicted cloud, moving from the third selection to its prediction.
  if (!m_predTo.empty()) {
    const double e = 1 - std::pow(1 - m_phase, 3);
    QColor c(255, 127, 14);
    p.setPen(Qt::NoPen);
    p.setBrush(c);
    for (std::size_t i = 0; i + 1 < m_predTo.size(); i += 2) {
      const QPointF a(m_predFrom[i], m_predFrom[i + 1]), b(m_predTo[i], m_predTo[i + 1]);
      p.drawEllipse(widgetPosOf(a + (b - a) * e), 2.2, 2.2);
    }
  }
  if (m_hasArrow) {
    const QPointF a = widgetPosOf(m_arrowFrom), b = widgetPosOf(m_arrowTo);
    p.setPen(QPen(Qt::black, 3));
    p.drawLine(a, b);
    const QPointF d = b - a;
    const double len = std::hypot(d.x(), d.y());
    if (len > 1) {
      const QPointF u = d / len, nrm(-u.y(), u.x());
      QPolygonF head;
      head << b << b - u * 14 + nrm * 6 << b - u * 14 - nrm * 6;
      p.setBrush(Qt::black);
      p.drawPolygon(head);
    }
    p.drawText(b + QPointF(6, -6), QStringLiteral("δ"));
  }
  // Legend and caption.
  p.setPen(Qt::black);
  int y = 16;
  for (int i = 0; i < m_legendNames.size() && i < 14; ++i, y += 16) {
    p.setBrush(m_legendColours.value(i));
    p.setPen(Qt::NoPen);
    p.drawEllipse(QPointF(12, y - 4), 4, 4);
    p.setPen(Qt::black);
    p.drawText(QPointF(20, y), m_legendNames[i]);
  }
  if (!m_caption.isEmpty()) {
    p.setPen(Qt::darkGray);
    p.drawText(QRectF(0, height() - 20, width() - 6, 18), Qt::AlignRight, m_caption);
  }
  m_lastPaintMs = t.nsecsElapsed() / 1e6;
}

void CellMapView::resizeEvent(QResizeEvent*) {
  if (m_autoFit) fit();
  m_dirty = true;
}

void CellMapView::mousePressEvent(QMouseEvent* e) {
  m_last = e->position();
  m_dragging = true;
  if (m_mode != Mode::Pan && e->button() == Qt::LeftButton) m_drawing = QPolygonF() << e->position();
}

void CellMapView::mouseMoveEvent(QMouseEvent* e) {
  if (!m_dragging) return;
  if (!m_drawing.isEmpty()) {
    m_drawing << e->position();
  } else {
    const QPointF d = e->position() - m_last;
    m_center -= QPointF(d.x() / m_scale, -d.y() / m_scale);
    m_autoFit = false;
    m_dirty = true;
  }
  m_last = e->position();
  update();
}

void CellMapView::mouseReleaseEvent(QMouseEvent*) {
  m_dragging = false;
  if (m_drawing.size() >= 3) {
    const int k = m_mode == Mode::Lasso1 ? 1 : m_mode == Mode::Lasso2 ? 2 : 3;
    QPolygonF poly;
    for (const auto& q : m_drawing) poly << mapAt(q);
    m_drawing.clear();
    setLasso(k, poly);
    Q_EMIT lassoFinished(k);
  }
  m_drawing.clear();
  update();
}

void CellMapView::wheelEvent(QWheelEvent* e) {
  const QPointF before = mapAt(e->position());
  m_scale *= std::pow(1.0015, e->angleDelta().y());
  const QPointF after = mapAt(e->position());
  m_center += before - after;
  m_autoFit = false;
  m_dirty = true;
  update();
}

void CellMapView::setLasso(int k, const QPolygonF& poly) {
  m_lasso[k - 1] = poly;
  pickInside(k);
  update();
}

void CellMapView::pickInside(int k) {
  auto& sel = m_sel[k - 1];
  sel.clear();
  const QPolygonF& poly = m_lasso[k - 1];
  const QRectF box = poly.boundingRect();
  for (std::size_t i = 0; i < m_xy.size() / 2; ++i) {
    const QPointF q(m_xy[2 * i], m_xy[2 * i + 1]);
    if (box.contains(q) && poly.containsPoint(q, Qt::OddEvenFill)) sel.push_back(static_cast<int>(i));
  }
}

void CellMapView::clearSelections() {
  for (int k = 0; k < 3; ++k) m_lasso[k].clear(), m_sel[k].clear();
  m_hasArrow = false;
  m_predFrom.clear();
  m_predTo.clear();
  update();
}

void CellMapView::setArrow(QPointF from, QPointF to) {
  m_hasArrow = true;
  m_arrowFrom = from;
  m_arrowTo = to;
  update();
}

void CellMapView::setPrediction(const std::vector<float>& s, const std::vector<float>& t) {
  m_predFrom = s;
  m_predTo = t;
  m_phase = 0;
  m_anim.start();
  update();
}

}  // namespace genlab::ui
