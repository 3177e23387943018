#include "ui/labs/style/style_pad.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

namespace genlab::ui {

StylePad::StylePad(QWidget* parent) : QWidget(parent) {
  setToolTip(tr("Style pad: the four corners hold styles A-D (load them with the buttons "
                "above). Drag the handle to mix their per-channel means and stds with "
                "bilinear weights; empty corners are left out."));
  setMouseTracking(false);
}

void StylePad::setPosition(QPointF uv) {
  uv.setX(std::clamp(uv.x(), 0.0, 1.0));
  uv.setY(std::clamp(uv.y(), 0.0, 1.0));
  if (uv == m_uv) return;
  m_uv = uv;
  update();
  Q_EMIT weightsChanged();
}

std::array<double, 4> StylePad::weights() const {
  const double u = m_uv.x(), v = m_uv.y();
  return {(1 - u) * (1 - v), u * (1 - v), (1 - u) * v, u * v};
}

void StylePad::setThumbnail(int corner, const QImage& image) {
  if (corner < 0 || corner > 3) return;
  m_thumbs[corner] = image.isNull() ? QImage() : image.scaled(48, 48, Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation);
  update();
}

QRect StylePad::padRect() const {
  const int side = std::min(width(), height()) - 20;
  return QRect((width() - side) / 2, (height() - side) / 2, side, side);
}

QPoint StylePad::toWidget(QPointF uv) const {
  const QRect r = padRect();
  return QPoint(r.left() + int(uv.x() * r.width()), r.top() + int(uv.y() * r.height()));
}

void StylePad::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QRect r = padRect();
  p.fillRect(r, palette().base());
  p.setPen(QPen(palette().mid().color(), 1));
  p.drawRect(r);
  const auto w = weights();
  const char* names[4] = {"A", "B", "C", "D"};
  for (int k = 0; k < 4; ++k) {
    const QPoint c = toWidget(QPointF(k % 2, k / 2));
    QRect box(0, 0, 48, 48);
    box.moveCenter(c + QPoint(k % 2 ? -28 : 28, k / 2 ? -28 : 28));
    if (!m_thumbs[k].isNull()) p.drawImage(box, m_thumbs[k], QRect(QPoint(0, 0), box.size()));
    else p.fillRect(box, palette().alternateBase());
    const QString label = m_thumbs[k].isNull() ? QLatin1String(names[k])
                                               : QStringLiteral("%1 %2").arg(QLatin1String(names[k])).arg(w[k], 0, 'f', 2);
    QRect tr = p.fontMetrics().boundingRect(label).adjusted(-2, 0, 2, 0);
    tr.moveTopLeft(box.topLeft());
    p.fillRect(tr, QColor(255, 255, 255, 200));
    p.setPen(Qt::black);
    p.drawText(tr, Qt::AlignCenter, label);
  }
  const QPoint h = toWidget(m_uv);
  p.setPen(QPen(QColor(40, 70, 140), 2));
  p.setBrush(QColor(90, 140, 220, 200));
  p.drawEllipse(h, 8, 8);
}

void StylePad::mousePressEvent(QMouseEvent* e) { moveTo(e->pos()); }
void StylePad::mouseMoveEvent(QMouseEvent* e) {
  if (e->buttons() & Qt::LeftButton) moveTo(e->pos());
}

void StylePad::moveTo(const QPoint& pt) {
  const QRect r = padRect();
  setPosition(QPointF(double(pt.x() - r.left()) / r.width(), double(pt.y() - r.top()) / r.height()));
}

}  // namespace genlab::ui
