#pragma once
// The 2-D lab's left column: presets, data (built-in, drawn, CSV), the two
// models, the diffusion sampler, and training (steps, speed, play / pause /
// step / reset, progress and status).
#include <QString>
#include <QWidget>

#include <vector>

#include "core/labs/toy2d/toy2d_options.h"
#include "core/labs/toy2d/toy2d_views.h"
#include "ui/labs/toy2d/toy2d_controller.h"
#include "ui/views/widget_forward.h"

namespace genlab::ui {

class Toy2dModelBox;

struct Toy2dPreset {
  QString id, name, tooltip;
  QString data;  // empty: keep the current data
  std::vector<core::toy2d::Toy2dOptions> models;
  long steps = 5000;
};
// flow-vs-gan (the default), ganlab, collapse, diffusion-vs-flow, vae-vs-flow, planar-vs-realnvp.
std::vector<Toy2dPreset> toy2dPresets();

class Toy2dControls : public QWidget {
  Q_OBJECT

 public:
  explicit Toy2dControls(QWidget* parent = nullptr);

  // Data.
  QString dataSpec() const;  // built-in name, CSV path, or "drawn"
  QString dataLabel() const;
  bool drawMode() const { return dataSpec() == "drawn"; }
  bool setDataSpec(const QString& spec);  // built-in name, "drawn" or a CSV path
  void addCsvFile(const QString& path);   // adds and selects it
  double brushRadius() const;
  int brushDensity() const;
  bool eraseMode() const;
  void setDrawnCount(int n);

  // Models and training.
  bool applyPreset(const QString& id);
  std::vector<core::toy2d::Toy2dOptions> modelOptions() const;  // 1 or 2, data filled in
  core::toy2d::SamplerSettings sampler() const;
  int trajectoryCount() const;
  long steps() const;
  double slowMotion() const;     // max iterations/s, 0: full speed
  double liveEvaluation() const; // seconds between held-out evaluations, 0: off

  void setRunState(Toy2dController::State state, bool hasSessions);
  void setProgress(double fraction, const QString& text);
  void setStatus(const QString& text, bool error);

  Toy2dModelBox* modelBox(int i) const { return i == 0 ? m_modelA : m_modelB; }
  QComboBox* presetCombo() const { return m_preset; }
  QComboBox* dataCombo() const { return m_data; }
  QComboBox* speedCombo() const { return m_speed; }
  QPushButton* playButton() const { return m_play; }
  QPushButton* stepButton() const { return m_step; }
  QPushButton* resetButton() const { return m_reset; }
  QSpinBox* stepsSpin() const { return m_steps; }
  QLabel* statusLabel() const { return m_status; }
  QProgressBar* progressBar() const { return m_progress; }

 Q_SIGNALS:
  void playClicked();
  void stepClicked();
  void resetClicked();
  void importClicked();
  void exportClicked();
  void clearDrawnClicked();
  void dataSpecChanged();
  void drawToolChanged();
  void optionsChanged();
  void samplerChanged();
  void speedChanged(double maxIterationsPerSecond);
  void liveEvaluationChanged(double seconds);

 private:
  QWidget* buildPresetRow();
  QGroupBox* buildDataBox();
  QWidget* buildDrawTools();
  QGroupBox* buildSamplerBox();
  QGroupBox* buildTrainingBox();
  QWidget* buildButtons();
  void onDataActivated(int index);
  void updateVisibility();

  QComboBox* m_preset;
  QComboBox* m_data;
  int m_lastData = 0;
  QSpinBox* m_points;
  QDoubleSpinBox* m_heldOut;
  QSpinBox* m_seed;
  QWidget* m_drawTools;
  QSlider* m_brush;
  QLabel* m_brushLabel;
  QSpinBox* m_density;
  QPushButton* m_erase;
  QLabel* m_drawnCount;
  Toy2dModelBox* m_modelA;
  Toy2dModelBox* m_modelB;
  QGroupBox* m_samplerBox;
  QComboBox* m_sampler;
  QSpinBox* m_sampleSteps;
  QSpinBox* m_corrector;
  QDoubleSpinBox* m_snr;
  QSpinBox* m_paths;
  QSpinBox* m_steps;
  QComboBox* m_speed;
  QCheckBox* m_liveEval;
  QPushButton* m_play;
  QPushButton* m_step;
  QPushButton* m_reset;
  QProgressBar* m_progress;
  QLabel* m_status;
};

}  // namespace genlab::ui
