#include "ui/views/bar_chart_panel.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QGraphicsLayout>
#include <QLegend>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace genlab::ui {

BarChartPanel::BarChartPanel(const QString& title, const QString& unit, int decimals, double top,
                             QWidget* parent)
    : QChartView(parent),
      m_chart(new QChart),
      m_series(new QBarSeries),
      m_axisX(new QBarCategoryAxis),
      m_axisY(new QValueAxis),
      m_decimals(decimals),
      m_top(top) {
  m_chart->setTitle(title);
  QFont bold = font();
  bold.setBold(true);
  m_chart->setTitleFont(bold);
  m_chart->legend()->setAlignment(Qt::AlignTop);
  m_chart->legend()->setFont(font());
  m_chart->setMargins(QMargins(4, 2, 8, 2));
  m_chart->layout()->setContentsMargins(0, 0, 0, 0);
  m_chart->setBackgroundRoundness(0);
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
  m_axisY->setLabelFormat(top > 0 && top <= 1 ? "%.1f" : "%.0f");
  for (QAbstractAxis* axis : {static_cast<QAbstractAxis*>(m_axisX),
                              static_cast<QAbstractAxis*>(m_axisY)}) {
    axis->setLabelsFont(font());
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.9);
    axis->setTitleFont(f);
  }
  setChart(m_chart);
  setRenderHint(QPainter::Antialiasing);
  setMinimumHeight(170);
  rebuild();
}

void BarChartPanel::addCategory(const QString& key, const QString& label, const QColor& color) {
  m_categories.append({key, label, color});
  rebuild();
}

void BarChartPanel::setValue(const QString& key, double value) {
  if (std::isfinite(value)) m_values.insert(key, value);
  else m_values.remove(key);
  rebuild();
}

void BarChartPanel::clearValues() {
  m_values.clear();
  rebuild();
}

double BarChartPanel::value(const QString& key) const {
  return m_values.value(key, std::numeric_limits<double>::quiet_NaN());
}

void BarChartPanel::rebuild() {
  m_series->clear();
  m_shown.clear();
  double hi = 0;
  for (const Category& c : m_categories) {
    if (!m_values.contains(c.key)) continue;
    const double v = m_values.value(c.key);
    auto* set = new QBarSet(c.label);
    // Rounded here: the label shows the value itself.
    const double k = std::pow(10.0, m_decimals);
    set->append(std::round(v * k) / k);
    set->setColor(c.color);
    set->setBorderColor(c.color.darker(130));
    set->setLabelColor(Qt::white);
    QFont f = font();
    f.setBold(true);
    set->setLabelFont(f);
    m_series->append(set);
    m_shown << c.key;
    hi = std::max(hi, v);
  }
  // Qt formats the labels with %g: enough significant digits for the
  // largest value's integer part plus `decimals` (1000, not 1e+03).
  double largest = 0;
  for (double v : m_values) largest = std::max(largest, std::abs(v));
  const int whole = largest >= 1 ? int(std::floor(std::log10(largest))) + 1 : 1;
  m_series->setLabelsPrecision(whole + m_decimals);
  if (m_top > 0) {
    m_axisY->setRange(0, m_top);
    m_axisY->setTickCount(6);
    return;
  }
  const double top = hi > 0 ? std::ceil(hi * 1.1 / 10) * 10 : 40.0;
  m_axisY->setRange(0, top);
  m_axisY->setTickCount(top <= 60 ? int(top / 10) + 1 : 6);
}

}  // namespace genlab::ui
