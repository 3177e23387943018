#pragma once
// Per-channel statistics of the deepest encoder layer as a scatter: one point
// per channel at (mean, std), for the content, the (mixed) style and the
// result. AdaIN moves the result's cloud from the content's onto the style's
// as alpha goes from 0 to 1.
#include <QChartView>
#include <QString>

#include <vector>

class QScatterSeries;
class QValueAxis;

namespace genlab::ui {

class StatsScatter : public QChartView {
  Q_OBJECT

 public:
  explicit StatsScatter(QWidget* parent = nullptr);
  // series: "content", "style" or "result"
  void setStats(const QString& series, const std::vector<float>& mean, const std::vector<float>& std);
  int pointCount(const QString& series) const;
  void setResultLabel(const QString& label);
  // Which encoder layer the points are ("block_6_expand_relu (192 channels, 1/8)").
  void setLayer(const QString& layer);
  QSize sizeHint() const override { return {420, 260}; }

 private:
  void rescale();
  QScatterSeries* m_content;
  QScatterSeries* m_style;
  QScatterSeries* m_result;
  QValueAxis* m_x;
  QValueAxis* m_y;
};

}  // namespace genlab::ui
