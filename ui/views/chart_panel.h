#pragma once
// A small line chart (Qt Charts): named series created on demand, points
// appended or replaced, both axes re-ranged to the data, x axis "epoch".
#include <QChartView>
#include <QColor>
#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>

class QChart;
class QLineSeries;
class QValueAxis;

namespace genlab::ui {

class ChartPanel : public QChartView {
  Q_OBJECT

 public:
  explicit ChartPanel(const QString& title, QWidget* parent = nullptr);

  void setYTitle(const QString& title);
  void setXTitle(const QString& title);
  // Style of a series; creates it if needed. Series with markers show their points.
  void setSeriesStyle(const QString& name, const QColor& color, bool markers = false);
  void appendPoint(const QString& name, const QPointF& point);
  void replacePoints(const QString& name, const QList<QPointF>& points);
  void clearPoints();  // keeps the series, removes their points
  int pointCount(const QString& name) const;
  QStringList seriesNames() const;

  QSize sizeHint() const override;

 private:
  QLineSeries* series(const QString& name);
  void updateRanges();

  QChart* m_chart;
  QValueAxis* m_x;
  QValueAxis* m_y;
  QHash<QString, QLineSeries*> m_series;
  QStringList m_order;
};

}  // namespace genlab::ui
