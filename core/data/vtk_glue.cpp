#include "core/data/vtk_glue.h"

#include <vtkAlgorithm.h>
#include <vtkDataArray.h>
#include <vtkExecutive.h>
#include <vtkFloatArray.h>
#include <vtkPointData.h>

#include <cmath>
#include <cstring>
#include <sstream>

namespace genlab::core::data::detail {

void VtkMessages::Execute(vtkObject*, unsigned long event, void* data) {
  if (event == vtkCommand::ErrorEvent) ++m_errors;
  if (data) m_text += static_cast<const char*>(data);
  m_text += "\n";
}

void VtkMessages::watch(vtkAlgorithm* algorithm) {
  algorithm->AddObserver(vtkCommand::ErrorEvent, this);
  algorithm->AddObserver(vtkCommand::WarningEvent, this);
  if (auto* exec = algorithm->GetExecutive()) {
    exec->AddObserver(vtkCommand::ErrorEvent, this);
    exec->AddObserver(vtkCommand::WarningEvent, this);
  }
}

std::string VtkMessages::text() const {
  // VTK's form: "ERROR: In FILE, line N\nvtkClass (0x...): message\n\n".
  std::istringstream in(m_text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.rfind("ERROR: In ", 0) == 0 || line.rfind("Warning: In ", 0) == 0)
      continue;
    const auto mark = line.find("): ");
    if (line.rfind("vtk", 0) == 0 && mark != std::string::npos) line = line.substr(mark + 3);
    if (out.find(line) != std::string::npos) continue;
    if (!out.empty()) out += "; ";
    out += line;
  }
  return out.size() > 400 ? out.substr(0, 400) + "..." : out;
}

namespace {
template <typename T>
void copyScalars(const T* src, std::size_t n, int comps, float maxValue, std::vector<float>& out) {
  out.resize(n);
  if (comps == 1) {
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(src[i]);
    return;
  }
  const bool alpha = comps == 2 || comps == 4;
  for (std::size_t i = 0; i < n; ++i) {
    const T* p = src + i * comps;
    double grey = comps >= 3 ? 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2] : double(p[0]);
    if (alpha) grey *= double(p[comps - 1]) / maxValue;
    out[i] = static_cast<float>(grey);
  }
}
}  // namespace

Volume fromImageData(vtkImageData* image, const std::string& what) {
  if (!image) throw VolumeError(what + ": the reader produced no image");
  int dims[3];
  image->GetDimensions(dims);
  vtkDataArray* scalars = image->GetPointData() ? image->GetPointData()->GetScalars() : nullptr;
  if (!scalars || dims[0] < 1 || dims[1] < 1 || dims[2] < 1)
    throw VolumeError(what + ": the reader produced no image data");
  const std::size_t n = std::size_t(dims[0]) * dims[1] * dims[2];
  const int comps = scalars->GetNumberOfComponents();
  if (comps < 1 || comps > 4 || static_cast<std::size_t>(scalars->GetNumberOfTuples()) != n)
    throw VolumeError(what + ": the reader produced inconsistent image data");
  Volume v;
  v.nx = dims[0];
  v.ny = dims[1];
  v.nz = dims[2];
  double spacing[3], origin[3];
  image->GetSpacing(spacing);
  image->GetOrigin(origin);
  for (int i = 0; i < 3; ++i) {
    v.spacing[i] = std::isfinite(spacing[i]) && spacing[i] != 0 ? std::abs(spacing[i]) : 1.0;
    v.origin[i] = std::isfinite(origin[i]) ? origin[i] : 0.0;
  }
  const float maxValue = scalars->GetDataType() == VTK_UNSIGNED_SHORT ? 65535.f : 255.f;
  switch (scalars->GetDataType()) {
    vtkTemplateMacro(copyScalars(static_cast<const VTK_TT*>(scalars->GetVoidPointer(0)), n, comps,
                                 maxValue, v.voxels));
    default:
      throw VolumeError(what + ": unsupported voxel type " +
                        std::string(scalars->GetDataTypeAsString()));
  }
  return v;
}

vtkSmartPointer<vtkImageData> toImageData(const Volume& v) {
  auto image = vtkSmartPointer<vtkImageData>::New();
  image->SetDimensions(v.nx, v.ny, v.nz);
  image->SetSpacing(v.spacing[0], v.spacing[1], v.spacing[2]);
  image->SetOrigin(v.origin[0], v.origin[1], v.origin[2]);
  auto values = vtkSmartPointer<vtkFloatArray>::New();
  values->SetNumberOfComponents(1);
  values->SetNumberOfTuples(static_cast<vtkIdType>(v.voxels.size()));
  std::memcpy(values->GetPointer(0), v.voxels.data(), v.voxels.size() * sizeof(float));
  values->SetName("voxels");
  image->GetPointData()->SetScalars(values);
  return image;
}

}  // namespace genlab::core::data::detail
