#pragma once
// The CT lab's 3-D tab: a stack of slices of a volume (the MRI head, or an
// imported volume) scanned and reconstructed one slice at a time on the
// worker, shown with volume rendering plus orthogonal slice planes, and as
// three linked 2-D reslices (axial, coronal, sagittal).
#include <QString>
#include <QWidget>

#include "ui/labs/ct/ct_controller.h"
#include "ui/views/widget_forward.h"

namespace genlab::ui {

class CtControls;
class VtkImageViewer;
class VtkVolumeViewer;

class CtVolumeTab : public QWidget {
  Q_OBJECT

 public:
  CtVolumeTab(CtController* controller, CtControls* controls, QWidget* parent = nullptr);

  void setImportedVolume(const VolumePtr& volume, const QString& name);
  void startReconstruction();
  void cancel();
  bool running() const { return m_waitingForMri || m_controller->volumeRunning(); }
  bool hasResult() const { return bool(m_result); }
  void exportTo(const QString& path);

  VtkVolumeViewer* volumeViewer() const { return m_volume; }
  VtkImageViewer* reslice(int axis) const { return m_reslice[axis]; }  // 0 axial, 1 coronal, 2 sagittal
  QComboBox* sourceCombo() const { return m_source; }
  QComboBox* methodCombo() const { return m_method; }
  QSpinBox* slicesSpin() const { return m_count; }
  QSpinBox* iterationsSpin() const { return m_iters; }
  QComboBox* showCombo() const { return m_show; }
  const CtVolumeResultPtr& result() const { return m_result; }

 Q_SIGNALS:
  void busyChanged(bool busy);
  void statusMessage(const QString& text);
  void errorOccurred(const QString& what, const QString& message, bool fileError);

 private:
  QWidget* buildControls();
  void submit(const VolumePtr& volume);
  void onProgress(const CtVolumeProgressPtr& p);
  void onFinished(const CtVolumeResultPtr& r);
  void showStack();
  void updateReslices();
  void setSlice(int axis, int index);

  CtController* m_controller;
  CtControls* m_controls;
  VtkVolumeViewer* m_volume;
  VtkImageViewer* m_reslice[3];
  QComboBox* m_source;
  QComboBox* m_method;
  QSpinBox* m_count;
  QSpinBox* m_iters;
  QComboBox* m_show;
  QCheckBox* m_showVolume;
  QCheckBox* m_showPlanes;
  QSlider* m_slider[3];
  QPushButton* m_run;
  QProgressBar* m_progress;
  QLabel* m_summary;

  VolumePtr m_imported, m_mri;
  QString m_importedName;
  bool m_waitingForMri = false;
  CtVolumeResultPtr m_result;
  core::physics::FloatImage m_stack;  // what is shown: reconstruction or truth, top row first
  std::array<double, 3> m_spacing{1, 1, 1};
};

}  // namespace genlab::ui
