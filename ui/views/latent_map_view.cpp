#include "ui/views/latent_map_view.h"

#include <QElapsedTimer>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolButton>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace genlab::ui {

namespace {
constexpr int kMarginLeft = 52, kMarginBottom = 30, kMarginTop = 8, kMarginRight = 10;
constexpr double kSpriteRadius = 2.6;

// A "nice" tick step (1, 2 or 5 times a power of ten) near `raw`.
double niceStep(double raw) {
  const double mag = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-12))));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

QString tickLabel(double v, double step) {
  if (std::abs(v) < step * 1e-6) v = 0;
  const int decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
  return QString::number(v, 'f', decimals);
}

QImage makeSprite(const QColor& color) {
  const int side = int(std::ceil(2 * kSpriteRadius + 2));
  QImage sprite(side, side, QImage::Format_ARGB32_Premultiplied);
  sprite.fill(Qt::transparent);
  QPainter p(&sprite);
  p.setRenderHint(QPainter::Antialiasing);
  QColor fill = color;
  fill.setAlphaF(0.72);
  p.setPen(Qt::NoPen);
  p.setBrush(fill);
  p.drawEllipse(QPointF(side / 2.0, side / 2.0), kSpriteRadius, kSpriteRadius);
  return sprite;
}
}  // namespace

QColor labelColor(int label) {
  static const QColor kTab10[] = {
      QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),  QColor(214, 39, 40),
      QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194), QColor(127, 127, 127),
      QColor(188, 189, 34),  QColor(23, 190, 207)};
  if (label < 0) return QColor(90, 90, 100);
  return kTab10[label % 10];
}

LatentMapView::LatentMapView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setFocusPolicy(Qt::ClickFocus);
  setAttribute(Qt::WA_OpaquePaintEvent);
  m_emptyText = tr("No latent map yet: press Start to train.");
  m_axisX = QStringLiteral("z1");
  m_axisY = QStringLiteral("z2");
  for (int i = 0; i < 10; ++i) m_sprites.push_back(makeSprite(labelColor(i)));
  m_sprites.push_back(makeSprite(labelColor(-1)));
  m_rerender.setSingleShot(true);
  m_rerender.setInterval(60);
  connect(&m_rerender, &QTimer::timeout, this, [this] {
    m_cacheDirty = true;
    update();
  });
  m_fitButton = new QToolButton(this);
  m_fitButton->setText(tr("Fit"));
  m_fitButton->setToolTip(tr("Show all points and follow the map as it changes"));
  m_fitButton->setAutoRaise(false);
  m_fitButton->setCursor(Qt::ArrowCursor);
  connect(m_fitButton, &QToolButton::clicked, this, &LatentMapView::fit);
  m_anim.setInterval(16);
  connect(&m_anim, &QTimer::timeout, this, [this] {
    m_phase = std::min(1.0, m_phase + 16.0 / 900.0);
    if (m_phase >= 1) m_anim.stop();
    update();
  });
}

QSize LatentMapView::sizeHint() const { return {640, 600}; }
QSize LatentMapView::minimumSizeHint() const { return {260, 240}; }

QRect LatentMapView::plotRect() const {
  return QRect(kMarginLeft, kMarginTop, std::max(10, width() - kMarginLeft - kMarginRight),
               std::max(10, height() - kMarginTop - kMarginBottom));
}

QPointF LatentMapView::latentAt(const QPointF& w) const {
  const QRectF r = plotRect();
  return {m_view.center.x() + (w.x() - r.center().x()) / m_view.scale,
          m_view.center.y() - (w.y() - r.center().y()) / m_view.scale};
}

QPointF LatentMapView::widgetPosOf(const QPointF& l) const {
  const QRectF r = plotRect();
  return {r.center().x() + (l.x() - m_view.center.x()) * m_view.scale,
          r.center().y() - (l.y() - m_view.center.y()) * m_view.scale};
}

QRectF LatentMapView::visibleLatentRect() const {
  const QRectF r = plotRect();
  const QPointF a = latentAt(r.topLeft()), b = latentAt(r.bottomRight());
  return QRectF(QPointF(a.x(), b.y()), QPointF(b.x(), a.y())).normalized();
}

