#pragma once
// The Cells lab: data, keys, method and preprocessing on the left; the cell
// map with its lassos, δ arrow and predicted cloud in the centre; beside it
// predicted vs observed mean expression (Qt Charts), the methods x metrics
// table with the banner when a baseline wins on Δ, and the top changed genes.
#include <QStringList>

#include "ui/labs/cells/cells_controller.h"
#include "ui/labs/lab_panel.h"

class QCheckBox;
class QChart;
class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QScatterSeries;
class QLineSeries;
class QSpinBox;
class QTableWidget;

namespace genlab::ui {

class LatentMapView;

class CellsPanel : public LabPanel {
  Q_OBJECT

 public:
  explicit CellsPanel(EngineBridge* bridge, QWidget* parent = nullptr);

  void startTraining() override;
  bool isTraining() const override { return m_controller->training(); }
  bool setDataSpec(const QString& spec) override;
  QString dataDescription() const override { return m_summary; }
  // "lasso": once trained, draws the three demo lassos (control and treated
  // of one training type, control of the held-out type) and applies δ.
  bool setView(const QString& view) override;

  CellsController* controller() const { return m_controller; }
  LatentMapView* mapView() const { return m_map; }
  QTableWidget* metricsTable() const { return m_table; }
  QTableWidget* genesTable() const { return m_genes; }
  QLabel* banner() const { return m_banner; }
  QLabel* selectionScore() const { return m_selectionScore; }
  // Which lasso an ids export writes: NAME.sel1.txt, .sel2.txt, .sel3.txt (plain .txt: 3).
  static int selectionOfExport(const QString& path);
  QComboBox* dataCombo() const { return m_data; }
  QComboBox* methodCombo() const { return m_method; }
  QComboBox* colourCombo() const { return m_colourBy; }
  QLineEdit* geneEdit() const { return m_gene; }
  QSpinBox* epochsSpin() const { return m_epochs; }
  QPushButton* applyButton() const { return m_apply; }
  int scatterPoints() const;
  QString scatterTitle() const;
  // Lassos around the cells of (type, condition) groups, as a user would draw them.
  void demoLassos();
  core::cells::CellsOptions options() const;

 private:
  QWidget* buildControls();
  QWidget* buildCentre();
  void recolour();
  void onEvaluated(const EvaluationPtr& e);
  void showScatter();
  void onPredicted(const SelectionPredictionPtr& p);
  void exportDialog();

  CellsController* m_controller;
  QString m_summary;
  CellMapPtr m_lastMap;
  GeneValuesPtr m_geneValues;
  bool m_demoPending = false;
  // controls
  QComboBox* m_data = nullptr;
  QLineEdit* m_obs = nullptr;
  QLineEdit* m_condKey = nullptr;
  QLineEdit* m_control = nullptr;
  QLineEdit* m_treated = nullptr;
  QLineEdit* m_typeKey = nullptr;
  QLineEdit* m_holdout = nullptr;
  QComboBox* m_method = nullptr;
  QSpinBox* m_epochs = nullptr;
  QCheckBox* m_normalize = nullptr;
  QCheckBox* m_log1p = nullptr;
  QSpinBox* m_hvg = nullptr;
  QDoubleSpinBox* m_beta = nullptr;
  QPushButton* m_train = nullptr;
  QPushButton* m_stop = nullptr;
  QProgressBar* m_progress = nullptr;
  QLabel* m_summaryLabel = nullptr;
  QLabel* m_steps = nullptr;
  QComboBox* m_colourBy = nullptr;
  QLineEdit* m_gene = nullptr;
  QComboBox* m_lassoMode = nullptr;
  QPushButton* m_apply = nullptr;
  QComboBox* m_scatterMethod = nullptr;
  // views
  LatentMapView* m_map = nullptr;
  QLabel* m_banner = nullptr;
  QLabel* m_selectionScore = nullptr;
  QTableWidget* m_table = nullptr;
  QTableWidget* m_genes = nullptr;
  QChartView* m_chartView = nullptr;
  QScatterSeries* m_scatter = nullptr;
  QScatterSeries* m_scatterTop = nullptr;
  QLineSeries* m_diagonal = nullptr;
  std::vector<int> m_scatterGenes, m_scatterTopGenes;
};

}  // namespace genlab::ui
