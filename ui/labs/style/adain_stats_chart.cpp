#include "ui/labs/style/adain_stats_chart.h"

#include <QChart>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace genlab::ui {

namespace {
QScatterSeries* makeSeries(const QString& name, const QColor& colour, double size) {
  auto* s = new QScatterSeries;
  s->setName(name);
  s->setColor(colour);
  s->setBorderColor(colour.darker(130));
  s->setMarkerSize(size);
  return s;
}
}  // namespace

StatsScatter::StatsScatter(QWidget* parent)
    : QChartView(parent),
      m_content(makeSeries(tr("content"), QColor(60, 120, 200), 7)),
      m_style(makeSeries(tr("style"), QColor(220, 110, 40), 7)),
      m_result(makeSeries(tr("result"), QColor(60, 160, 80), 5)),
      m_x(new QValueAxis),
      m_y(new QValueAxis) {
  auto* chart = new QChart;
  chart->setTitle(tr("Per-channel statistics of the encoder's deepest layer (one point per channel)"));
  for (auto* s : {m_content, m_style, m_result}) chart->addSeries(s);
  m_x->setTitleText(tr("channel mean"));
  m_y->setTitleText(tr("channel std"));
  chart->addAxis(m_x, Qt::AlignBottom);
  chart->addAxis(m_y, Qt::AlignLeft);
  for (auto* s : {m_content, m_style, m_result}) {
    s->attachAxis(m_x);
    s->attachAxis(m_y);
  }
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(2, 2, 2, 2));
  setChart(chart);
  setRenderHint(QPainter::Antialiasing);
  setToolTip(tr("AdaIN's 'style' is exactly these numbers: each feature channel's mean and "
                "standard deviation. Blue: the content image's channels; orange: the style's "
                "(mixed on the pad); green: the result, encoded again. Move alpha and watch the "
                "green cloud travel from blue to orange."));
}

void StatsScatter::setStats(const QString& name, const std::vector<float>& mean, const std::vector<float>& std) {
  QScatterSeries* s = name == QLatin1String("content") ? m_content
                      : name == QLatin1String("style") ? m_style
                                                       : m_result;
  QList<QPointF> pts;
  const std::size_t n = std::min(mean.size(), std.size());
  pts.reserve(int(n));
  for (std::size_t i = 0; i < n; ++i)
    if (std::isfinite(mean[i]) && std::isfinite(std[i])) pts.append(QPointF(mean[i], std[i]));
  s->replace(pts);
  rescale();
}

int StatsScatter::pointCount(const QString& name) const {
  const QScatterSeries* s = name == QLatin1String("content") ? m_content
                            : name == QLatin1String("style") ? m_style
                                                             : m_result;
  return s->count();
}

void StatsScatter::setResultLabel(const QString& label) { m_result->setName(label); }

void StatsScatter::rescale() {
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  bool any = false;
  for (auto* s : {m_content, m_style, m_result})
    for (const QPointF& p : s->points()) {
      if (!any) {
        x0 = x1 = p.x();
        y0 = y1 = p.y();
        any = true;
      }
      x0 = std::min(x0, p.x());
      x1 = std::max(x1, p.x());
      y0 = std::min(y0, p.y());
      y1 = std::max(y1, p.y());
    }
  if (!any) return;
  const double px = std::max(1e-6, (x1 - x0) * 0.05), py = std::max(1e-6, (y1 - y0) * 0.05);
  m_x->setRange(std::min(0.0, x0 - px), x1 + px);
  m_y->setRange(std::min(0.0, y0 - py), y1 + py);
}

}  // namespace genlab::ui

namespace genlab::ui {

void StatsScatter::setLayer(const QString& layer) {
  chart()->setTitle(tr("Per-channel statistics, %1 (one point per channel)").arg(layer));
}

}  // namespace genlab::ui
