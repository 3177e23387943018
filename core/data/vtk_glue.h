#pragma once
// VTK plumbing shared by the volume reader and writer: error capture and
// vtkImageData <-> Volume. Internal to core/data (the public header stays
// VTK-free).
#include <vtkCommand.h>
#include <vtkImageData.h>
#include <vtkSmartPointer.h>

#include <string>

#include "core/data/volume_io.h"

class vtkAlgorithm;

namespace genlab::core::data::detail {

// Collects the error and warning events of the objects it watches, so that
// VTK prints nothing and its complaint ends up in the VolumeError. (An
// observed object reports to its observers instead of the output window.)
class VtkMessages : public vtkCommand {
 public:
  static VtkMessages* New() { return new VtkMessages; }
  void Execute(vtkObject* caller, unsigned long event, void* data) override;
  void watch(vtkAlgorithm* algorithm);  // the algorithm and its executive
  bool failed() const { return m_errors > 0; }
  // The collected messages without VTK's file/line/pointer decoration.
  std::string text() const;

 private:
  std::string m_text;
  int m_errors = 0;
};

// The first `components` of the point scalars as float voxels; several
// components (grey + alpha, RGB, RGBA) become grey: Rec. 601 luma of the
// stored values, alpha composited onto black.
Volume fromImageData(vtkImageData* image, const std::string& what);
// Float32 image data with v's geometry and voxels.
vtkSmartPointer<vtkImageData> toImageData(const Volume& v);

}  // namespace genlab::core::data::detail
