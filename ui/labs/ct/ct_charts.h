#pragma once
// Qt Charts of the CT lab: one bar per method for a metric (PSNR, SSIM), and
// per-iteration curves (PSNR, data residual on a log axis) of every method.
#include <QChartView>
#include <QColor>
#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>

class QBarCategoryAxis;
class QBarSeries;
class QBarSet;
class QChart;
class QAbstractAxis;
class QLineSeries;
class QValueAxis;

namespace genlab::ui {

// Method colours shared by the charts and the viewer titles.
QColor ctMethodColor(const QString& method);
// "fbp" -> "FBP", "score" -> "Score prior", ...
QString ctMethodLabel(const QString& method);

class CtBarChart : public QChartView {
  Q_OBJECT

 public:
  CtBarChart(const QString& title, const QString& unit, int decimals, QWidget* parent = nullptr);
  void setValue(const QString& method, double value);  // NaN removes it
  void clearValues();
  double value(const QString& method) const;  // NaN when absent
  int count() const { return m_methods.size(); }
  QSize sizeHint() const override { return {300, 230}; }

 private:
  void rebuild();

  QChart* m_chart;
  QBarSeries* m_series;
  QBarCategoryAxis* m_axisX;
  QValueAxis* m_axisY;
  QString m_unit;
  int m_decimals;
  QStringList m_methods;  // display order: fbp, sirt, tv, score
  QHash<QString, double> m_values;
};

class CtCurveChart : public QChartView {
  Q_OBJECT

 public:
  CtCurveChart(const QString& title, const QString& yTitle, bool logY, QWidget* parent = nullptr);
  void setCurve(const QString& method, const QList<QPointF>& points);
  void clearCurves();
  int pointCount(const QString& method) const;
  QSize sizeHint() const override { return {340, 230}; }

 private:
  void updateRanges();

  QChart* m_chart;
  QValueAxis* m_axisX;
  QAbstractAxis* m_axisY;
  bool m_logY;
  QHash<QString, QLineSeries*> m_series;
};

}  // namespace genlab::ui
