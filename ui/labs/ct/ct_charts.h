#pragma once
// The CT lab's charts, drawn with the shared views: one bar per method for a
// metric (PSNR, SSIM) on a BarChartPanel, and per-iteration curves (PSNR,
// data residual on a log axis) of every method on a ChartPanel.
#include <QColor>
#include <QList>
#include <QPointF>
#include <QString>

namespace genlab::ui {

class BarChartPanel;
class ChartPanel;

// Method colours shared by the charts and the viewer titles.
QColor ctMethodColor(const QString& method);
// "fbp" -> "FBP", "score" -> "Score prior", ...
QString ctMethodLabel(const QString& method);

// A bar chart with the four methods in display order; `top` > 0 fixes its range.
BarChartPanel* makeCtBarChart(const QString& title, const QString& unit, int decimals,
                              double top = 0);
// A curve chart over iterations; `logY` for the residual.
ChartPanel* makeCtCurveChart(const QString& title, const QString& yTitle, bool logY);
// Replaces `method`'s curve; a one-shot method (FBP, a single point) shows a marker.
void setCtCurve(ChartPanel* chart, const QString& method, const QList<QPointF>& points);

}  // namespace genlab::ui
