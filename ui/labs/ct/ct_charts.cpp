#include "ui/labs/ct/ct_charts.h"

#include <QObject>

#include "ui/views/bar_chart_panel.h"
#include "ui/views/chart_panel.h"

namespace genlab::ui {

namespace {
const char* const kOrder[] = {"fbp", "sirt", "tv", "score"};
}  // namespace

QColor ctMethodColor(const QString& m) {
  if (m == "fbp") return QColor(90, 110, 140);
  if (m == "sirt") return QColor(44, 160, 44);
  if (m == "tv") return QColor(230, 120, 0);
  if (m == "score") return QColor(148, 60, 180);
  return QColor(120, 120, 120);
}

QString ctMethodLabel(const QString& m) {
  if (m == "fbp") return QObject::tr("FBP");
  if (m == "sirt") return QObject::tr("SIRT");
  if (m == "tv") return QObject::tr("TV");
  if (m == "score") return QObject::tr("Score prior");
  return m;
}

BarChartPanel* makeCtBarChart(const QString& title, const QString& unit, int decimals,
                              double top) {
  auto* chart = new BarChartPanel(title, unit, decimals, top);
  for (const char* m : kOrder) {
    const QString key = QString::fromLatin1(m);
    // Short legend names: four of them share a narrow chart.
    chart->addCategory(key, key == "score" ? QObject::tr("Score") : ctMethodLabel(key),
                       ctMethodColor(key));
  }
  return chart;
}

ChartPanel* makeCtCurveChart(const QString& title, const QString& yTitle, bool logY) {
  auto* chart = new ChartPanel(title, nullptr, logY ? ChartPanel::Scale::Log : ChartPanel::Scale::Linear);
  chart->setXTitle(QObject::tr("iteration"));
  chart->setYTitle(yTitle);
  chart->setMinimumHeight(170);
  return chart;
}

void setCtCurve(ChartPanel* chart, const QString& method, const QList<QPointF>& points) {
  chart->setSeriesStyle(method, ctMethodColor(method), points.size() < 3, ctMethodLabel(method));
  chart->replacePoints(method, points);
}

}  // namespace genlab::ui
