#include "ui/views/vtk_volume_viewer.h"

#include <QKeyEvent>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkColorTransferFunction.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkLookupTable.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSmartVolumeMapper.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>

#include <algorithm>
#include <cmath>

namespace genlab::ui {

namespace {
constexpr int kTextSize = 16;

void styleText(vtkTextActor* t) {
  vtkTextProperty* p = t->GetTextProperty();
  p->SetFontSize(kTextSize);
  p->SetFontFamilyToArial();
  p->SetColor(1, 1, 1);
  p->SetShadow(1);
  t->SetTextScaleModeToNone();
  t->SetPickable(false);
}

// The 12 edges of the box [0, ex] x [0, ey] x [0, ez].
void buildOutline(vtkActor* actor, double ex, double ey, double ez) {
  vtkNew<vtkPoints> pts;
  for (int i = 0; i < 8; ++i) pts->InsertNextPoint(i & 1 ? ex : 0, i & 2 ? ey : 0, i & 4 ? ez : 0);
  vtkNew<vtkCellArray> lines;
  const int edges[12][2] = {{0, 1}, {2, 3}, {4, 5}, {6, 7}, {0, 2}, {1, 3},
                            {4, 6}, {5, 7}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};
  for (const auto& e : edges) {
    const vtkIdType ids[2] = {e[0], e[1]};
    lines->InsertNextCell(2, ids);
  }
  vtkNew<vtkPolyData> poly;
  poly->SetPoints(pts);
  poly->SetLines(lines);
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputData(poly);
  actor->SetMapper(mapper);
}
}  // namespace

VtkVolumeViewer::VtkVolumeViewer(QWidget* parent) : VtkView(parent) {
  renderer()->SetBackground(0.05, 0.05, 0.07);
  renderer()->SetBackground2(0.20, 0.22, 0.28);
  renderer()->GradientBackgroundOn();

  m_mapper->SetInputData(m_data);
  m_mapper->SetBlendModeToComposite();
  m_mapper->SetRequestedRenderModeToDefault();
  m_property->SetColor(m_color);
  m_property->SetScalarOpacity(m_opacity);
  m_property->SetInterpolationTypeToLinear();
  m_property->ShadeOff();
  m_volume->SetMapper(m_mapper);
  m_volume->SetProperty(m_property);
  m_volume->SetVisibility(false);
  renderer()->AddViewProp(m_volume);

  // Grey slices whose background (the lowest 4 % of the range: air) is
  // transparent, so the planes do not hide the rendered volume behind them.
  m_lut->SetNumberOfTableValues(256);
  m_lut->SetRange(0, 1);
  for (int i = 0; i < 256; ++i) {
    const double g = i / 255.0;
    m_lut->SetTableValue(i, g, g, g, i < 10 ? 0.0 : 1.0);
  }
  for (int i = 0; i < 3; ++i) {
    m_sliceMapper[i]->SetInputData(m_data);
    m_sliceMapper[i]->SetOrientation(i);
    m_slice[i]->SetMapper(m_sliceMapper[i]);
    m_slice[i]->GetProperty()->SetLookupTable(m_lut);
    m_slice[i]->GetProperty()->UseLookupTableScalarRangeOff();
    m_slice[i]->GetProperty()->SetInterpolationTypeToLinear();
    m_slice[i]->SetVisibility(false);
    renderer()->AddViewProp(m_slice[i]);
  }
  m_outline->GetProperty()->SetColor(0.9, 0.8, 0.3);
  m_outline->GetProperty()->LightingOff();
  m_outline->SetVisibility(false);
  renderer()->AddActor(m_outline);

  styleText(m_titleText);
  styleText(m_placeholderText);
  m_titleText->GetTextProperty()->SetBold(1);
  m_titleText->GetTextProperty()->SetVerticalJustificationToTop();
  m_placeholderText->GetTextProperty()->SetJustificationToCentered();
  m_placeholderText->GetTextProperty()->SetVerticalJustificationToCentered();
  m_placeholderText->GetTextProperty()->SetColor(0.75, 0.75, 0.78);
  renderer()->AddViewProp(m_titleText);
  renderer()->AddViewProp(m_placeholderText);

  vtkNew<vtkInteractorStyleTrackballCamera> style;
  setInteractorStyle(style);
}

VtkVolumeViewer::~VtkVolumeViewer() = default;

void VtkVolumeViewer::setVolume(const core::physics::FloatImage& v, std::array<double, 3> spacing) {
  const int nx = v.width, ny = v.height, nz = std::max(1, v.depth);
  if (nx < 1 || ny < 1 || v.values.size() < std::size_t(nx) * ny * nz) {
    clearVolume(tr("(empty volume)"));
    return;
  }
  const bool reshaped = m_dims != std::array<int, 3>{nx, ny, nz};
  m_dims = {nx, ny, nz};
  for (double& s : spacing)
    if (!(s > 0) || !std::isfinite(s)) s = 1;
  m_spacing = spacing;
  m_data->SetDimensions(nx, ny, nz);
  m_data->SetSpacing(spacing.data());
  m_data->SetOrigin(0, 0, 0);
  m_data->AllocateScalars(VTK_FLOAT, 1);
  auto* out = static_cast<float*>(m_data->GetScalarPointer());
  // Rows flipped as in the 2-D viewers: row 0 at the top.
  for (int z = 0; z < nz; ++z)
    for (int r = 0; r < ny; ++r)
      std::copy_n(v.values.data() + (std::size_t(z) * ny + r) * nx, nx,
                  out + (std::size_t(z) * ny + (ny - 1 - r)) * nx);
  m_data->Modified();
  if (!m_rangeSet) {
    const auto [lo, hi] = std::minmax_element(v.values.begin(), v.values.end());
    m_lo = *lo;
    m_hi = *hi > *lo ? *hi : *lo + 1;
  }
  buildOutline(m_outline, (nx - 1) * spacing[0], (ny - 1) * spacing[1], (nz - 1) * spacing[2]);
  if (reshaped) m_slices = {nx / 2, ny / 2, nz / 2};
  m_placeholder.clear();
  updateTransfer();
  updateSlices();
  m_volume->SetVisibility(m_showVolume);
  m_outline->SetVisibility(true);
  if (reshaped) m_cameraPending = true;
  update();
}

void VtkVolumeViewer::clearVolume(const QString& placeholder) {
  m_dims = {0, 0, 0};
  m_placeholder = placeholder;
  m_volume->SetVisibility(false);
  m_outline->SetVisibility(false);
  for (auto& s : m_slice) s->SetVisibility(false);
  update();
}

void VtkVolumeViewer::setTitle(const QString& title) {
  m_title = title;
  update();
}

void VtkVolumeViewer::setRange(double lo, double hi) {
  if (!(hi > lo)) return;
  m_lo = lo;
  m_hi = hi;
  m_rangeSet = true;
  updateTransfer();
  update();
}

void VtkVolumeViewer::updateTransfer() {
  const double lo = m_lo, hi = m_hi, d = hi - lo;
  m_color->RemoveAllPoints();
  // Dark blue-grey through bone to white: structure stays readable in depth.
  m_color->AddRGBPoint(lo, 0.0, 0.0, 0.0);
  m_color->AddRGBPoint(lo + 0.25 * d, 0.55, 0.35, 0.25);
  m_color->AddRGBPoint(lo + 0.6 * d, 0.95, 0.85, 0.70);
  m_color->AddRGBPoint(hi, 1.0, 1.0, 1.0);
  m_opacity->RemoveAllPoints();
  m_opacity->AddPoint(lo, 0.0);
  m_opacity->AddPoint(lo + 0.12 * d, 0.0);
  m_opacity->AddPoint(lo + 0.5 * d, 0.08);
  m_opacity->AddPoint(hi, 0.35);
  for (auto& s : m_slice) {
    s->GetProperty()->SetColorWindow(d);
    s->GetProperty()->SetColorLevel(lo + d / 2);
  }
}

void VtkVolumeViewer::setSlices(int x, int y, int z) {
  m_slices = {x, y, z};
  updateSlices();
  update();
}

void VtkVolumeViewer::updateSlices() {
  for (int i = 0; i < 3; ++i) {
    if (m_dims[i] <= 0) continue;
    int k = std::clamp(m_slices[i], 0, m_dims[i] - 1);
    m_slices[i] = k;
    if (i == 1) k = m_dims[1] - 1 - k;  // rows are flipped in VTK
    m_sliceMapper[i]->SetSliceNumber(k);
    m_slice[i]->SetVisibility(m_showSlices && hasVolume());
  }
  // Cropping regions are numbered x + 3 y + 9 z over three bands per axis:
  // below the first plane, between the planes, above the second (empty: the
  // second planes sit beyond the far faces). beforeRender drops the octant
  // that faces the camera.
  if (!hasVolume()) return;
  const double ends[3] = {(m_dims[0] - 1) * m_spacing[0] + 1, (m_dims[1] - 1) * m_spacing[1] + 1,
                          (m_dims[2] - 1) * m_spacing[2] + 1};
  const int k[3] = {m_slices[0], m_dims[1] - 1 - m_slices[1], m_slices[2]};
  double planes[6];
  for (int i = 0; i < 3; ++i) {
    planes[2 * i] = k[i] * m_spacing[i];
    planes[2 * i + 1] = ends[i];
  }
  m_mapper->SetCroppingRegionPlanes(planes);
  m_mapper->SetCropping(m_cutaway && m_showSlices);
}

void VtkVolumeViewer::cutTowardsCamera() {
  if (!hasVolume() || !m_mapper->GetCropping()) return;
  const double* planes = m_mapper->GetCroppingRegionPlanes();
  double eye[3];
  renderer()->GetActiveCamera()->GetPosition(eye);
  int region = 0;
  for (int i = 0, stride = 1; i < 3; ++i, stride *= 3)
    if (eye[i] > planes[2 * i]) region += stride;
  m_mapper->SetCroppingRegionFlags(0x7FFFFFF & ~(1 << region));
}

void VtkVolumeViewer::setCutaway(bool on) {
  m_cutaway = on;
  updateSlices();
  update();
}

void VtkVolumeViewer::setVolumeVisible(bool on) {
  m_showVolume = on;
  m_volume->SetVisibility(on && hasVolume());
  update();
}

void VtkVolumeViewer::setSlicesVisible(bool on) {
  m_showSlices = on;
  updateSlices();
  update();
}

QString VtkVolumeViewer::renderMode() const {
  switch (m_mapper->GetLastUsedRenderMode()) {
    case vtkSmartVolumeMapper::GPURenderMode: return QStringLiteral("GPU ray cast");
    case vtkSmartVolumeMapper::RayCastRenderMode: return QStringLiteral("CPU ray cast");
    default: return QString();
  }
}

void VtkVolumeViewer::resetCamera() {
  m_cameraPending = true;
  update();
}

void VtkVolumeViewer::beforeRender() {
  if (m_cameraPending && hasVolume()) {
    m_cameraPending = false;
    vtkCamera* cam = renderer()->GetActiveCamera();
    // Slices stack along z: z is up, the first row of a slice (front, for
    // a radiological axial slice) faces the camera, seen from front-right-above.
    cam->SetFocalPoint(0, 0, 0);
    cam->SetPosition(0, 1, 0);
    cam->SetViewUp(0, 0, 1);
    renderer()->ResetCamera();
    cam->Azimuth(35);
    cam->Elevation(30);
    cam->OrthogonalizeViewUp();
    cam->Zoom(0.95);
    renderer()->ResetCameraClippingRange();
  }
  const double r = pixelRatio();
  const int w = int(width() * r), h = int(height() * r);
  m_titleText->SetInput(m_title.toUtf8().constData());
  m_titleText->SetDisplayPosition(int(8 * r), h - int(8 * r));
  m_placeholderText->SetInput(hasVolume() ? "" : m_placeholder.toUtf8().constData());
  m_placeholderText->SetDisplayPosition(w / 2, h / 2);
  for (vtkTextActor* t : {m_titleText.Get(), m_placeholderText.Get()})
    t->GetTextProperty()->SetFontSize(int(kTextSize * r));
  if (hasVolume()) renderer()->ResetCameraClippingRange();
  cutTowardsCamera();
}

void VtkVolumeViewer::keyPressEvent(QKeyEvent* e) {
  if (e->key() == Qt::Key_R && e->modifiers() == Qt::NoModifier) {
    resetCamera();
    e->accept();
    return;
  }
  VtkView::keyPressEvent(e);
}

}  // namespace genlab::ui
