#pragma once
// The 2-D style pad: up to four styles at the corners (A top left, B top
// right, C bottom left, D bottom right); dragging the handle mixes their
// statistics with bilinear weights.
#include <QImage>
#include <QPointF>
#include <QWidget>

#include <array>

namespace genlab::ui {

class StylePad : public QWidget {
  Q_OBJECT

 public:
  explicit StylePad(QWidget* parent = nullptr);
  // Handle position in [0,1]^2 (0,0: A).
  void setPosition(QPointF uv);
  QPointF position() const { return m_uv; }
  std::array<double, 4> weights() const;
  void setThumbnail(int corner, const QImage& image);  // null: corner empty
  QSize sizeHint() const override { return {200, 200}; }
  QSize minimumSizeHint() const override { return {120, 120}; }
  // Widget coordinates of a pad position (for tests that drag it).
  QPoint toWidget(QPointF uv) const;

 Q_SIGNALS:
  void weightsChanged();

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;

 private:
  QRect padRect() const;
  void moveTo(const QPoint& p);

  QPointF m_uv{0, 0};
  std::array<QImage, 4> m_thumbs;
};

}  // namespace genlab::ui
