#pragma once
// A row of equally sized images (e.g. an interpolation from A to B), each
// with an optional caption below.
#include <QImage>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <vector>

#include "core/engine/snapshot.h"

namespace genlab::ui {

class ImageStripView : public QWidget {
  Q_OBJECT

 public:
  explicit ImageStripView(QWidget* parent = nullptr);

  void setImages(const QVector<QImage>& images, const QStringList& captions = {});
  void setImages(const std::vector<core::Image>& images, const QStringList& captions = {});
  void clear();
  void setPlaceholder(const QString& text);
  int count() const { return m_images.size(); }
  const QVector<QImage>& images() const { return m_images; }

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QVector<QImage> m_images;
  QStringList m_captions;
  QString m_placeholder;
};

}  // namespace genlab::ui
