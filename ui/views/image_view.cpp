#include "ui/views/image_view.h"

#include <QPaintEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

#include "ui/views/image_convert.h"

namespace genlab::ui {

QRect drawPixelImage(QPainter& painter, const QImage& image, const QRect& target) {
  if (image.isNull() || target.isEmpty()) return {};
  const double sx = double(target.width()) / image.width();
  const double sy = double(target.height()) / image.height();
  double scale = std::min(sx, sy);
  if (scale >= 1.0) scale = std::floor(scale);  // crisp, equal-sized pixels
  const int w = std::max(1, int(std::lround(image.width() * scale)));
  const int h = std::max(1, int(std::lround(image.height() * scale)));
  const QRect r(target.x() + (target.width() - w) / 2, target.y() + (target.height() - h) / 2,
                w, h);
  painter.save();
  painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
  painter.drawImage(r, image);
  painter.restore();
  return r;
}

ImageView::ImageView(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  m_placeholder = tr("no image");
}

void ImageView::setImage(const core::Image& image) { setImage(toQImage(image)); }

void ImageView::setImage(const QImage& image) {
  m_image = image;
  update();
}

void ImageView::clear() {
  m_image = QImage();
  m_caption.clear();
  update();
}

void ImageView::setCaption(const QString& caption) {
  m_caption = caption;
  update();
}

void ImageView::setPlaceholder(const QString& text) {
  m_placeholder = text;
  update();
}

QSize ImageView::sizeHint() const { return {220, 240}; }
QSize ImageView::minimumSizeHint() const { return {96, 112}; }

void ImageView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const int captionH = fontMetrics().height() + 6;
  const QRect area = rect().adjusted(0, 0, 0, -captionH);
  const int side = std::min(area.width(), area.height());
  const QRect square(area.x() + (area.width() - side) / 2, area.y(), side, side);
  p.fillRect(square, QColor(24, 24, 28));
  if (m_image.isNull()) {
    p.setPen(QColor(150, 150, 160));
    p.drawText(square.adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
  } else {
    drawPixelImage(p, m_image, square);
  }
  p.setPen(QColor(90, 90, 100));
  p.drawRect(square.adjusted(0, 0, -1, -1));
  p.setPen(palette().color(QPalette::WindowText));
  p.drawText(QRect(0, area.bottom() + 2, width(), captionH), Qt::AlignHCenter | Qt::AlignTop,
             m_caption);
}

}  // namespace genlab::ui
