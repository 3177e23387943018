#pragma once
// One grey (or RGB) image scaled up with nearest-neighbour, aspect kept, with
// a caption line below.
#include <QImage>
#include <QString>
#include <QWidget>

#include "core/engine/snapshot.h"

class QPainter;

namespace genlab::ui {

class ImageView : public QWidget {
  Q_OBJECT

 public:
  explicit ImageView(QWidget* parent = nullptr);

  void setImage(const core::Image& image);
  void setImage(const QImage& image);
  void clear();
  void setCaption(const QString& caption);
  // Text shown while there is no image.
  void setPlaceholder(const QString& text);

  const QImage& image() const { return m_image; }
  QString caption() const { return m_caption; }

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QImage m_image;
  QString m_caption;
  QString m_placeholder;
};

// Draws `image` into `target` with nearest-neighbour scaling, centred, aspect
// kept, using an integer zoom when one fits. Returns the rectangle used.
QRect drawPixelImage(QPainter& painter, const QImage& image, const QRect& target);

}  // namespace genlab::ui
