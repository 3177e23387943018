#pragma once
// The Latent Explorer's left column: data, model and training options, the
// run buttons, the progress bar and a status line.
#include <QString>
#include <QWidget>

#include "core/labs/latent/vae_options.h"
#include "ui/labs/latent/vae_controller.h"
#include "ui/views/widget_forward.h"

namespace genlab::ui {

class LatentControls : public QWidget {
  Q_OBJECT

 public:
  explicit LatentControls(QWidget* parent = nullptr);

  // Options from the controls (data, model, training); liveMapSeconds is left 0.
  core::latent::VaeOptions options() const;
  // Shows a loaded model's options.
  void setOptions(const core::latent::VaeOptions& options);
  QString dataSpec() const;
  QString dataLabel() const;  // the combo's text
  // "mnist", "digits" or a folder; false if the spec is empty.
  bool setDataSpec(const QString& spec);
  double beta() const;

  void setRunState(VaeController::State state, bool hasSession);
  // An imported model (TorchScript) is explored, not trained: the training
  // controls are disabled and say why.
  void setImported(bool imported);
  void setProgress(double fraction, const QString& text);
  void setStatus(const QString& text, bool error);
  void setEffectiveBeta(double beta);

  QPushButton* startButton() const { return m_start; }
  QPushButton* pauseButton() const { return m_pause; }
  QPushButton* stepButton() const { return m_step; }
  QPushButton* resetButton() const { return m_reset; }
  QProgressBar* progressBar() const { return m_progress; }
  QLabel* statusLabel() const { return m_status; }
  QSpinBox* epochsSpin() const { return m_epochs; }
  QSpinBox* latentDimSpin() const { return m_latentDim; }
  QSlider* betaSlider() const { return m_beta; }

 Q_SIGNALS:
  void startClicked();
  void pauseClicked();
  void stepClicked();
  void resetClicked();
  void saveClicked();
  void loadClicked();
  void betaChanged(double beta);
  void dataSpecChanged(const QString& spec);

 private:
  QGroupBox* buildDataBox();
  QGroupBox* buildModelBox();
  QGroupBox* buildTrainingBox();
  QWidget* buildButtons();
  void onDataActivated(int index);
  void updateBetaLabel();
  int folderItemIndex() const;

  QGroupBox* m_dataBox;
  QGroupBox* m_modelBox;
  QComboBox* m_data;
  int m_lastDataIndex = 0;
  QComboBox* m_arch;
  QSpinBox* m_latentDim;
  QSpinBox* m_hidden;
  QSlider* m_beta;
  QLabel* m_betaLabel;
  double m_effectiveBeta = -1;
  QSpinBox* m_warmup;
  QSpinBox* m_epochs;
  QSpinBox* m_batch;
  QDoubleSpinBox* m_lr;
  QSpinBox* m_seed;
  QPushButton* m_start;
  QPushButton* m_pause;
  QPushButton* m_step;
  QPushButton* m_reset;
  QPushButton* m_save;
  QPushButton* m_load;
  QProgressBar* m_progress;
  QLabel* m_status;
  bool m_imported = false;
};

}  // namespace genlab::ui
