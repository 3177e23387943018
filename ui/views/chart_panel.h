#pragma once
// A small line chart (Qt Charts) that every lab draws its curves with: named
// series created on demand, points appended or replaced, both axes re-ranged
// to the data, x axis "epoch" unless set. The y axis is linear or log10 (a
// log chart leaves out values <= 0); non-finite values are never drawn.
#include <QChartView>
#include <QColor>
#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>

class QAbstractAxis;
class QChart;
class QLineSeries;
class QValueAxis;

namespace genlab::ui {

class ChartPanel : public QChartView {
  Q_OBJECT

 public:
  enum class Scale { Linear, Log };
  explicit ChartPanel(const QString& title, QWidget* parent = nullptr,
                      Scale yScale = Scale::Linear);

  void setYTitle(const QString& title);
  void setXTitle(const QString& title);
  // Style of a series; creates it if needed. Series with markers show their
  // points. `label`, when given, is what the legend shows instead of `name`.
  void setSeriesStyle(const QString& name, const QColor& color, bool markers = false,
                      const QString& label = {});
  void appendPoint(const QString& name, const QPointF& point);
  void replacePoints(const QString& name, const QList<QPointF>& points);
  void clearPoints();  // keeps the series, removes their points
  void clearSeries();  // removes every series (and its legend entry)
  int pointCount(const QString& name) const;
  QStringList seriesNames() const;

  QSize sizeHint() const override;

 private:
  QLineSeries* series(const QString& name);
  void updateRanges();

  QList<QPointF> drawable(const QList<QPointF>& points) const;

  QChart* m_chart;
  QValueAxis* m_x;
  QAbstractAxis* m_y;
  bool m_logY;
  QHash<QString, QLineSeries*> m_series;
  QStringList m_order;
};

}  // namespace genlab::ui
