#include "ui/views/field_view.h"

#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QToolButton>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

#include "ui/views/view_style.h"

namespace genlab::ui {

FieldView::FieldView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setFocusPolicy(Qt::ClickFocus);
  // A right-drag pans; a right-click without movement opens the menu (on release).
  setContextMenuPolicy(Qt::PreventContextMenu);
  m_fitButton = new QToolButton(this);
  m_fitButton->setText(tr("Fit"));
  m_fitButton->setToolTip(tr("Show the whole data range again (double-click does the same)"));
  m_fitButton->setAutoRaise(true);
  // Legible over any heatmap colour.
  m_fitButton->setStyleSheet(
      "QToolButton { background: rgba(255, 255, 255, 200); border: 1px solid rgba(0, 0, 0, 60);"
      " border-radius: 3px; padding: 1px 6px; color: #202030; }");
  connect(m_fitButton, &QToolButton::clicked, this, &FieldView::fit);
  setToolTip(tr("Wheel: zoom · right-drag or Ctrl+drag: pan · double-click: fit · "
                "right-click: export"));
}

QSize FieldView::sizeHint() const { return {620, 560}; }
QSize FieldView::minimumSizeHint() const { return {260, 220}; }

void FieldView::setScene(FieldScene scene) {
  m_scene = std::move(scene);
  ++m_refreshes;
  m_dirty = true;
  update();
}

void FieldView::clear() { setScene(FieldScene{}); }

void FieldView::setHomeRect(const QRectF& world) {
  if (!world.isValid() || world.isEmpty()) return;
  m_home = world.normalized();
  if (m_follow) fit();
}

void FieldView::setFontScale(double scale) {
  m_style.fontScale = scale;
  layoutViewport();
}

void FieldView::setPaintMode(bool on) {
  m_paintMode = on;
  setCursor(on ? Qt::CrossCursor : Qt::ArrowCursor);
  update();
}

void FieldView::setBrushRadius(double r) {
  m_brushRadius = std::max(1e-3, r);
  update();
}

void FieldView::setEraseMode(bool on) {
  m_erase = on;
  update();
}

void FieldView::fit() {
  m_follow = true;
  layoutViewport();
}

void FieldView::layoutViewport() {
  const QFont f = font();
  const QFontMetrics fm(scaledFont(f, m_style.fontScale * 1.1));
  QMargins m = fieldMargins(m_style, f);
  m.setTop(m.top() + fm.height() + 6);  // the title line
  const QRect plot = rect().marginsRemoved(m);
  if (plot.width() < 10 || plot.height() < 10) return;
  if (m_follow) {
    m_vp = FieldViewport::fit(m_home, plot);
  } else {
    const QPointF c = m_vp.center;
    const double s = m_vp.scale;
    m_vp.plot = plot;
    m_vp.center = c;
    m_vp.scale = s;
  }
  m_fitButton->adjustSize();
  m_fitButton->move(plot.left() + 4, plot.top() + 4);
  m_dirty = true;
  update();
  const QRectF visible = m_vp.visibleWorld();
  if (visible != m_lastVisible) {
    m_lastVisible = visible;
    Q_EMIT viewChanged();
  }
}

void FieldView::resizeEvent(QResizeEvent*) { layoutViewport(); }

void FieldView::renderCache() {
  const qreal dpr = devicePixelRatioF();
  if (m_cache.size() != size() * dpr)
    m_cache = QImage(size() * dpr, QImage::Format_ARGB32_Premultiplied);
  m_cache.setDevicePixelRatio(dpr);
  m_cache.fill(palette().color(QPalette::Window));
  QPainter p(&m_cache);
  p.setFont(font());
  renderField(p, m_scene, m_vp, m_style);
  drawTitle(p);
  if (m_scene.empty() && !m_scene.emptyText.isEmpty()) {
    p.setFont(scaledFont(font(), m_style.fontScale));
    p.setPen(QColor(90, 90, 100));
    p.drawText(m_vp.plot.adjusted(20, 20, -20, -20), Qt::AlignCenter | Qt::TextWordWrap,
               m_scene.emptyText);
  }
  m_dirty = false;
  ++m_renders;
}

void FieldView::drawTitle(QPainter& p) {
  QFont bold = scaledFont(font(), m_style.fontScale * 1.1);
  bold.setBold(true);
  const QFontMetrics fm(bold);
  p.setFont(bold);
  p.setPen(palette().color(QPalette::WindowText));
  const QRect line(m_vp.plot.left(), 2, m_vp.plot.width(), fm.height() + 2);
  p.drawText(line, Qt::AlignLeft | Qt::AlignVCenter,
             fm.elidedText(m_scene.title, Qt::ElideRight, line.width()));
  if (m_scene.caption.isEmpty()) return;
  QFont f = scaledFont(font(), m_style.fontScale);
  p.setFont(f);
  const QFontMetrics cm(f);
  const QRect box(m_vp.plot.right() - cm.horizontalAdvance(m_scene.caption) - 14,
                  m_vp.plot.bottom() - cm.height() - 8, cm.horizontalAdvance(m_scene.caption) + 10,
                  cm.height() + 4);
  p.setPen(Qt::NoPen);
  p.setBrush(QColor(255, 255, 255, 210));
  p.drawRoundedRect(box, 3, 3);
  p.setPen(QColor(20, 20, 30));
  p.drawText(box, Qt::AlignCenter, m_scene.caption);
}

void FieldView::paintEvent(QPaintEvent*) {
  if (m_dirty || m_cache.isNull()) renderCache();
  QPainter p(this);
  p.drawImage(0, 0, m_cache);
  if (!m_hideHover) drawOverlay(p);
}