void LatentMapView::setPoints(const std::vector<float>& xy, const std::vector<int>& labels) {
  const int n = int(xy.size() / 2);
  const int stride = std::max(1, (n + kMaxPoints - 1) / kMaxPoints);
  m_points.clear();
  m_labels.clear();
  m_indices.clear();
  m_hasLabels = false;
  for (int i = 0; i < n; i += stride) {
    const float x = xy[2 * i], y = xy[2 * i + 1];
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    m_points.push_back(QPointF(x, y));
    const int label = i < int(labels.size()) ? labels[i] : -1;
    m_labels.push_back(label);
    m_indices.push_back(i);
    m_hasLabels = m_hasLabels || label >= 0;
  }
  for (int k = 1; k <= kLassos; ++k)
    if (!m_lassos[k - 1].isEmpty()) pickInside(k);
  m_cacheDirty = true;
  if (m_autoFit) fitToPoints();
  update();
}

void LatentMapView::clearPoints() {
  m_points.clear();
  m_labels.clear();
  m_hasLabels = false;
  m_pointColours.clear();
  for (auto& sel : m_selections) sel.clear();
  m_pinned.reset();
  m_endA.reset();
  m_endB.reset();
  clearOverlay();
  m_autoFit = true;
  m_cacheDirty = true;
  update();
}

void LatentMapView::setAxisNames(const QString& x, const QString& y) {
  m_axisX = x;
  m_axisY = y;
  update();
}

void LatentMapView::setEmptyText(const QString& text) {
  m_emptyText = text;
  update();
}

void LatentMapView::setOverlay(const QImage& image, const QRectF& latentRect) {
  m_overlay = image;
  m_overlayRect = latentRect.normalized();
  update();
}

void LatentMapView::setOverlayVisible(bool visible) {
  m_overlayVisible = visible;
  m_cacheDirty = true;  // the opaque many-point cache would hide the overlay
  update();
}

void LatentMapView::clearOverlay() {
  m_overlay = QImage();
  update();
}

void LatentMapView::setPinned(const QPointF& latent) {
  m_pinned = latent;
  update();
}

void LatentMapView::clearPinned() {
  m_pinned.reset();
  update();
}

void LatentMapView::clearInterpolation() {
  m_endA.reset();
  m_endB.reset();
  update();
}

void LatentMapView::setInterpolation(const QPointF& a, const QPointF& b) {
  m_endA = a;
  m_endB = b;
  update();
}

void LatentMapView::fit() {
  m_autoFit = true;
  fitToPoints();
}

void LatentMapView::fitToPoints() {
  QRectF box(-3, -3, 6, 6);
  if (m_points.size() >= 2) {
    // Percentiles rather than min/max, so that a few outliers do not shrink the cloud.
    std::vector<double> xs, ys;
    xs.reserve(m_points.size());
    ys.reserve(m_points.size());
    for (const QPointF& p : std::as_const(m_points)) {
      xs.push_back(p.x());
      ys.push_back(p.y());
    }
    auto pct = [](std::vector<double>& v, double q) {
      const size_t k = std::min(v.size() - 1, size_t(q * (v.size() - 1)));
      std::nth_element(v.begin(), v.begin() + k, v.end());
      return v[k];
    };
    const double x0 = pct(xs, 0.002), x1 = pct(xs, 0.998);
    const double y0 = pct(ys, 0.002), y1 = pct(ys, 0.998);
    box = QRectF(QPointF(x0, y0), QPointF(x1, y1));
  }
  const QRectF r = plotRect();
  const double w = std::max(box.width(), 1e-3) * 1.12, h = std::max(box.height(), 1e-3) * 1.12;
  m_view.center = box.center();
  m_view.scale = std::min(r.width() / w, r.height() / h);
  m_cacheDirty = true;
  update();
  Q_EMIT viewChanged();
}

void LatentMapView::viewMoved() {
  m_autoFit = false;
  if (!m_rerender.isActive()) m_rerender.start();
  update();
  Q_EMIT viewChanged();
}

