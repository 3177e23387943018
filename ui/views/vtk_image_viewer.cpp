#include "ui/views/vtk_image_viewer.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageMapper3D.h>
#include <vtkImageProperty.h>
#include <vtkLookupTable.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <cmath>

namespace genlab::ui {

namespace {
constexpr int kTextSize = 15;
constexpr int kMargin = 6;

void styleText(vtkTextActor* t, bool bold) {
  vtkTextProperty* p = t->GetTextProperty();
  p->SetFontSize(kTextSize);
  p->SetBold(bold);
  p->SetColor(1, 1, 1);
  p->SetShadow(1);
  p->SetBackgroundColor(0, 0, 0);
  p->SetBackgroundOpacity(0.55);
  p->SetFontFamilyToArial();
  t->SetTextScaleModeToNone();
  t->SetPickable(false);
}

// Piecewise-linear colour map through `stops` (position, r, g, b).
struct Stop {
  double t, r, g, b;
};
void fillTable(vtkLookupTable* lut, std::initializer_list<Stop> stops) {
  const int n = 256;
  lut->SetNumberOfTableValues(n);
  const std::vector<Stop> s(stops);
  for (int i = 0; i < n; ++i) {
    const double t = double(i) / (n - 1);
    std::size_t k = 1;
    while (k + 1 < s.size() && s[k].t < t) ++k;
    const Stop& a = s[k - 1];
    const Stop& b = s[k];
    const double u = b.t > a.t ? std::clamp((t - a.t) / (b.t - a.t), 0.0, 1.0) : 0.0;
    lut->SetTableValue(i, a.r + u * (b.r - a.r), a.g + u * (b.g - a.g), a.b + u * (b.b - a.b), 1);
  }
}

QString number(double v) {
  if (v == 0) return QStringLiteral("0");
  const double a = std::abs(v);
  if (a >= 1e4 || a < 1e-3) return QString::number(v, 'g', 3);
  return QString::number(v, 'f', a >= 100 ? 1 : a >= 1 ? 3 : 4);
}
}  // namespace

VtkImageViewer::VtkImageViewer(QWidget* parent) : VtkView(parent) {
  setCursor(Qt::CrossCursor);
  renderer()->SetBackground(0.08, 0.08, 0.09);
  m_actor->GetMapper()->SetInputData(m_data);
  m_actor->GetProperty()->SetInterpolationTypeToNearest();
  m_actor->GetProperty()->SetLookupTable(m_lut);
  m_actor->GetProperty()->UseLookupTableScalarRangeOff();
  m_actor->SetVisibility(false);
  buildLookupTable();
  renderer()->AddViewProp(m_actor);

  // Crosshair: two lines across the image, drawn just above it.
  m_crossPoints->SetNumberOfPoints(4);
  vtkNew<vtkCellArray> lines;
  const vtkIdType h[2] = {0, 1}, v[2] = {2, 3};
  lines->InsertNextCell(2, h);
  lines->InsertNextCell(2, v);
  m_crossData->SetPoints(m_crossPoints);
  m_crossData->SetLines(lines);
  vtkNew<vtkPolyDataMapper> crossMapper;
  crossMapper->SetInputData(m_crossData);
  m_crossActor->SetMapper(crossMapper);
  m_crossActor->GetProperty()->SetColor(1.0, 0.85, 0.1);
  m_crossActor->GetProperty()->SetLineWidth(1.5);
  m_crossActor->GetProperty()->SetOpacity(0.85);
  m_crossActor->GetProperty()->LightingOff();
  m_crossActor->SetPickable(false);
  m_crossActor->SetVisibility(false);
  renderer()->AddActor(m_crossActor);

  styleText(m_titleText, true);
  styleText(m_readoutText, false);
  styleText(m_windowText, false);
  styleText(m_placeholderText, false);
  m_titleText->GetTextProperty()->SetVerticalJustificationToTop();
  m_windowText->GetTextProperty()->SetJustificationToRight();
  m_placeholderText->GetTextProperty()->SetJustificationToCentered();
  m_placeholderText->GetTextProperty()->SetVerticalJustificationToCentered();
  m_placeholderText->GetTextProperty()->SetBackgroundOpacity(0);
  m_placeholderText->GetTextProperty()->SetColor(0.75, 0.75, 0.78);
  for (vtkTextActor* t : {m_titleText.Get(), m_readoutText.Get(), m_windowText.Get(),
                          m_placeholderText.Get()}) {
    t->SetInput("");
    renderer()->AddViewProp(t);
  }

  vtkCamera* cam = renderer()->GetActiveCamera();
  cam->ParallelProjectionOn();
}

VtkImageViewer::~VtkImageViewer() = default;

void VtkImageViewer::buildLookupTable() {
  switch (m_colorMap) {
    case ColorMap::Grey:
      fillTable(m_lut, {{0, 0, 0, 0}, {1, 1, 1, 1}});
      break;
    case ColorMap::Diverging:  // blue - white - red, readable on a projector
      fillTable(m_lut, {{0, 0.13, 0.29, 0.75}, {0.25, 0.40, 0.60, 0.95}, {0.5, 0.97, 0.97, 0.97},
                        {0.75, 0.95, 0.55, 0.40}, {1, 0.70, 0.05, 0.10}});
      break;
    case ColorMap::Heat:  // black - purple - orange - pale yellow (inferno-like)
      fillTable(m_lut, {{0, 0, 0, 0.02}, {0.25, 0.33, 0.06, 0.43}, {0.5, 0.73, 0.21, 0.33},
                        {0.75, 0.98, 0.55, 0.04}, {1, 0.99, 1.0, 0.64}});
      break;
  }
  m_lut->SetRange(0, 1);
  m_lut->Build();
  m_lut->Modified();
}

void VtkImageViewer::setColorMap(ColorMap map) {
  if (map == m_colorMap) return;
  m_colorMap = map;
  buildLookupTable();
  update();
}

void VtkImageViewer::setImage(const core::physics::FloatImage& image, double pixelAspect) {
  if (image.width < 1 || image.height < 1 || image.values.size() < image.sliceSize()) {
    clearImage(tr("(empty image)"));
    return;
  }
  const bool resized = image.width != m_width || image.height != m_height ||
                       pixelAspect != m_aspect;
  m_image = image.depth > 1 ? image.slice(0) : image;
  m_width = image.width;
  m_height = image.height;
  m_aspect = pixelAspect > 0 ? pixelAspect : 1.0;
  m_data->SetDimensions(m_width, m_height, 1);
  m_data->SetSpacing(1, m_aspect, 1);
  m_data->SetOrigin(0, 0, 0);
  m_data->AllocateScalars(VTK_FLOAT, 1);
  auto* out = static_cast<float*>(m_data->GetScalarPointer());
  // VTK's y axis points up: row 0 of the image becomes the top row.
  for (int r = 0; r < m_height; ++r)
    std::copy_n(m_image.values.data() + std::size_t(r) * m_width, m_width,
                out + std::size_t(m_height - 1 - r) * m_width);
  m_data->Modified();
  m_actor->SetVisibility(true);
  m_placeholder.clear();
  if (resized) {
    m_userView = false;
    fitView();
    applyDefaultWindow();
  }
  if (m_crossVisible) {
    updateCrosshairGeometry();
    updateReadout(m_cross);
  }
  m_crossActor->SetVisibility(m_crossVisible);
  update();
}

void VtkImageViewer::clearImage(const QString& placeholder) {
  m_width = m_height = 0;
  m_image = {};
  m_userView = false;
  m_actor->SetVisibility(false);
  m_crossActor->SetVisibility(false);
  m_placeholder = placeholder;
  m_readout.clear();
  update();
}

void VtkImageViewer::setTitle(const QString& title) {
  m_title = title;
  update();
}

void VtkImageViewer::setCaption(const QString& caption) {
  m_caption = caption;
  update();
}

void VtkImageViewer::setAxisNames(const QString& x, const QString& y) {
  m_axisX = x;
  m_axisY = y;
}

void VtkImageViewer::setWindowLevel(double window, double level) {
  if (!std::isfinite(window) || !std::isfinite(level)) return;
  window = std::max(window, 1e-12);
  if (window == m_window && level == m_level) return;
  m_window = window;
  m_level = level;
  Q_EMIT windowLevelChanged(m_window, m_level);
  update();
}

void VtkImageViewer::setDefaultRange(double lo, double hi) {
  m_defaultLo = lo;
  m_defaultHi = hi;
}

void VtkImageViewer::fitWindowToData() {
  if (m_image.values.empty()) return;
  float lo = m_image.values.front(), hi = lo;
  for (float v : m_image.values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (m_colorMap == ColorMap::Diverging) {
    const double m = std::max(std::abs(double(lo)), std::abs(double(hi)));
    setWindowLevel(m > 0 ? 2 * m : 1, 0);
  } else if (m_colorMap == ColorMap::Heat) {
    setWindowLevel(hi > 0 ? hi : 1, hi > 0 ? hi / 2.0 : 0.5);
  } else {
    setWindowLevel(hi > lo ? hi - lo : 1, hi > lo ? (hi + lo) / 2.0 : lo);
  }
}

void VtkImageViewer::applyDefaultWindow() {
  if (m_defaultHi > m_defaultLo)
    setWindowLevel(m_defaultHi - m_defaultLo, (m_defaultHi + m_defaultLo) / 2);
  else
    fitWindowToData();
}

void VtkImageViewer::resetView() {
  m_userView = false;
  fitView();
  applyDefaultWindow();
  Q_EMIT viewChanged(m_scale, m_center);
}

void VtkImageViewer::fitView() {
  if (m_width <= 0) return;
  const double w = std::max(1, width()), h = std::max(1, height());
  const double ew = m_width, eh = m_height * m_aspect;
  const double margin = 1.04;
  m_scale = std::max(eh / 2, ew / 2 * h / w) * margin;
  m_center = QPointF((m_width - 1) / 2.0, (m_height - 1) * m_aspect / 2.0);
  update();
}

void VtkImageViewer::setView(double scale, QPointF center) {
  if (!(scale > 0) || !std::isfinite(center.x()) || !std::isfinite(center.y())) return;
  if (scale == m_scale && center == m_center) return;
  m_scale = scale;
  m_center = center;
  m_userView = true;
  update();
}

void VtkImageViewer::userView(double scale, QPointF center) {
  setView(scale, center);
  Q_EMIT viewChanged(m_scale, m_center);
}

double VtkImageViewer::worldPerPixel() const { return 2 * m_scale / std::max(1, height()); }

void VtkImageViewer::zoomBy(double factor, const QPointF& anchor) {
  if (!(factor > 0)) return;
  const double k = worldPerPixel();
  const QPointF world(m_center.x() + (anchor.x() - width() / 2.0) * k,
                      m_center.y() - (anchor.y() - height() / 2.0) * k);
  const double scale = std::clamp(m_scale / factor, 0.5, 1e5);
  const double r = scale / m_scale;
  userView(scale, world + (m_center - world) * r);
}

QPointF VtkImageViewer::imageAt(const QPointF& p) const {
  const double k = worldPerPixel();
  const double wx = m_center.x() + (p.x() - width() / 2.0) * k;
  const double wy = m_center.y() - (p.y() - height() / 2.0) * k;
  return QPointF(wx, (m_height - 1) - wy / m_aspect);
}

QPointF VtkImageViewer::widgetAt(const QPointF& img) const {
  const double k = worldPerPixel();
  const double wx = img.x(), wy = ((m_height - 1) - img.y()) * m_aspect;
  return QPointF(width() / 2.0 + (wx - m_center.x()) / k, height() / 2.0 - (wy - m_center.y()) / k);
}

bool VtkImageViewer::valueAt(const QPointF& img, double* value) const {
  const int x = int(std::lround(img.x())), y = int(std::lround(img.y()));
  if (m_width <= 0 || x < 0 || y < 0 || x >= m_width || y >= m_height) return false;
  if (value) *value = m_image.at(x, y);
  return true;
}

void VtkImageViewer::setCrosshair(QPointF imagePos, bool visible) {
  m_cross = imagePos;
  m_crossVisible = visible;
  if (visible && m_width > 0) {
    updateCrosshairGeometry();
    updateReadout(imagePos);
  } else if (!visible) {
    m_readout.clear();
  }
  m_crossActor->SetVisibility(visible && m_width > 0);
  update();
}

void VtkImageViewer::updateCrosshairGeometry() {
  const double x = m_cross.x(), y = ((m_height - 1) - m_cross.y()) * m_aspect;
  const double x0 = -0.5, x1 = m_width - 0.5;
  const double y0 = -0.5 * m_aspect, y1 = (m_height - 0.5) * m_aspect;
  const double z = 0.5;
  m_crossPoints->SetPoint(0, x0, y, z);
  m_crossPoints->SetPoint(1, x1, y, z);
  m_crossPoints->SetPoint(2, x, y0, z);
  m_crossPoints->SetPoint(3, x, y1, z);
  m_crossPoints->Modified();
  m_crossData->Modified();
}

void VtkImageViewer::updateReadout(const QPointF& img) {
  double v = 0;
  if (!valueAt(img, &v)) {
    m_readout.clear();
    return;
  }
  m_readout = QStringLiteral("%1 %2  %3 %4   %5")
                  .arg(m_axisX)
                  .arg(std::lround(img.x()))
                  .arg(m_axisY)
                  .arg(std::lround(img.y()))
                  .arg(number(v));
}

QString VtkImageViewer::windowText() const {
  return QStringLiteral("W %1  L %2").arg(number(m_window), number(m_level));
}

void VtkImageViewer::beforeRender() {
  vtkCamera* cam = renderer()->GetActiveCamera();
  cam->SetFocalPoint(m_center.x(), m_center.y(), 0);
  cam->SetPosition(m_center.x(), m_center.y(), 1000);
  cam->SetViewUp(0, 1, 0);
  cam->SetParallelScale(m_scale);
  renderer()->ResetCameraClippingRange(-10, m_width + 10, -10, m_height * m_aspect + 10, -1, 2);
  m_actor->GetProperty()->SetColorWindow(m_window);
  m_actor->GetProperty()->SetColorLevel(m_level);

  const double r = pixelRatio();
  const int w = int(width() * r), h = int(height() * r);
  const QString head = m_caption.isEmpty() ? m_title : m_title + "\n" + m_caption;
  m_titleText->SetInput(head.toUtf8().constData());
  m_titleText->SetDisplayPosition(int(kMargin * r), h - int(kMargin * r));
  m_readoutText->SetInput(m_crossVisible ? m_readout.toUtf8().constData() : "");
  m_readoutText->SetDisplayPosition(int(kMargin * r), int(kMargin * r));
  // Narrow viewers: the value readout wins over the window/level line.
  const bool roomForBoth = width() >= 380 || !m_crossVisible || m_readout.isEmpty();
  m_windowText->SetInput(m_width > 0 && roomForBoth ? windowText().toUtf8().constData() : "");
  m_windowText->SetDisplayPosition(w - int(kMargin * r), int(kMargin * r));
  m_placeholderText->SetInput(m_width > 0 ? "" : m_placeholder.toUtf8().constData());
  m_placeholderText->SetDisplayPosition(w / 2, h / 2);
  for (vtkTextActor* t : {m_titleText.Get(), m_readoutText.Get(), m_windowText.Get(),
                          m_placeholderText.Get()})
    t->GetTextProperty()->SetFontSize(int(kTextSize * r));
}

// ---- interaction (handled in Qt, not forwarded to VTK) ----

void VtkImageViewer::mousePressEvent(QMouseEvent* e) {
  setFocus(Qt::MouseFocusReason);
  m_pressPos = m_lastPos = e->position();
  m_moved = false;
  m_pressWindow = m_window;
  m_pressLevel = m_level;
  if (e->button() == Qt::LeftButton && !(e->modifiers() & Qt::ControlModifier))
    m_drag = Drag::WindowLevel;
  else if (e->button() == Qt::MiddleButton || e->button() == Qt::RightButton ||
           e->button() == Qt::LeftButton)
    m_drag = Drag::Pan;
  e->accept();
}

void VtkImageViewer::mouseMoveEvent(QMouseEvent* e) {
  const QPointF p = e->position();
  if (m_drag != Drag::None && (p - m_pressPos).manhattanLength() > 3) m_moved = true;
  if (m_drag == Drag::WindowLevel && m_moved) {
    // Right widens the window, up raises the level; both relative to where the drag began.
    const QPointF d = p - m_pressPos;
    const double window = m_pressWindow * std::exp(d.x() / 150.0);
    const double level = m_pressLevel - d.y() * m_pressWindow / 300.0;
    setWindowLevel(window, level);
  } else if (m_drag == Drag::Pan && m_moved) {
    const QPointF d = p - m_lastPos;
    const double k = worldPerPixel();
    userView(m_scale, m_center + QPointF(-d.x() * k, d.y() * k));
  }
  m_lastPos = p;
  if (m_width > 0) Q_EMIT cursorMoved(imageAt(p));
}

void VtkImageViewer::mouseReleaseEvent(QMouseEvent* e) {
  const bool click = !m_moved && m_drag != Drag::None && e->button() == Qt::LeftButton;
  m_drag = Drag::None;
  if (click) Q_EMIT clicked(imageAt(e->position()));
  e->accept();
}

void VtkImageViewer::mouseDoubleClickEvent(QMouseEvent* e) {
  if (e->button() == Qt::LeftButton) fitWindowToData();
  e->accept();
}

void VtkImageViewer::wheelEvent(QWheelEvent* e) {
  const double steps = e->angleDelta().y() / 120.0;
  if (steps != 0 && m_width > 0) zoomBy(std::pow(1.2, steps), e->position());
  e->accept();
}

void VtkImageViewer::keyPressEvent(QKeyEvent* e) {
  if (e->key() == Qt::Key_R && e->modifiers() == Qt::NoModifier) {
    resetView();
  } else if (e->key() == Qt::Key_A && e->modifiers() == Qt::NoModifier) {
    fitWindowToData();
  } else if ((e->key() == Qt::Key_Plus || e->key() == Qt::Key_Equal) && m_width > 0) {
    zoomBy(1.25, QPointF(width() / 2.0, height() / 2.0));
  } else if (e->key() == Qt::Key_Minus && m_width > 0) {
    zoomBy(0.8, QPointF(width() / 2.0, height() / 2.0));
  } else {
    QOpenGLWidget::keyPressEvent(e);
    return;
  }
  e->accept();
}

void VtkImageViewer::leaveEvent(QEvent* e) {
  Q_EMIT cursorLeft();
  QOpenGLWidget::leaveEvent(e);
}

void VtkImageViewer::resizeEvent(QResizeEvent* e) {
  VtkView::resizeEvent(e);
  // Keep the image fitted while the user has not zoomed away from the fit.
  if (m_width > 0 && !m_userView) fitView();
}

// ---- ImageViewerLink ----

void ImageViewerLink::add(VtkImageViewer* v) {
  m_viewers.push_back(v);
  connect(v, &VtkImageViewer::cursorMoved, this, &ImageViewerLink::moveCursor);
  connect(v, &VtkImageViewer::cursorLeft, this, &ImageViewerLink::hideCursor);
  connect(v, &VtkImageViewer::viewChanged, this,
          [this, v](double scale, QPointF center) { followView(v, scale, center); });
}

void ImageViewerLink::setLinked(VtkImageViewer* v, bool on) {
  m_unlinked.removeAll(v);
  if (!on) {
    m_unlinked.push_back(v);
    v->setCrosshair(QPointF(), false);
  }
}

void ImageViewerLink::setSyncView(bool on) { m_syncView = on; }

void ImageViewerLink::moveCursor(QPointF p) {
  auto* source = qobject_cast<VtkImageViewer*>(sender());
  if (source && !linked(source)) {
    source->setCrosshair(p, true);  // its own readout only
    return;
  }
  for (const auto& v : m_viewers)
    if (linked(v)) v->setCrosshair(p, true);
  Q_EMIT cursorMoved(p);
}

void ImageViewerLink::hideCursor() {
  for (const auto& v : m_viewers)
    if (v) v->setCrosshair(QPointF(), false);
  Q_EMIT cursorLeft();
}

void ImageViewerLink::followView(VtkImageViewer* source, double scale, QPointF center) {
  if (!m_syncView || m_busy || !source->hasImage() || !linked(source)) return;
  m_busy = true;
  for (const auto& v : m_viewers)
    if (linked(v) && v != source && v->hasImage() && v->image().width == source->image().width &&
        v->image().height == source->image().height)
      v->setView(scale, center);
  m_busy = false;
}

}  // namespace genlab::ui