void FieldView::drawOverlay(QPainter& p) {
  if (!m_hover || !m_vp.plot.contains(m_hover->toPoint())) return;
  p.setRenderHint(QPainter::Antialiasing);
  const QPointF w = m_vp.toWorld(*m_hover);
  if (m_paintMode) {
    const bool erase = m_erase;
    p.setPen(QPen(erase ? QColor(200, 30, 30) : QColor(20, 20, 30), 1.5, Qt::DashLine));
    p.setBrush(erase ? QColor(200, 30, 30, 40) : QColor(31, 119, 180, 40));
    const double r = m_brushRadius * m_vp.scale;
    p.drawEllipse(*m_hover, r, r);
  }
  QString text = QStringLiteral("x %1  y %2").arg(w.x(), 0, 'f', 2).arg(w.y(), 0, 'f', 2);
  const double v = m_scene.heatmap.valueAt(w);
  if (std::isfinite(v)) text += QStringLiteral("   %1 = %2").arg(m_scene.heatmap.title).arg(v, 0, 'g', 4);
  const QFontMetrics fm(font());
  const QRect box(m_vp.plot.left() + 4, m_vp.plot.bottom() - fm.height() - 6,
                  fm.horizontalAdvance(text) + 10, fm.height() + 4);
  p.setPen(Qt::NoPen);
  p.setBrush(QColor(255, 255, 255, 210));
  p.drawRoundedRect(box, 3, 3);
  p.setPen(QColor(20, 20, 30));
  p.setFont(font());
  p.drawText(box, Qt::AlignCenter, text);
}

QImage FieldView::exportImage() {
  m_hideHover = true;
  m_fitButton->hide();
  const QImage img = grab().toImage();
  m_fitButton->show();
  m_hideHover = false;
  return img;
}

void FieldView::dab(const QPointF& pos, bool erase) {
  m_lastDab = pos;
  Q_EMIT brushStroke(m_vp.toWorld(pos), erase);
}

void FieldView::mousePressEvent(QMouseEvent* e) {
  m_lastMouse = m_pressPos = e->position();
  const bool panButton = e->button() == Qt::RightButton || e->button() == Qt::MiddleButton ||
                         (e->button() == Qt::LeftButton && (e->modifiers() & Qt::ControlModifier));
  if (panButton) {
    m_drag = Drag::Pan;
    setCursor(Qt::ClosedHandCursor);
  } else if (e->button() == Qt::LeftButton && m_paintMode && m_vp.plot.contains(e->pos())) {
    m_drag = Drag::Paint;
    m_dragErase = m_erase || (e->modifiers() & Qt::ShiftModifier);
    dab(e->position(), m_dragErase);
  }
  e->accept();
}

void FieldView::mouseMoveEvent(QMouseEvent* e) {
  const QPointF pos = e->position();
  m_hover = pos;
  if (m_drag == Drag::Pan) {
    const QPointF d = pos - m_lastMouse;
    if (d.manhattanLength() > 0) {
      m_follow = false;
      m_vp.center -= QPointF(d.x(), -d.y()) / m_vp.scale;
      m_dirty = true;
      m_lastVisible = m_vp.visibleWorld();
      Q_EMIT viewChanged();
    }
  } else if (m_drag == Drag::Paint) {
    const QPointF d = pos - m_lastDab;
    // A dab every half brush radius keeps the stroke even at any speed.
    if (std::hypot(d.x(), d.y()) >= std::max(2.0, 0.5 * m_brushRadius * m_vp.scale))
      dab(pos, m_dragErase);
  }
  m_lastMouse = pos;
  if (m_vp.plot.contains(pos.toPoint())) Q_EMIT hovered(m_vp.toWorld(pos));
  update();
}

void FieldView::mouseReleaseEvent(QMouseEvent* e) {
  if (m_drag == Drag::Paint) Q_EMIT strokeFinished();
  if (e->button() == Qt::RightButton && (e->position() - m_pressPos).manhattanLength() <= 3) {
    m_drag = Drag::None;
    showMenu(e->globalPosition().toPoint());
  }
  m_drag = Drag::None;
  setCursor(m_paintMode ? Qt::CrossCursor : Qt::ArrowCursor);
}

void FieldView::mouseDoubleClickEvent(QMouseEvent* e) {
  if (!m_paintMode) fit();
  e->accept();
}

void FieldView::wheelEvent(QWheelEvent* e) {
  const double steps = e->angleDelta().y() / 120.0;
  if (steps == 0) return;
  const QPointF pos = e->position();
  const QPointF before = m_vp.toWorld(pos);
  m_vp.scale = std::clamp(m_vp.scale * std::pow(1.2, steps), 1e-3, 1e7);
  const QPointF after = m_vp.toWorld(pos);
  m_vp.center += before - after;
  m_follow = false;
  m_dirty = true;
  update();
  m_lastVisible = m_vp.visibleWorld();
  Q_EMIT viewChanged();
  e->accept();
}

void FieldView::leaveEvent(QEvent*) {
  m_hover.reset();
  update();
}

void FieldView::showMenu(const QPoint& globalPos) {
  auto* menu = new QMenu(this);
  menu->setAttribute(Qt::WA_DeleteOnClose);
  menu->addAction(tr("Export view as PNG…"), this, &FieldView::exportRequested);
  menu->addAction(tr("Fit"), this, &FieldView::fit);
  menu->popup(globalPos);
}

}  // namespace genlab::ui
