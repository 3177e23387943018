#include "ui/labs/ct/ct_charts.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace genlab::ui {

namespace {
const QStringList kOrder = {"fbp", "sirt", "tv", "score"};

void styleChart(QChart* chart, const QString& title, const QFont& base) {
  chart->setTitle(title);
  QFont f = base;
  f.setBold(true);
  chart->setTitleFont(f);
  chart->legend()->setAlignment(Qt::AlignTop);
  chart->legend()->setFont(base);
  chart->setMargins(QMargins(4, 2, 8, 2));
  chart->layout()->setContentsMargins(0, 0, 0, 0);
  chart->setBackgroundRoundness(0);
}

void styleAxis(QAbstractAxis* axis, const QFont& base) {
  axis->setLabelsFont(base);
  QFont f = base;
  f.setPointSizeF(f.pointSizeF() * 0.9);
  axis->setTitleFont(f);
}
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

// ---- bars ----

CtBarChart::CtBarChart(const QString& title, const QString& unit, int decimals, QWidget* parent)
    : QChartView(parent),
      m_chart(new QChart),
      m_series(new QBarSeries),
      m_axisX(new QBarCategoryAxis),
      m_axisY(new QValueAxis),
      m_unit(unit),
      m_decimals(decimals) {
  styleChart(m_chart, title, font());
  m_chart->addSeries(m_series);
  m_axisX->append(QStringLiteral(" "));
  m_axisX->setGridLineVisible(false);
  m_chart->addAxis(m_axisX, Qt::AlignBottom);
  m_chart->addAxis(m_axisY, Qt::AlignLeft);
  m_series->attachAxis(m_axisX);
  m_series->attachAxis(m_axisY);
  m_series->setBarWidth(0.9);
  m_series->setLabelsVisible(true);
  m_series->setLabelsPosition(QAbstractBarSeries::LabelsInsideEnd);
  m_series->setLabelsFormat(QStringLiteral("@value"));
  m_series->setLabelsPrecision(decimals + 2);
  m_axisY->setTitleText(unit);
  m_axisY->setLabelFormat(m_unit == "SSIM" ? "%.1f" : "%.0f");
  styleAxis(m_axisX, font());
  styleAxis(m_axisY, font());
  setChart(m_chart);
  setRenderHint(QPainter::Antialiasing);
  setMinimumHeight(170);
  rebuild();
}

void CtBarChart::setValue(const QString& method, double value) {
  if (!std::isfinite(value)) {
    m_values.remove(method);
  } else {
    m_values.insert(method, value);
  }
  rebuild();
}

void CtBarChart::clearValues() {
  m_values.clear();
  rebuild();
}

double CtBarChart::value(const QString& method) const {
  return m_values.value(method, std::numeric_limits<double>::quiet_NaN());
}

void CtBarChart::rebuild() {
  m_series->clear();
  m_methods.clear();
  double hi = 0;
  for (const QString& m : kOrder) {
    if (!m_values.contains(m)) continue;
    const double v = m_values.value(m);
    // Short legend names: four of them share a narrow chart.
    auto* set = new QBarSet(m == "score" ? tr("Score") : ctMethodLabel(m));
    // Rounded here: the label shows the value itself.
    const double k = std::pow(10.0, m_decimals);
    set->append(std::round(v * k) / k);
    set->setColor(ctMethodColor(m));
    set->setBorderColor(ctMethodColor(m).darker(130));
    set->setLabelColor(Qt::white);
    QFont f = font();
    f.setBold(true);
    set->setLabelFont(f);
    m_series->append(set);
    m_methods << m;
    hi = std::max(hi, v);
  }
  const double top = m_unit == "SSIM" ? 1.0 : hi > 0 ? std::ceil(hi * 1.1 / 10) * 10 : 40.0;
  m_axisY->setRange(0, top);
  m_axisY->setTickCount(m_unit == "SSIM" ? 6 : top <= 60 ? int(top / 10) + 1 : 6);
}

// ---- curves ----

CtCurveChart::CtCurveChart(const QString& title, const QString& yTitle, bool logY, QWidget* parent)
    : QChartView(parent), m_chart(new QChart), m_axisX(new QValueAxis), m_logY(logY) {
  styleChart(m_chart, title, font());
  if (logY) {
    auto* axis = new QLogValueAxis;
    axis->setBase(10);
    axis->setLabelFormat("%.0e");
    axis->setMinorTickCount(-1);
    m_axisY = axis;
  } else {
    auto* axis = new QValueAxis;
    axis->setLabelFormat("%.0f");
    m_axisY = axis;
  }
  m_axisY->setTitleText(yTitle);
  m_axisX->setTitleText(tr("iteration"));
  m_axisX->setLabelFormat("%.0f");
  styleAxis(m_axisX, font());
  styleAxis(m_axisY, font());
  m_chart->addAxis(m_axisX, Qt::AlignBottom);
  m_chart->addAxis(m_axisY, Qt::AlignLeft);
  setChart(m_chart);
  setRenderHint(QPainter::Antialiasing);
  setMinimumHeight(170);
  updateRanges();
}

void CtCurveChart::setCurve(const QString& method, const QList<QPointF>& points) {
  QLineSeries* s = m_series.value(method);
  if (!s) {
    s = new QLineSeries;
    s->setName(ctMethodLabel(method));
    QPen pen(ctMethodColor(method));
    pen.setWidthF(2.2);
    s->setPen(pen);
    m_chart->addSeries(s);
    s->attachAxis(m_axisX);
    s->attachAxis(m_axisY);
    m_series.insert(method, s);
  }
  QList<QPointF> clean;
  clean.reserve(points.size());
  for (const QPointF& p : points)
    if (std::isfinite(p.y()) && (!m_logY || p.y() > 0)) clean.append(p);
  s->replace(clean);
  // A one-shot method (FBP) is a single point: show it as a marker.
  s->setPointsVisible(clean.size() < 3);
  s->setMarkerSize(9);
  updateRanges();
}

void CtCurveChart::clearCurves() {
  for (QLineSeries* s : m_series) {
    m_chart->removeSeries(s);
    delete s;
  }
  m_series.clear();
  updateRanges();
}

int CtCurveChart::pointCount(const QString& method) const {
  const QLineSeries* s = m_series.value(method);
  return s ? int(s->count()) : 0;
}

void CtCurveChart::updateRanges() {
  double x1 = 1, y0 = std::numeric_limits<double>::infinity(), y1 = -y0;
  for (const QLineSeries* s : m_series)
    for (const QPointF& p : s->points()) {
      x1 = std::max(x1, p.x());
      y0 = std::min(y0, p.y());
      y1 = std::max(y1, p.y());
    }
  if (!std::isfinite(y0)) {  // empty: a plausible frame, not a unit square
    x1 = 100;
    y0 = m_logY ? 1e-3 : 10;
    y1 = m_logY ? 1 : 40;
  }
  m_axisX->setRange(0, x1);
  m_axisX->setTickCount(5);
  if (m_logY) {
    const double lo = std::pow(10.0, std::floor(std::log10(std::max(y0, 1e-12))));
    const double hi = std::pow(10.0, std::ceil(std::log10(std::max(y1, lo * 10))));
    static_cast<QLogValueAxis*>(m_axisY)->setRange(lo, hi);
  } else {
    const double lo = std::floor(y0 / 5) * 5, hi = std::max(lo + 5, std::ceil(y1 / 5) * 5);
    auto* axis = static_cast<QValueAxis*>(m_axisY);
    axis->setRange(lo, hi);
    axis->setTickCount(int(std::min(9.0, (hi - lo) / 5 + 1)));
  }
}

}  // namespace genlab::ui
