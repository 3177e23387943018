#pragma once
// One bar per category (Qt Charts), in a fixed order, each with its own
// colour and its value written on it: methods side by side on one metric,
// counts per stage. Values that are not finite leave their bar out.
#include <QChartView>
#include <QColor>
#include <QHash>
#include <QString>
#include <QStringList>

class QBarCategoryAxis;
class QBarSeries;
class QChart;
class QValueAxis;

namespace genlab::ui {

class BarChartPanel : public QChartView {
  Q_OBJECT

 public:
  // `decimals`: digits the bar labels show. `top` > 0 fixes the y range at
  // [0, top] (a score in [0, 1]); else it follows the data.
  BarChartPanel(const QString& title, const QString& unit, int decimals, double top = 0,
                QWidget* parent = nullptr);
  // Declares a category (in display order) with its legend label and colour.
  void addCategory(const QString& key, const QString& label, const QColor& color);
  void setValue(const QString& key, double value);  // NaN removes the bar
  void clearValues();
  double value(const QString& key) const;  // NaN when absent
  int count() const { return m_shown.size(); }
  QSize sizeHint() const override { return {300, 230}; }

 private:
  struct Category {
    QString key, label;
    QColor color;
  };
  void rebuild();

  QChart* m_chart;
  QBarSeries* m_series;
  QBarCategoryAxis* m_axisX;
  QValueAxis* m_axisY;
  int m_decimals;
  double m_top;
  QList<Category> m_categories;
  QStringList m_shown;
  QHash<QString, double> m_values;
};

}  // namespace genlab::ui