void LatentMapView::renderCache() {
  const QRect r = plotRect();
  const qreal dpr = devicePixelRatioF();
  if ((m_points.size() > kSpriteLimit || !m_pointColours.empty()) &&
      !(m_overlayVisible && !m_overlay.isNull())) {
    // Many points: an opaque cache (white, the grid, then the points) that a
    // frame copies instead of blending a transparent plot-sized image.
    m_cache = QImage(r.size() * dpr, QImage::Format_RGB32);
    m_cache.setDevicePixelRatio(dpr);
    m_cache.fill(Qt::white);
    {
      QPainter g(&m_cache);
      g.translate(-QPointF(r.topLeft()));
      drawGridAndAxes(g);
    }
    renderPixels(m_cache, r);
    m_cacheView = m_view;
    m_cacheView.size = r.size();
    m_cacheDirty = false;
    return;
  }
  m_cache = QImage(r.size() * dpr, QImage::Format_ARGB32_Premultiplied);
  m_cache.setDevicePixelRatio(dpr);
  m_cache.fill(Qt::transparent);
  QPainter p(&m_cache);
  const double half = m_sprites.front().width() / 2.0;
  for (int i = 0; i < m_points.size(); ++i) {
    const QPointF w = widgetPosOf(m_points[i]) - QPointF(r.topLeft());
    if (w.x() < -4 || w.y() < -4 || w.x() > r.width() + 4 || w.y() > r.height() + 4) continue;
    const int label = m_labels[i];
    const QImage& sprite = m_sprites[label < 0 ? 10 : label % 10];
    p.drawImage(QPointF(w.x() - half, w.y() - half), sprite);
  }
  m_cacheView = m_view;
  m_cacheView.size = r.size();
  m_cacheDirty = false;
}

void LatentMapView::drawPoints(QPainter& p) {
  const QRect r = plotRect();
  View now = m_view;
  now.size = r.size();
  if (m_cacheDirty && !m_rerender.isActive()) renderCache();
  if (m_cache.isNull()) return;
  p.save();
  p.setClipRect(r);
  if (m_cacheView == now) {
    p.drawImage(r.topLeft(), m_cache);
  } else {
    // Interaction in progress: reuse the old rendering, moved and scaled.
    const double k = m_view.scale / m_cacheView.scale;
    const QPointF shift(
        (m_cacheView.center.x() - m_view.center.x()) * m_view.scale,
        -(m_cacheView.center.y() - m_view.center.y()) * m_view.scale);
    const QSizeF cs = m_cacheView.size;
    const QPointF topLeft = QPointF(r.center()) + shift - QPointF(cs.width(), cs.height()) * k / 2;
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(QRectF(topLeft, cs * k), m_cache);
  }
  p.restore();
}

void LatentMapView::paintEvent(QPaintEvent*) {
  QElapsedTimer timer;
  timer.start();
  QPainter p(this);
  p.fillRect(rect(), palette().color(QPalette::Window));
  const QRect r = plotRect();
  p.fillRect(r, Qt::white);
  drawGridAndAxes(p);
  // With the manifold grid on, the decoded images are the picture and the
  // scatter stays as a faint guide on top.
  const bool overlay = m_overlayVisible && !m_overlay.isNull();
  drawOverlay(p);
  p.setOpacity(overlay ? 0.45 : 1.0);
  drawPoints(p);
  p.setOpacity(1.0);
  p.setRenderHint(QPainter::Antialiasing);
  drawRegion(p);
  drawSelections(p);
  drawArrowAndCloud(p);
  drawMarkers(p);
  drawCrosshair(p);
  drawLegend(p);
  drawCaption(p);
  if (m_points.isEmpty()) {
    p.setPen(QColor(110, 110, 120));
    p.drawText(r, Qt::AlignCenter | Qt::TextWordWrap, m_emptyText);
  }
  p.setPen(palette().color(QPalette::Mid));
  p.setBrush(Qt::NoBrush);
  p.drawRect(QRectF(r).adjusted(0.5, 0.5, -0.5, -0.5));
  m_lastPaintMs = timer.nsecsElapsed() / 1e6;
}

