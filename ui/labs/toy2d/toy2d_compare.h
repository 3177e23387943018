#pragma once
// The 2-D lab's numbers under the split view: the comparison table (one row
// per model plus the Gaussian baseline: held-out NLL, MMD², the baseline's
// MMD², samples/s, training time), its CSV export, and the loss charts.
#include <QElapsedTimer>
#include <QString>
#include <QWidget>

#include <vector>

#include "core/labs/toy2d/toy2d_job.h"
#include "core/labs/toy2d/toy2d_metrics.h"
#include "core/labs/toy2d/toy2d_views.h"

class QPushButton;
class QTableWidget;

namespace genlab::ui {

class ChartPanel;

class Toy2dComparison : public QWidget {
  Q_OBJECT

 public:
  explicit Toy2dComparison(QWidget* parent = nullptr);

  // New sessions: the models' labels and loss names, the data's name and the
  // Gaussian baseline. The charts are made anew with those series.
  void reset(const std::vector<std::string>& labels,
             const std::vector<std::vector<std::string>>& lossNames, const std::string& data,
             const core::toy2d::Baseline& baseline);
  void clear();
  // Charts follow about once a second unless `force` (Qt Charts re-lays out
  // on every change, which can take tens of milliseconds).
  void setProgress(const core::toy2d::Toy2dProgress& progress, bool force = false);
  void setResult(const std::vector<core::toy2d::ComparisonRow>& rows);

  // The table as core's comparison rows (models, then the baseline).
  std::vector<core::toy2d::ComparisonRow> rows() const;
  bool hasEvaluation() const;
  QTableWidget* table() const { return m_table; }
  ChartPanel* lossChart(int i) const { return i == 0 ? m_lossA : m_lossB; }
  ChartPanel* mmdChart() const { return m_mmd; }

 Q_SIGNALS:
  void exportCsvClicked();

 private:
  void refreshTable();
  void updateCharts(const core::toy2d::Toy2dProgress& p);
  void makeCharts(const std::vector<std::vector<std::string>>& lossNames);

  QTableWidget* m_table;
  QPushButton* m_export;
  QWidget* m_chartBox;
  ChartPanel* m_lossA = nullptr;
  ChartPanel* m_lossB = nullptr;
  ChartPanel* m_mmd = nullptr;
  std::vector<core::toy2d::ComparisonRow> m_rows;  // one per model
  core::toy2d::ComparisonRow m_baseline;
  bool m_hasBaseline = false;
  QElapsedTimer m_chartClock;
};

}  // namespace genlab::ui
