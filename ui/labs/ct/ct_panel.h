#pragma once
// The inverse-problems lab (CT and deblurring). Controls on the left; in the
// centre tabs of linked VTK image viewers (compare: ground truth |
// measurement | FBP | SIRT | TV | score prior | error | uncertainty; the
// score prior's posterior; the nullspace split; a 3-D tab with volume
// rendering); Qt Charts below: PSNR and SSIM per method, PSNR and data
// residual per iteration.
#include <QElapsedTimer>
#include <QHash>
#include <QString>
#include <QTimer>

#include <memory>

#include "ui/labs/ct/ct_controller.h"
#include "ui/labs/lab_panel.h"

class QCheckBox;
class QTabWidget;

namespace genlab::ui {

class BarChartPanel;
class CtControls;
class ChartPanel;
class CtVolumeTab;
class EngineBridge;
class ImageViewerLink;
class VtkImageViewer;

class CtPanel : public LabPanel {
  Q_OBJECT

 public:
  explicit CtPanel(EngineBridge* bridge, QWidget* parent = nullptr);
  ~CtPanel() override;

  // Runs what the current tab shows: every checked method (2-D tabs) or the
  // slice-by-slice volume reconstruction (3-D tab).
  void startTraining() override;
  bool isTraining() const override;
  void runAll();
  void simulateOnly();
  // "shepp-logan", "ellipses", "mri", "hubble" or a file to import.
  bool setDataSpec(const QString& spec) override;
  QString dataDescription() const override;
  bool setView(const QString& view) override;  // compare, uncertainty, nullspace, 3d
  // File menu: load a score prior; export the selected reconstruction.
  bool hasModelFiles() const override { return true; }
  void openModelDialog() override;
  void saveModelDialog() override;
  // File > Export model for PyTorch: the loaded score prior as TorchScript.
  bool canExportModel() const override { return true; }
  void exportModelDialog() override;
  void exportPrior(const QString& pathPt);

  // Without dialogs (tests, scripts).
  void openImportDialog();
  void openImportFolderDialog();
  void cancel();
  void importFile(const QString& path);
  void exportTo(const QString& path);
  void loadPrior(const QString& path);
  void trainPrior();
  // The method whose error map, nullspace and export the views show.
  void selectMethod(const QString& method);
  QString selectedMethod() const { return m_selected; }

  QString lastError() const { return m_lastError; }
  CtController* controller() const { return m_controller; }
  CtControls* controls() const { return m_controls; }
  CtVolumeTab* volumeTab() const { return m_volumeTab; }
  QTabWidget* tabs() const { return m_tabs; }
  // Viewers by name: "truth", "measurement", "fbp", "sirt", "tv", "score",
  // "error", "uncertainty" (compare tab); "u.truth", "u.mean", "u.std",
  // "u.error", "u.sample0".."u.sample3" (uncertainty); "n.<m>.row",
  // "n.<m>.null" with m in truth, fbp, sirt, tv, score (nullspace).
  VtkImageViewer* viewer(const QString& name) const { return m_viewers.value(name); }
  ImageViewerLink* compareLink() const { return m_compareLink; }
  BarChartPanel* psnrChart() const { return m_psnr; }
  BarChartPanel* ssimChart() const { return m_ssim; }
  ChartPanel* psnrCurves() const { return m_psnrCurves; }
  ChartPanel* residualCurves() const { return m_residualCurves; }
  const QHash<QString, CtResultPtr>& results() const { return m_results; }

 private:
  QWidget* buildCompareTab();
  QWidget* buildUncertaintyTab();
  QWidget* buildNullspaceTab();
  QWidget* buildCharts();
  VtkImageViewer* addViewer(const QString& name, const QString& title, ImageViewerLink* link);
  void buildShortcuts();
  void connectController();
  void connectControls();

  bool objectSpec(CtObjectSpec* spec);
  void prepareRun(const std::vector<core::ct::ReconOptions>& methods);
  void onSimulated(const core::physics::FloatImage& object,
                   const core::physics::FloatImage& measurement);
  void onProgress(const CtProgressPtr& p, double runFraction);
  void onFinished(const CtResultPtr& r);
  void onFailed(const QString& method, const QString& message);
  void onRunFinished(bool cancelled);
  void onImported(const QString& path, const VolumePtr& volume);
  void onNullspace(const QString& key, const core::physics::FloatImage& row,
                   const core::physics::FloatImage& null);
  void onError(const QString& what, const QString& message, bool fileError);
  void showUncertainty(const core::ct::ReconResult& r);
  void showError();
  void updateCurves(const QString& method, const std::vector<core::ct::CurvePoint>& curve);
  void requestMissingNullspaces();
  void updatePriorHint();
  void autoLoadPrior();
  void showInfo(const QString& text);

  EngineBridge* m_bridge;
  CtController* m_controller;
  CtControls* m_controls;
  QTabWidget* m_tabs;
  CtVolumeTab* m_volumeTab;
  QCheckBox* m_syncBox;
  QWidget* m_charts;
  QHash<QString, VtkImageViewer*> m_viewers;
  ImageViewerLink* m_compareLink;
  ImageViewerLink* m_uncertaintyLink;
  ImageViewerLink* m_nullspaceLink;
  BarChartPanel* m_psnr;
  BarChartPanel* m_ssim;
  ChartPanel* m_psnrCurves;
  ChartPanel* m_residualCurves;
  QTimer m_resimulate;
  QElapsedTimer m_previewClock, m_chartClock;  // throttle live updates

  core::physics::FloatImage m_object;
  core::physics::FloatImage m_hubble;  // the cropped picture, read once per size
  bool m_objectKnown = false;
  bool m_blur = false;
  QHash<QString, CtResultPtr> m_results;
  QStringList m_runMethods;  // methods of the current run
  QString m_selected;
  bool m_userSelected = false;
  VolumePtr m_imported;
  QString m_importedName;
  QString m_objectLabel;
  QString m_lastError;
};

}  // namespace genlab::ui
