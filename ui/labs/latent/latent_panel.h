#pragma once
// The Latent Explorer: train a VAE and explore its latent space live.
// Controls on the left; the latent map, the decoded image and the
// interpolation strip in the centre; ELBO / reconstruction / KL charts and
// the per-dimension KL bars below.
#include <QPointF>
#include <QString>
#include <QTimer>

#include <vector>

#include "core/labs/latent/vae_job.h"
#include "ui/labs/lab_panel.h"
#include "ui/labs/latent/vae_controller.h"

class QCheckBox;
class QLabel;

namespace genlab::ui {

class ChartPanel;
class EngineBridge;
class ImageStripView;
class ImageView;
class KlBarsView;
class LatentControls;
class LatentMapView;

class LatentPanel : public LabPanel {
  Q_OBJECT

 public:
  explicit LatentPanel(EngineBridge* bridge, QWidget* parent = nullptr);
  ~LatentPanel() override;
  static constexpr int kGridSize = 20;
  static constexpr int kInterpolationSteps = 10;

  // Training (LabPanel) and its keys: Space pauses, R resets.
  void startTraining() override;
  bool isTraining() const override;
  void togglePause();
  void reset();
  // Data (LabPanel): mnist, digits or a folder.
  bool setDataSpec(const QString& spec) override;
  QString dataDescription() const override;
  // Model files (LabPanel's File menu), and the same without dialogs.
  bool hasModelFiles() const override { return true; }
  void openModelDialog() override;
  void saveModelDialog() override;
  void loadModel(const QString& path);  // a .genlab file, or TorchScript (asks what it must)
  // A TorchScript model with the answers given (tests, scripts).
  void loadScriptModel(const QString& path, core::latent::ScriptImport::Outputs outputs,
                       const QString& encoderMethod);
  void saveModel(const QString& path);
  // For PyTorch: <base>.pt (TorchScript), <base>.state.pt, <base>.pt.options.json.
  bool canExportModel() const override { return true; }
  bool openModelFile(const QString& path, const QString& encoderMethod) override;
  // Experiment files (File > Save / Open experiment) and the same without dialogs.
  bool hasExperiments() const override { return true; }
  void saveExperimentDialog() override;
  void openExperimentDialog() override;
  void saveExperiment(const QString& path);
  void openExperiment(const QString& path, const QString& dataFolder = {});
  void exportModelDialog() override;
  void exportModel(const QString& pathPt);

  // The last error shown (empty when none since the last success).
  QString lastError() const { return m_lastError; }
  VaeController* controller() const { return m_controller; }
  LatentControls* controls() const { return m_controls; }
  LatentMapView* mapView() const { return m_map; }
  ImageView* decodedView() const { return m_decoded; }
  ImageStripView* interpolationView() const { return m_strip; }
  ChartPanel* elboChart() const { return m_elbo; }
  ChartPanel* reconChart() const { return m_recon; }
  ChartPanel* klChart() const { return m_kl; }
  KlBarsView* klBars() const { return m_klBars; }

 private:
  QWidget* buildCentre();
  QWidget* buildDecodedColumn();
  QWidget* buildCharts();
  void buildShortcuts();
  void connectController();
  void onStateChanged(VaeController::State state);
  void onSessionReady(const QString& summary, bool loaded);
  void onProgress(const VaeProgressPtr& p);
  void onMap(const LatentMapPtr& map);
  void onProbed(const ScriptProbePtr& probe);
  void onExperimentDataMissing(const QString& path, const QString& message);
  QString viewState() const;
  void applyViewState(const QString& json);
  void onDecoded(QPointF latent, const QImage& image);
  void onFinished(const VaeResultPtr& result);
  void onError(const QString& what, const QString& message, bool fileError);
  void autoInterpolate(const core::latent::LatentMap& map);
  void keepCurves();
  void updateCharts();
  void scheduleGrid();
  void showInfo(const QString& text);

  EngineBridge* m_bridge;
  VaeController* m_controller;
  LatentControls* m_controls;
  LatentMapView* m_map;
  ImageView* m_decoded;
  QLabel* m_coord;
  QLabel* m_note;
  QCheckBox* m_gridBox;
  QString m_lastResultJson;  // the last finished run, for experiment files
  ImageStripView* m_strip;
  ChartPanel* m_elbo;
  ChartPanel* m_recon;
  ChartPanel* m_kl;
  KlBarsView* m_klBars;
  QTimer m_gridDebounce;
  QString m_lastError;
  QString m_dataSummary;
  int m_latentDim = 2;
  bool m_autoInterpolation = true;
  // Curves of earlier runs on the same session, then the current run's.
  std::vector<core::latent::CurvePoint> m_keptTrain, m_keptTest;
  VaeProgressPtr m_lastProgress;
};

}  // namespace genlab::ui
