#include "ui/views/log_log_chart.h"

#include <QChart>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLineSeries>
#include <QLogValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace genlab::ui {

LogLogChart::LogLogChart(const QString& title, QWidget* parent)
    : QChartView(parent), m_chart(new QChart), m_x(new QLogValueAxis), m_y(new QLogValueAxis) {
  m_chart->setTitle(title);
  QFont titleFont = font();
  titleFont.setBold(true);
  titleFont.setPointSizeF(titleFont.pointSizeF() * 1.1);
  m_chart->setTitleFont(titleFont);
  QFont big = font();
  big.setPointSizeF(big.pointSizeF() * 1.2);  // legible on a projector
  m_chart->legend()->setAlignment(Qt::AlignBottom);
  m_chart->legend()->setFont(big);
  m_chart->setMargins(QMargins(4, 2, 8, 2));
  m_chart->layout()->setContentsMargins(0, 0, 0, 0);
  m_chart->setBackgroundRoundness(0);
  for (QLogValueAxis* axis : {m_x, m_y}) {
    axis->setBase(10);
    axis->setLabelFormat("%g");
    axis->setLabelsFont(big);
    axis->setTitleFont(big);
    axis->setMinorTickCount(8);
    axis->setRange(1, 10);
  }
  m_chart->addAxis(m_x, Qt::AlignBottom);
  m_chart->addAxis(m_y, Qt::AlignLeft);
  setChart(m_chart);
  setRenderHint(QPainter::Antialiasing);
  setMinimumHeight(220);
}

QSize LogLogChart::sizeHint() const { return {640, 420}; }

void LogLogChart::setAxisTitles(const QString& x, const QString& y) {
  m_x->setTitleText(x);
  m_y->setTitleText(y);
}

void LogLogChart::setSeries(const QString& name, const QList<QPointF>& points, const QColor& color,
                            bool dashed, bool markers) {
  QLineSeries* s = m_series.value(name);
  if (!s) {
    s = new QLineSeries;
    s->setName(name);
    m_chart->addSeries(s);
    s->attachAxis(m_x);
    s->attachAxis(m_y);
    m_series.insert(name, s);
    m_order.push_back(name);
  }
  QPen pen(color);
  pen.setWidthF(dashed ? 1.8 : 2.4);
  if (dashed) pen.setStyle(Qt::DashLine);
  s->setPen(pen);
  s->setColor(color);
  s->setPointsVisible(markers);
  s->setMarkerSize(8);
  QList<QPointF> positive;
  for (const QPointF& p : points)
    if (p.x() > 0 && p.y() > 0 && std::isfinite(p.x()) && std::isfinite(p.y())) positive.append(p);
  s->replace(positive);
  updateRanges();
}

void LogLogChart::clearSeries() {
  for (QLineSeries* s : std::as_const(m_series)) s->clear();
}

int LogLogChart::pointCount(const QString& name) const {
  const QLineSeries* s = m_series.value(name);
  return s ? int(s->count()) : 0;
}

void LogLogChart::updateRanges() {
  double x0 = std::numeric_limits<double>::infinity(), x1 = 0, y0 = x0, y1 = 0;
  for (QLineSeries* s : std::as_const(m_series))
    for (const QPointF& p : s->points()) {
      x0 = std::min(x0, p.x());
      x1 = std::max(x1, p.x());
      y0 = std::min(y0, p.y());
      y1 = std::max(y1, p.y());
    }
  if (!std::isfinite(x0) || x1 <= 0) return;
  auto down = [](double v) { return std::pow(10.0, std::floor(std::log10(v) + 1e-9)); };
  auto up = [](double v) { return std::pow(10.0, std::ceil(std::log10(v) - 1e-9)); };
  m_x->setRange(down(x0), std::max(up(x1), down(x0) * 10));
  m_y->setRange(down(y0), std::max(up(y1), down(y0) * 10));
}

}  // namespace genlab::ui
