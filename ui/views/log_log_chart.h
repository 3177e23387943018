#pragma once
// A line chart with logarithmic x and y axes (Qt Charts): named series with
// markers or dashed reference lines; non-positive values are left out.
#include <QChartView>
#include <QColor>
#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>

class QChart;
class QLineSeries;
class QLogValueAxis;

namespace genlab::ui {

class LogLogChart : public QChartView {
  Q_OBJECT

 public:
  explicit LogLogChart(const QString& title, QWidget* parent = nullptr);

  void setAxisTitles(const QString& x, const QString& y);
  // Creates or replaces a series.
  void setSeries(const QString& name, const QList<QPointF>& points, const QColor& color,
                 bool dashed = false, bool markers = true);
  void clearSeries();
  int pointCount(const QString& name) const;
  QStringList seriesNames() const { return m_order; }

  QSize sizeHint() const override;

 private:
  void updateRanges();

  QChart* m_chart;
  QLogValueAxis* m_x;
  QLogValueAxis* m_y;
  QHash<QString, QLineSeries*> m_series;
  QStringList m_order;
};

}  // namespace genlab::ui
