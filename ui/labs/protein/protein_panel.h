#pragma once
// The Protein lab: controls on the left; the family's latent map, the decoded
// sequence with its logo, the mutation heat map and the design funnel in the
// centre; training charts (held-out ELBO beside the PSSM) below.
#include <QImage>
#include <QPointF>

#include "ui/labs/lab_panel.h"
#include "ui/labs/protein/protein_controller.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace genlab::ui {

class BarChartPanel;
class ChartPanel;
class ImageView;
class LatentMapView;

class ProteinPanel : public LabPanel {
  Q_OBJECT

 public:
  explicit ProteinPanel(EngineBridge* bridge, QWidget* parent = nullptr);

  void startTraining() override;
  bool isTraining() const override { return m_controller->training(); }
  bool setDataSpec(const QString& spec) override;
  // --view region=X,Y,R[;X,Y,R...]: a painted sampling region (scripts, screenshots).
  bool setView(const QString& view) override;
  QString dataDescription() const override { return m_summary; }
  bool hasModelFiles() const override { return true; }
  void openModelDialog() override;
  void saveModelDialog() override;

  ProteinController* controller() const { return m_controller; }
  LatentMapView* mapView() const { return m_map; }
  ImageView* decodedView() const { return m_decoded; }
  ImageView* heatMapView() const { return m_heat; }
  BarChartPanel* funnelChart() const { return m_funnel; }
  ChartPanel* elboChart() const { return m_elbo; }
  QTableWidget* survivorsTable() const { return m_survivors; }
  QPushButton* sampleButton() const { return m_sample; }
  QPushButton* scanButton() const { return m_scan; }
  QPushButton* brushButton() const { return m_brush; }
  QSpinBox* designCountSpin() const { return m_n; }
  QLineEdit* wildtypeEdit() const { return m_wildtype; }
  QSpinBox* epochsSpin() const { return m_epochs; }
  QComboBox* colourByCombo() const { return m_colourBy; }

  // Images the panel draws (public for tests).
  static QImage logoImage(const core::protein::DecodedSequence& d);
  static QImage heatMapImage(const core::protein::MutationScan& s);

 private:
  QWidget* buildControls();
  QWidget* buildCentre();
  core::protein::ProteinOptions options() const;
  void recolour();
  void onProgress(const ProteinProgressPtr& p);
  void onDesigned(const FunnelResultPtr& r);
  void requestDesign();

  ProteinController* m_controller;
  QString m_summary;
  FamilyMapPtr m_lastMap;
  // controls
  QLineEdit* m_family = nullptr;
  QSpinBox* m_alignment = nullptr;
  QPushButton* m_brush = nullptr;
  QLabel* m_regionLabel = nullptr;
  QSpinBox* m_latentDim = nullptr;
  QSpinBox* m_epochs = nullptr;
  QDoubleSpinBox* m_theta = nullptr;
  QPushButton* m_train = nullptr;
  QPushButton* m_stop = nullptr;
  QProgressBar* m_progress = nullptr;
  QLabel* m_summaryLabel = nullptr;
  QComboBox* m_colourBy = nullptr;
  QLineEdit* m_wildtype = nullptr;
  QPushButton* m_scan = nullptr;
  QSpinBox* m_n = nullptr;
  QSpinBox* m_seed = nullptr;
  QDoubleSpinBox* m_radius = nullptr;
  QDoubleSpinBox* m_minIdentity = nullptr;
  QDoubleSpinBox* m_maxIdentity = nullptr;
  QLineEdit* m_motifs = nullptr;
  QPushButton* m_sample = nullptr;
  // views
  LatentMapView* m_map = nullptr;
  ImageView* m_decoded = nullptr;
  ImageView* m_heat = nullptr;
  BarChartPanel* m_funnel = nullptr;
  QTableWidget* m_survivors = nullptr;
  ChartPanel* m_elbo = nullptr;
  ChartPanel* m_kl = nullptr;
};

}  // namespace genlab::ui
