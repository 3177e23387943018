#pragma once
// A 3-D viewer on VTK: smart (GPU when available) volume ray casting plus
// three orthogonal slice planes through the volume and its outline box.
// Left drag rotates, wheel or right drag zooms, middle drag (or Shift+left)
// pans; R resets the camera. Volumes come as a physics::FloatImage stack
// (depth = number of slices, x fastest) with a voxel spacing.
#include <QString>

#include <array>

#include <vtkNew.h>

#include "core/physics/float_image.h"
#include "ui/views/vtk_view.h"

class vtkActor;
class vtkColorTransferFunction;
class vtkImageData;
class vtkImageSlice;
class vtkImageSliceMapper;
class vtkLookupTable;
class vtkPiecewiseFunction;
class vtkSmartVolumeMapper;
class vtkTextActor;
class vtkVolume;
class vtkVolumeProperty;

namespace genlab::ui {

class VtkVolumeViewer : public VtkView {
  Q_OBJECT

 public:
  explicit VtkVolumeViewer(QWidget* parent = nullptr);
  ~VtkVolumeViewer() override;

  void setVolume(const core::physics::FloatImage& volume, std::array<double, 3> spacing = {1, 1, 1});
  void clearVolume(const QString& placeholder = QString());
  bool hasVolume() const { return m_dims[0] > 0; }
  std::array<int, 3> dimensions() const { return m_dims; }

  void setTitle(const QString& title);
  // The value range the transfer functions and slices span (default: the data's range).
  void setRange(double lo, double hi);
  // Slice indices of the three orthogonal planes (x = column, y = row, z = slice).
  void setSlices(int x, int y, int z);
  std::array<int, 3> slices() const { return m_slices; }
  void setVolumeVisible(bool on);
  void setSlicesVisible(bool on);
  // Cuts the octant facing the camera out of the rendered volume at the
  // three planes, so that the slices inside can be seen (it follows rotation).
  void setCutaway(bool on);
  bool cutaway() const { return m_cutaway; }
  bool volumeVisible() const { return m_showVolume; }
  // The mapper actually used: "GPU ray cast", "CPU ray cast" or "" before the first frame.
  QString renderMode() const;
  void resetCamera();

 protected:
  void beforeRender() override;
  void keyPressEvent(QKeyEvent* e) override;

 private:
  void updateTransfer();
  void updateSlices();
  void cutTowardsCamera();

  vtkNew<vtkImageData> m_data;
  vtkNew<vtkSmartVolumeMapper> m_mapper;
  vtkNew<vtkVolumeProperty> m_property;
  vtkNew<vtkColorTransferFunction> m_color;
  vtkNew<vtkPiecewiseFunction> m_opacity;
  vtkNew<vtkVolume> m_volume;
  vtkNew<vtkLookupTable> m_lut;
  vtkNew<vtkImageSliceMapper> m_sliceMapper[3];
  vtkNew<vtkImageSlice> m_slice[3];
  vtkNew<vtkActor> m_outline;
  vtkNew<vtkTextActor> m_titleText, m_placeholderText;

  std::array<int, 3> m_dims{0, 0, 0};
  std::array<int, 3> m_slices{0, 0, 0};
  double m_lo = 0, m_hi = 1;
  bool m_rangeSet = false;
  bool m_showVolume = true, m_showSlices = true, m_cutaway = true;
  std::array<double, 3> m_spacing{1, 1, 1};
  bool m_cameraPending = false;
  QString m_title, m_placeholder;
};

}  // namespace genlab::ui
