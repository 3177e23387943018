#pragma once
// "Architects and Alchemists (2-D)": flows, GANs, diffusion and VAEs on 2-D
// toy data, two models side by side on the same data. Controls on the left;
// in the centre two model columns (each a FieldView with the views its model
// offers), the comparison table and loss charts below, and a tab with the
// reparameterization-trick experiment.
#include <QString>

#include <array>
#include <cstdint>

#include "core/labs/toy2d/toy2d_data.h"
#include "ui/labs/lab_panel.h"
#include "ui/labs/toy2d/toy2d_controller.h"

class QShortcut;
class QSplitter;
class QTabWidget;

namespace genlab::ui {

class EngineBridge;
class Toy2dColumn;
class Toy2dComparison;
class Toy2dControls;
class Toy2dReparamTab;

class Toy2dPanel : public LabPanel {
  Q_OBJECT

 public:
  explicit Toy2dPanel(EngineBridge* bridge, QWidget* parent = nullptr);
  ~Toy2dPanel() override;

  // Training (LabPanel), and play / pause / step / reset without the buttons.
  void startTraining() override;
  bool isTraining() const override;
  void togglePause();
  void stepOnce();
  void reset();
  // Data (LabPanel): a built-in name, a CSV file; presets set data and models.
  bool setDataSpec(const QString& spec) override;
  QString dataDescription() const override;
  bool applyPreset(const QString& id);
  // Both columns side by side, for File > Export view.
  QImage exportImage() override;
  // File > Export model for PyTorch: a GAN, diffusion or VAE model as TorchScript.
  bool canExportModel() const override { return true; }
  void exportModelDialog() override;
  void exportModel(int index, const QString& pathPt);

  // Without dialogs (tests, scripts).
  void importCsv(const QString& path);
  void exportPointsCsv(const QString& path);
  bool exportTableCsv(const QString& path);
  bool exportViewPng(int column, const QString& path);

  // The last error shown (empty when none since the last success).
  QString lastError() const { return m_lastError; }
  // Iteration of model i from the last progress (-1 before any).
  long iteration(int model) const;
  int drawnPointCount() const { return int(m_drawn.size()); }

  Toy2dController* controller() const { return m_controller; }
  Toy2dControls* controls() const { return m_controls; }
  Toy2dColumn* column(int i) const { return m_columns[i]; }
  Toy2dComparison* comparison() const { return m_compare; }
  Toy2dReparamTab* reparamTab() const { return m_reparam; }
  QTabWidget* tabs() const { return m_tabs; }

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  QWidget* buildModelsTab();
  void buildShortcuts();
  void connectControls();
  void connectController();
  Toy2dSetup setup() const;
  void pushRequest(int column);
  void onStateChanged(Toy2dController::State state);
  void onSessionsReady(const QString& description);
  void onProgress(const Toy2dProgressPtr& p);
  void onFinished(const Toy2dResultPtr& r);
  void onError(const QString& what, const QString& message, bool modal);
  void onDataSpecChanged();
  void onBrush(QPointF world, bool erase);
  void showCanvas();
  void rebuildSoon();
  bool trainingOrPaused() const;
  void showInfo(const QString& text);
  void exportViewDialog(int column);
  void exportPointsDialog();
  void exportTableDialog();
  void importDialog();

  EngineBridge* m_bridge;
  Toy2dController* m_controller;
  Toy2dControls* m_controls;
  QTabWidget* m_tabs;
  std::array<Toy2dColumn*, 2> m_columns{};
  Toy2dComparison* m_compare;
  Toy2dReparamTab* m_reparam;
  QShortcut* m_exportShortcut = nullptr;
  QTimer m_rebuildDebounce;
  core::toy2d::Points2D m_drawn;
  long m_drawnRevision = 0;
  std::uint64_t m_brushSeed = 1;
  bool m_startWhenReady = false;
  Toy2dProgressPtr m_lastProgress;
  QString m_lastError;
  QString m_dataSummary;
};

}  // namespace genlab::ui