void LatentMapView::drawGridAndAxes(QPainter& p) {
  const QRect r = plotRect();
  const QRectF vis = visibleLatentRect();
  const QFontMetrics fm = fontMetrics();
  const double step = niceStep(std::max(vis.width(), vis.height()) /
                               std::max(2.0, std::min(r.width(), r.height()) / 80.0));
  const QColor gridColor(232, 232, 238), axisColor(200, 200, 210);
  const QColor text = palette().color(QPalette::WindowText);
  for (double x = std::ceil(vis.left() / step) * step; x <= vis.right(); x += step) {
    const double wx = widgetPosOf({x, 0}).x();
    p.setPen(std::abs(x) < step * 1e-6 ? axisColor : gridColor);
    p.drawLine(QPointF(wx, r.top()), QPointF(wx, r.bottom()));
    p.setPen(text);
    p.drawLine(QPointF(wx, r.bottom()), QPointF(wx, r.bottom() + 4));
    p.drawText(QRectF(wx - 40, r.bottom() + 5, 80, fm.height()), Qt::AlignHCenter,
               tickLabel(x, step));
  }
  for (double y = std::ceil(vis.top() / step) * step; y <= vis.bottom(); y += step) {
    const double wy = widgetPosOf({0, y}).y();
    p.setPen(std::abs(y) < step * 1e-6 ? axisColor : gridColor);
    p.drawLine(QPointF(r.left(), wy), QPointF(r.right(), wy));
    p.setPen(text);
    p.drawLine(QPointF(r.left() - 4, wy), QPointF(r.left(), wy));
    p.drawText(QRectF(0, wy - fm.height() / 2.0, r.left() - 6, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, tickLabel(y, step));
  }
  QFont italic = font();
  italic.setItalic(true);
  p.setFont(italic);
  p.setPen(QColor(90, 90, 105));
  p.drawText(r.adjusted(6, 6, -8, -6), Qt::AlignRight | Qt::AlignBottom, m_axisX);
  const int fitW = m_fitButton->width() + 12;
  p.drawText(r.adjusted(fitW, 8, -8, -6), Qt::AlignLeft | Qt::AlignTop, m_axisY);
  p.setFont(font());
}

void LatentMapView::drawOverlay(QPainter& p) {
  if (!m_overlayVisible || m_overlay.isNull() || m_overlayRect.isEmpty()) return;
  const QPointF a = widgetPosOf({m_overlayRect.left(), m_overlayRect.bottom()});
  const QPointF b = widgetPosOf({m_overlayRect.right(), m_overlayRect.top()});
  p.save();
  p.setClipRect(plotRect());
  // Decoded tiles are pixel images: enlarge them crisply, shrink them smoothly.
  p.setRenderHint(QPainter::SmoothPixmapTransform, std::abs(b.x() - a.x()) < m_overlay.width());
  p.drawImage(QRectF(a, b), m_overlay);
  p.restore();
}

void LatentMapView::drawMarkers(QPainter& p) {
  p.save();
  p.setClipRect(plotRect());
  auto endpoint = [&](const QPointF& l, const QString& name) {
    const QPointF w = widgetPosOf(l);
    p.setPen(QPen(Qt::black, 1.5));
    p.setBrush(QColor(255, 215, 0));
    p.drawEllipse(w, 9, 9);
    QFont f = font();
    f.setBold(true);
    p.setFont(f);
    p.drawText(QRectF(w.x() - 9, w.y() - 9, 18, 18), Qt::AlignCenter, name);
  };
  if (m_endA && m_endB) {
    p.setPen(QPen(QColor(40, 40, 40), 2, Qt::DashLine));
    p.drawLine(widgetPosOf(*m_endA), widgetPosOf(*m_endB));
  }
  if (m_endA) endpoint(*m_endA, "A");
  if (m_endB) endpoint(*m_endB, "B");
  if (m_pinned) {
    const QPointF w = widgetPosOf(*m_pinned);
    for (const auto& [color, width] : {std::pair{QColor(255, 255, 255), 4.5},
                                       std::pair{QColor(220, 20, 60), 2.0}}) {
      p.setPen(QPen(color, width));
      p.setBrush(Qt::NoBrush);
      p.drawEllipse(w, 8, 8);
      p.drawLine(w + QPointF(-14, 0), w + QPointF(-5, 0));
      p.drawLine(w + QPointF(5, 0), w + QPointF(14, 0));
      p.drawLine(w + QPointF(0, -14), w + QPointF(0, -5));
      p.drawLine(w + QPointF(0, 5), w + QPointF(0, 14));
    }
  }
  p.restore();
}

void LatentMapView::drawCrosshair(QPainter& p) {
  const QRect r = plotRect();
  if (!m_hover || !r.contains(m_hover->toPoint()) || m_drag == Drag::Pan) return;
  const QPointF w = *m_hover;
  p.save();
  p.setPen(QPen(QColor(60, 60, 70, 150), 1, Qt::DashLine));
  p.drawLine(QPointF(r.left(), w.y()), QPointF(r.right(), w.y()));
  p.drawLine(QPointF(w.x(), r.top()), QPointF(w.x(), r.bottom()));
  const QPointF l = latentAt(w);
  const QString text = QString("(%1, %2)").arg(l.x(), 0, 'f', 2).arg(l.y(), 0, 'f', 2);
  const QFontMetrics fm = fontMetrics();
  QRectF box(w + QPointF(10, 8), QSizeF(fm.horizontalAdvance(text) + 10, fm.height() + 4));
  if (box.right() > r.right()) box.moveRight(w.x() - 10);
  if (box.bottom() > r.bottom()) box.moveBottom(w.y() - 8);
  p.setPen(Qt::NoPen);
  p.setBrush(QColor(255, 255, 255, 220));
  p.drawRoundedRect(box, 3, 3);
  p.setPen(QColor(30, 30, 40));
  p.drawText(box, Qt::AlignCenter, text);
  p.restore();
}

void LatentMapView::resizeEvent(QResizeEvent*) {
  const QSize hint = m_fitButton->sizeHint();
  const QRect r = plotRect();
  m_fitButton->setGeometry(r.left() + 6, r.top() + 6, hint.width(), hint.height());
  m_cacheDirty = true;
  if (m_autoFit) fitToPoints();
  else Q_EMIT viewChanged();
}

void LatentMapView::mousePressEvent(QMouseEvent* e) {
  const QPointF pos = e->position();
  m_lastMouse = pos;
  const bool ctrl = e->modifiers() & Qt::ControlModifier;
  if (e->button() == Qt::RightButton || e->button() == Qt::MiddleButton ||
      (e->button() == Qt::LeftButton && ctrl)) {
    m_drag = Drag::Pan;
    setCursor(Qt::ClosedHandCursor);
    return;
  }
  if (e->button() != Qt::LeftButton || !plotRect().contains(pos.toPoint())) return;
  const QPointF l = latentAt(pos);
  if (m_lassoMode > 0) {
    m_drag = Drag::Lasso;
    m_drawing = QPolygonF() << l;
    return;
  }
  if (m_leftPans && !(e->modifiers() & Qt::ShiftModifier) && !m_brushEnabled) {
    m_drag = Drag::Pan;
    setCursor(Qt::ClosedHandCursor);
    return;
  }
  if (e->modifiers() & Qt::ShiftModifier) {
    if (!m_endA || m_endB) {
      m_endA = l;
      m_endB.reset();
      Q_EMIT interpolationStarted(l);
    } else {
      m_endB = l;
      Q_EMIT interpolationRequested(*m_endA, *m_endB);
    }
    update();
    return;
  }
  if (m_brushEnabled) {
    m_drag = Drag::Brush;
    paintDisc(pos);
    return;
  }
  m_drag = Drag::Scrub;
  m_pinned = l;
  update();
  Q_EMIT picked(l);
}

void LatentMapView::mouseMoveEvent(QMouseEvent* e) {
  const QPointF pos = e->position();
  m_hover = pos;
  if (m_drag == Drag::Pan) {
    const QPointF d = pos - m_lastMouse;
    m_view.center -= QPointF(d.x() / m_view.scale, -d.y() / m_view.scale);
    m_lastMouse = pos;
    viewMoved();
    return;
  }
  const QRect r = plotRect();
  if (m_drag == Drag::Lasso) {
    m_drawing << latentAt(pos);
    update();
    return;
  }
  if (m_drag == Drag::Brush) {
    if (r.contains(pos.toPoint())) paintDisc(pos);
    return;
  }
  if (m_drag == Drag::Scrub) {
    const QPointF clamped(std::clamp(pos.x(), qreal(r.left()), qreal(r.right())),
                          std::clamp(pos.y(), qreal(r.top()), qreal(r.bottom())));
    m_pinned = latentAt(clamped);
    Q_EMIT picked(*m_pinned);
  }
  update();
  if (r.contains(pos.toPoint())) Q_EMIT hovered(latentAt(pos));
}

void LatentMapView::mouseReleaseEvent(QMouseEvent*) {
  if (m_drag == Drag::Pan) unsetCursor();
  if (m_drag == Drag::Brush) Q_EMIT regionChanged();
  if (m_drag == Drag::Lasso) finishLasso();
  m_drag = Drag::None;
  update();
}

void LatentMapView::wheelEvent(QWheelEvent* e) {
  const double notches = e->angleDelta().y() / 120.0;
  if (notches == 0) return;
  const QPointF pos = e->position();
  const QPointF anchor = latentAt(pos);
  m_view.scale = std::clamp(m_view.scale * std::pow(1.2, notches), 1e-3, 1e7);
  // Keep the latent point under the cursor fixed.
  const QPointF moved = latentAt(pos);
  m_view.center += anchor - moved;
  viewMoved();
  e->accept();
}

void LatentMapView::leaveEvent(QEvent*) {
  m_hover.reset();
  update();
}

int LatentMapView::nearestPoint(const QPointF& widgetPos, double maxDistance) const {
  int best = -1;
  double bestD = maxDistance * maxDistance;
  for (int i = 0; i < m_points.size(); ++i) {
    const QPointF d = widgetPosOf(m_points[i]) - widgetPos;
    const double d2 = d.x() * d.x() + d.y() * d.y();
    if (d2 < bestD) {
      bestD = d2;
      best = i;
    }
  }
  return best;
}

QString LatentMapView::helpText() const {
  if (m_leftPans)
    return tr("<b>Map</b><br>Drag: pan &middot; wheel: zoom &middot; Fit: reset") +
           (m_lassoMode > 0 ? tr("<br><b>Lasso %1:</b> drag around the cells to select").arg(m_lassoMode)
                            : QString());
  return tr("<b>Latent map</b><br>Click: decode that point &middot; drag: scrub<br>"
            "Shift+click twice: interpolate from A to B<br>"
            "Wheel: zoom &middot; right-drag, middle-drag or Ctrl+drag: pan &middot; Fit: reset") +
         (m_brushEnabled ? tr("<br><b>Brush on:</b> drag to paint the sampling region") : QString()) +
         (m_lassoMode > 0 ? tr("<br><b>Lasso %1:</b> drag around the cells to select").arg(m_lassoMode)
                          : QString());
}

bool LatentMapView::event(QEvent* e) {
  if (e->type() != QEvent::ToolTip) return QWidget::event(e);
  auto* help = static_cast<QHelpEvent*>(e);
  if (!plotRect().contains(help->pos())) {
    QToolTip::hideText();
    return true;
  }
  const int i = nearestPoint(help->pos(), 6);
  QString text = helpText();
  if (i >= 0) {
    text = (m_pointColours.empty() ? tr("test image %1 &middot; label %2<br>z = (%3, %4)")
                                   : tr("point %1 &middot; label %2<br>(%3, %4)"))
               .arg(m_indices[i])
               .arg(m_labels[i] < 0 ? tr("unknown") : QString::number(m_labels[i]))
               .arg(m_points[i].x(), 0, 'f', 3)
               .arg(m_points[i].y(), 0, 'f', 3);
  }
  QToolTip::showText(help->globalPos(), text, this);
  return true;
}

}  // namespace genlab::ui
