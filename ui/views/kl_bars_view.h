#pragma once
// KL(q(z_i|x) || N(0,1)) per latent dimension as bars on a log scale, with
// the activity threshold (0.01 nats) drawn as a line, the number of active
// units, and a warning when fewer than half of the dimensions are active
// (posterior collapse).
#include <QWidget>

#include <vector>

class QPainter;

namespace genlab::ui {

class KlBarsView : public QWidget {
  Q_OBJECT

 public:
  static constexpr double kThreshold = 0.01;  // nats

  explicit KlBarsView(QWidget* parent = nullptr);

  void setValues(const std::vector<double>& klPerDim);
  void clear();
  int activeUnits() const;
  int dimensions() const { return int(m_values.size()); }
  bool collapseWarning() const;
  // The text of the headline (e.g. "2 of 2 dimensions active").
  QString summary() const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  void drawAxis(QPainter& p, const QRect& plot, double topValue) const;
  void drawBars(QPainter& p, const QRect& plot, double topValue) const;

  std::vector<double> m_values;
};

}  // namespace genlab::ui
