#include "ui/views/image_strip_view.h"

#include <QPaintEvent>
#include <QPainter>

#include <algorithm>

#include "ui/views/image_convert.h"
#include "ui/views/image_view.h"

namespace genlab::ui {

ImageStripView::ImageStripView(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void ImageStripView::setImages(const QVector<QImage>& images, const QStringList& captions) {
  m_images = images;
  m_captions = captions;
  update();
}

void ImageStripView::setImages(const std::vector<core::Image>& images,
                               const QStringList& captions) {
  QVector<QImage> converted;
  converted.reserve(int(images.size()));
  for (const core::Image& im : images) converted.push_back(toQImage(im));
  setImages(converted, captions);
}

void ImageStripView::clear() {
  m_images.clear();
  m_captions.clear();
  update();
}

void ImageStripView::setPlaceholder(const QString& text) {
  m_placeholder = text;
  update();
}

QSize ImageStripView::sizeHint() const { return {640, 96}; }
QSize ImageStripView::minimumSizeHint() const { return {200, 60}; }

void ImageStripView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const int captionH = m_captions.isEmpty() ? 0 : fontMetrics().height() + 2;
  if (m_images.isEmpty()) {
    p.fillRect(rect(), QColor(24, 24, 28));
    p.setPen(QColor(150, 150, 160));
    p.drawText(rect().adjusted(8, 4, -8, -4), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
    return;
  }
  const int n = m_images.size();
  const int gap = 4;
  const int cellW = std::max(8, (width() - gap * (n - 1)) / n);
  const int side = std::max(8, std::min(cellW, height() - captionH));
  const int totalW = n * side + (n - 1) * gap;
  int x = std::max(0, (width() - totalW) / 2);
  for (int i = 0; i < n; ++i, x += side + gap) {
    const QRect cell(x, 0, side, side);
    p.fillRect(cell, QColor(24, 24, 28));
    drawPixelImage(p, m_images[i], cell);
    if (i < m_captions.size() && !m_captions[i].isEmpty()) {
      p.setPen(palette().color(QPalette::WindowText));
      p.drawText(QRect(x - gap, side, side + 2 * gap, captionH), Qt::AlignCenter, m_captions[i]);
    }
  }
}

}  // namespace genlab::ui
