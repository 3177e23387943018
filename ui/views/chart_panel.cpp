#include "ui/views/chart_panel.h"

#include <QChart>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace genlab::ui {

namespace {
const QColor kPalette[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                           QColor(214, 39, 40), QColor(148, 103, 189)};

double niceStep(double raw) {
  const double mag = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-12))));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= raw * 0.999) return m * mag;
  return 10 * mag;
}

// Rounds [lo, hi] outwards to multiples of a "nice" step (about `ticks` of
// them) and returns the step.
double niceRange(double& lo, double& hi, int ticks = 5) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-12) {
    const double pad = std::max(1e-3, std::abs(hi) * 0.05);
    lo -= pad;
    hi += pad;
  }
  const double step = niceStep((hi - lo) / ticks);
  lo = std::floor(lo / step + 1e-9) * step;
  hi = std::ceil(hi / step - 1e-9) * step;
  return step;
}

// Range and tick interval in the order that never asks Qt Charts for
// thousands of ticks in between: a range grown 100-fold under the old, fine
// interval lays out every tick label first (measured: 170 ms for one update).
void setAxis(QValueAxis* axis, double lo, double hi, double step) {
  axis->setTickAnchor(0);
  if (step >= axis->tickInterval()) {
    axis->setTickInterval(step);
    axis->setRange(lo, hi);
  } else {
    axis->setRange(lo, hi);
    axis->setTickInterval(step);
  }
}
}  // namespace

ChartPanel::ChartPanel(const QString& title, QWidget* parent, Scale yScale)
    : QChartView(parent), m_chart(new QChart), m_x(new QValueAxis), m_logY(yScale == Scale::Log) {
  if (m_logY) {
    auto* y = new QLogValueAxis;
    y->setBase(10);
    y->setLabelFormat("%.0e");
    y->setMinorTickCount(-1);
    y->setRange(1e-3, 1);
    m_y = y;
  } else {
    auto* y = new QValueAxis;
    y->setLabelFormat("%.5g");
    y->setTickType(QValueAxis::TicksDynamic);
    y->setTickAnchor(0);
    y->setTickInterval(0.25);
    y->setRange(0, 1);
    m_y = y;
  }
  m_chart->setTitle(title);
  QFont titleFont = font();
  titleFont.setBold(true);
  m_chart->setTitleFont(titleFont);
  m_chart->legend()->setAlignment(Qt::AlignTop);
  m_chart->legend()->setFont(font());
  m_chart->setMargins(QMargins(4, 2, 8, 2));
  m_chart->layout()->setContentsMargins(0, 0, 0, 0);
  m_chart->setBackgroundRoundness(0);
  m_x->setTitleText(tr("epoch"));
  m_x->setLabelFormat("%.4g");
  m_x->setTickType(QValueAxis::TicksDynamic);
  m_x->setTickAnchor(0);
  m_x->setTickInterval(0.25);
  m_x->setRange(0, 1);
  for (QAbstractAxis* axis : {static_cast<QAbstractAxis*>(m_x), m_y}) {
    axis->setLabelsFont(font());
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.9);
    axis->setTitleFont(f);
  }
  m_chart->addAxis(m_x, Qt::AlignBottom);
  m_chart->addAxis(m_y, Qt::AlignLeft);
  setChart(m_chart);
  setRenderHint(QPainter::Antialiasing);
  setMinimumHeight(170);
}

QSize ChartPanel::sizeHint() const { return {420, 230}; }

void ChartPanel::setYTitle(const QString& title) { m_y->setTitleText(title); }
void ChartPanel::setXTitle(const QString& title) { m_x->setTitleText(title); }

QLineSeries* ChartPanel::series(const QString& name) {
  auto it = m_series.find(name);
  if (it != m_series.end()) return it.value();
  auto* s = new QLineSeries;
  s->setName(name);
  QPen pen(kPalette[m_order.size() % 5]);
  pen.setWidthF(1.6);
  s->setPen(pen);
  m_chart->addSeries(s);
  s->attachAxis(m_x);
  s->attachAxis(m_y);
  m_series.insert(name, s);
  m_order.push_back(name);
  return s;
}

void ChartPanel::setSeriesStyle(const QString& name, const QColor& color, bool markers,
                                const QString& label) {
  QLineSeries* s = series(name);
  if (!label.isEmpty()) s->setName(label);
  QPen pen(color);
  pen.setWidthF(markers ? 2.0 : 1.6);
  s->setPen(pen);
  s->setColor(color);
  s->setPointsVisible(markers);
  s->setMarkerSize(6);
}

QList<QPointF> ChartPanel::drawable(const QList<QPointF>& points) const {
  QList<QPointF> out;
  out.reserve(points.size());
  for (const QPointF& p : points)
    if (std::isfinite(p.x()) && std::isfinite(p.y()) && (!m_logY || p.y() > 0)) out.append(p);
  return out;
}

void ChartPanel::appendPoint(const QString& name, const QPointF& point) {
  const QList<QPointF> p = drawable({point});
  if (p.isEmpty()) return;
  series(name)->append(p.front());
  updateRanges();
}

void ChartPanel::replacePoints(const QString& name, const QList<QPointF>& points) {
  series(name)->replace(drawable(points));
  updateRanges();
}

void ChartPanel::clearPoints() {
  for (QLineSeries* s : std::as_const(m_series)) s->clear();
  m_x->setRange(0, 1);
  if (m_logY) static_cast<QLogValueAxis*>(m_y)->setRange(1e-3, 1);
  else static_cast<QValueAxis*>(m_y)->setRange(0, 1);
}

void ChartPanel::clearSeries() {
  for (QLineSeries* s : std::as_const(m_series)) {
    m_chart->removeSeries(s);
    delete s;
  }
  m_series.clear();
  m_order.clear();
  clearPoints();
}

int ChartPanel::pointCount(const QString& name) const {
  auto it = m_series.find(name);
  return it == m_series.end() ? 0 : int(it.value()->count());
}

QStringList ChartPanel::seriesNames() const { return m_order; }

void ChartPanel::updateRanges() {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0;
  double y0 = x0, y1 = -x0;
  for (QLineSeries* s : std::as_const(m_series)) {
    for (const QPointF& p : s->points()) {
      if (!std::isfinite(p.x()) || !std::isfinite(p.y())) continue;
      x0 = std::min(x0, p.x());
      x1 = std::max(x1, p.x());
      y0 = std::min(y0, p.y());
      y1 = std::max(y1, p.y());
    }
  }
  if (!std::isfinite(x0)) return;
  x0 = std::min(0.0, x0);
  x1 += (x1 - x0) * 0.02;  // keep markers at the last epoch inside the plot
  const double xStep = niceRange(x0, x1, 5);
  setAxis(m_x, x0, x1, xStep);
  if (m_logY) {  // whole decades around the data
    const double lo = std::pow(10.0, std::floor(std::log10(std::max(y0, 1e-30))));
    const double hi = std::pow(10.0, std::ceil(std::log10(std::max(y1, lo * 10))));
    static_cast<QLogValueAxis*>(m_y)->setRange(lo, hi);
    return;
  }
  const double yPad = (y1 - y0) * 0.02;
  y0 -= yPad;
  y1 += yPad;
  const double yStep = niceRange(y0, y1, 4);
  setAxis(static_cast<QValueAxis*>(m_y), y0, y1, yStep);
}

}  // namespace genlab::ui
