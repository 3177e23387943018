#pragma once
// The CT lab's control column: problem (CT or deblurring) and object, scan or
// blur, methods and their settings, the score prior, run / cancel, progress
// and the status line.
#include <QString>
#include <QWidget>

#include <vector>

#include "core/labs/ct/ct_options.h"
#include "ui/views/widget_forward.h"

namespace genlab::ui {

class CtControls : public QWidget {
  Q_OBJECT

 public:
  explicit CtControls(QWidget* parent = nullptr);

  bool deblurMode() const;
  void setDeblurMode(bool on);
  // "shepp-logan", "ellipses", "mri", "hubble" or "imported".
  QString objectKind() const;
  bool setObjectKind(const QString& kind);
  int seed() const;
  int slice() const;
  // Imported volume present: offers "Imported: <name>" with `slices` slices.
  void setImported(const QString& name, int slices);

  core::ct::ScanOptions scanOptions() const;
  std::vector<core::ct::ReconOptions> methods() const;  // the checked ones
  bool methodChecked(const QString& method) const;
  void setMethodChecked(const QString& method, bool on);
  // SIRT / TV iterations, score: annealing steps.
  void setIterations(const QString& method, int n);
  bool nullspace() const;
  core::ct::PriorOptions priorOptions() const;

  void setRunning(bool running);
  void setPriorTraining(bool training);
  void setPriorStatus(const QString& text, bool loaded);
  void setProgress(double fraction, const QString& text);
  void setPriorProgress(double fraction, const QString& text);
  void setStatus(const QString& text, bool error);
  QString statusText() const;

  // For tests and scripted demos.
  QPushButton* runButton() const { return m_run; }
  QPushButton* cancelButton() const { return m_cancel; }
  QPushButton* importButton() const { return m_import; }
  QPushButton* exportButton() const { return m_export; }
  QPushButton* trainPriorButton() const { return m_trainPrior; }
  QComboBox* objectCombo() const { return m_object; }
  QComboBox* presetCombo() const { return m_preset; }
  QSpinBox* sizeSpin() const { return m_size; }
  QSpinBox* viewsSpin() const { return m_views; }
  QDoubleSpinBox* arcSpin() const { return m_arc; }
  QCheckBox* nullspaceBox() const { return m_nullspace; }
  QSpinBox* priorStepsSpin() const { return m_priorSteps; }
  QProgressBar* progressBar() const { return m_progress; }

 Q_SIGNALS:
  void runClicked();
  void cancelClicked();
  void simulateClicked();
  void importClicked();        // a file
  void importFolderClicked();  // a DICOM series folder
  void exportClicked();
  void loadPriorClicked();
  void trainPriorClicked();
  void cancelPriorClicked();
  void nullspaceToggled(bool on);
  void problemChanged();  // mode, object or scan changed

 private:
  QGroupBox* buildProblem();
  QGroupBox* buildScan();
  QGroupBox* buildBlur();
  QGroupBox* buildMethods();
  QGroupBox* buildPrior();
  QWidget* buildRun();
  void fillObjects();
  void applyPreset(int index);
  void updateEnabled();

  QComboBox* m_mode;
  QComboBox* m_object;
  QSpinBox* m_seed;
  QSpinBox* m_slice;
  QLabel* m_sliceLabel;
  QSpinBox* m_size;
  QPushButton* m_import;
  QPushButton* m_export;
  QGroupBox* m_scanBox;
  QComboBox* m_preset;
  QSpinBox* m_views;
  QDoubleSpinBox* m_arc;
  QComboBox* m_photons;
  QGroupBox* m_blurBox;
  QComboBox* m_psf;
  QDoubleSpinBox* m_psfSigma;
  QDoubleSpinBox* m_psfLength;
  QDoubleSpinBox* m_psfAngle;
  QDoubleSpinBox* m_blurNoise;
  QCheckBox* m_fbp;
  QComboBox* m_filter;
  QCheckBox* m_sirt;
  QSpinBox* m_sirtIters;
  QCheckBox* m_tv;
  QDoubleSpinBox* m_tvWeight;
  QSpinBox* m_tvIters;
  QCheckBox* m_score;
  QSpinBox* m_samples;
  QSpinBox* m_scoreSteps;
  QCheckBox* m_nullspace;
  QLabel* m_priorLabel;
  QPushButton* m_loadPrior;
  QPushButton* m_trainPrior;
  QPushButton* m_cancelPrior;
  QSpinBox* m_priorSteps;
  QProgressBar* m_priorProgress;
  QPushButton* m_run;
  QPushButton* m_cancel;
  QPushButton* m_simulate;
  QProgressBar* m_progress;
  QLabel* m_status;
  QString m_importedName;
  int m_importedSlices = 0;
  bool m_running = false;
  bool m_training = false;
};

}  // namespace genlab::ui
