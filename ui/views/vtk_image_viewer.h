#pragma once
// A 2-D image viewer on VTK (vtkImageActor + lookup table): window/level by
// left drag, zoom by wheel (about the cursor), pan by middle or right drag,
// R resets, A or double-click fits the window to the data. A title overlay,
// a value readout under the cursor and a crosshair that an ImageViewerLink
// moves across a row of viewers (same image coordinate everywhere; zoom and
// pan optionally synced).
//
// Image coordinates: x = column, y = row (row 0 at the top, as in
// physics::FloatImage); pixel centres sit on integers.
#include <QPointF>
#include <QPointer>
#include <QString>
#include <QVector>

#include <vtkNew.h>

#include "core/physics/float_image.h"
#include "ui/views/vtk_view.h"

class vtkActor;
class vtkImageActor;
class vtkImageData;
class vtkLookupTable;
class vtkPoints;
class vtkPolyData;
class vtkTextActor;

namespace genlab::ui {

class VtkImageViewer : public VtkView {
  Q_OBJECT

 public:
  enum class ColorMap { Grey, Diverging, Heat };

  explicit VtkImageViewer(QWidget* parent = nullptr);
  ~VtkImageViewer() override;

  // Shows `image` (its first slice). `pixelAspect` stretches rows (for a
  // sinogram with few views). The view is fitted when the size changes.
  void setImage(const core::physics::FloatImage& image, double pixelAspect = 1.0);
  // Removes the image and shows `placeholder` in the middle instead.
  void clearImage(const QString& placeholder = QString());
  bool hasImage() const { return m_width > 0; }
  const core::physics::FloatImage& image() const { return m_image; }
  QString placeholder() const { return m_placeholder; }

  void setTitle(const QString& title);
  QString title() const { return m_title; }
  // A second line under the title (e.g. "PSNR 29.1 dB · SSIM 0.93").
  void setCaption(const QString& caption);
  QString caption() const { return m_caption; }
  // Names of the two axes in the readout ("x", "y" by default).
  void setAxisNames(const QString& x, const QString& y);
  void setColorMap(ColorMap map);
  ColorMap colorMap() const { return m_colorMap; }

  // Window/level: the value range [level - window/2, level + window/2] spans the colour map.
  void setWindowLevel(double window, double level);
  double window() const { return m_window; }
  double level() const { return m_level; }
  // The range that R and new images return to; unset (lo >= hi) = fit to the data.
  void setDefaultRange(double lo, double hi);
  void fitWindowToData();  // min..max (symmetric about 0 for the diverging map)
  void resetView();        // fits the image into the viewport, default window

  // Camera: world units are image pixels. `scale` is half the visible height.
  double zoomScale() const { return m_scale; }
  QPointF viewCenter() const { return m_center; }
  // Sets the camera (no viewChanged: that signal reports the user's own zoom and pan).
  void setView(double scale, QPointF center);
  void zoomBy(double factor, const QPointF& anchorWidgetPos);

  // The linked crosshair, in image coordinates.
  void setCrosshair(QPointF imagePos, bool visible);
  bool crosshairVisible() const { return m_crossVisible; }
  QPointF crosshair() const { return m_cross; }

  // Widget position (logical pixels, y down) to image coordinates and back.
  QPointF imageAt(const QPointF& widgetPos) const;
  QPointF widgetAt(const QPointF& imagePos) const;
  // Value of the pixel nearest to `imagePos`; false outside the image.
  bool valueAt(const QPointF& imagePos, double* value) const;
  QString readout() const { return m_readout; }

 Q_SIGNALS:
  void cursorMoved(QPointF imagePos);
  void cursorLeft();
  void clicked(QPointF imagePos);
  void viewChanged(double scale, QPointF center);
  void windowLevelChanged(double window, double level);

 protected:
  void beforeRender() override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;
  void leaveEvent(QEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;

 private:
  enum class Drag { None, WindowLevel, Pan };
  void buildLookupTable();
  void fitView();
  void applyDefaultWindow();
  void userView(double scale, QPointF center);  // setView + viewChanged
  void updateReadout(const QPointF& imagePos);
  void updateCrosshairGeometry();
  QString windowText() const;
  double worldPerPixel() const;  // world units per logical widget pixel

  vtkNew<vtkImageData> m_data;
  vtkNew<vtkImageActor> m_actor;
  vtkNew<vtkLookupTable> m_lut;
  vtkNew<vtkPoints> m_crossPoints;
  vtkNew<vtkPolyData> m_crossData;
  vtkNew<vtkActor> m_crossActor;
  vtkNew<vtkTextActor> m_titleText, m_readoutText, m_windowText, m_placeholderText;

  core::physics::FloatImage m_image;
  int m_width = 0, m_height = 0;
  double m_aspect = 1.0;
  QString m_title, m_caption, m_placeholder, m_readout, m_axisX = "x", m_axisY = "y";
  ColorMap m_colorMap = ColorMap::Grey;
  double m_window = 1.0, m_level = 0.5;
  double m_defaultLo = 0, m_defaultHi = 0;
  double m_scale = 64;
  QPointF m_center;
  bool m_userView = false;  // zoomed or panned away from the fit
  QPointF m_cross;
  bool m_crossVisible = false;

  Drag m_drag = Drag::None;
  QPointF m_pressPos, m_lastPos;
  double m_pressWindow = 1, m_pressLevel = 0.5;
  bool m_moved = false;
};

// Links a row of viewers: the crosshair follows the cursor over any of them
// (same image coordinate in all), and optionally zoom and pan follow too.
class ImageViewerLink : public QObject {
  Q_OBJECT

 public:
  explicit ImageViewerLink(QObject* parent = nullptr) : QObject(parent) {}
  void add(VtkImageViewer* viewer);
  // A viewer in another coordinate space (a sinogram) can stay in the row
  // without taking part in the crosshair and zoom.
  void setLinked(VtkImageViewer* viewer, bool on);
  void setSyncView(bool on);
  bool syncView() const { return m_syncView; }
  // Puts the shared crosshair at `imagePos` in every linked viewer (scripts, demos).
  void showCursor(QPointF imagePos) { moveCursor(imagePos); }
  const QVector<QPointer<VtkImageViewer>>& viewers() const { return m_viewers; }

 Q_SIGNALS:
  // The shared cursor moved (image coordinates) or left every viewer.
  void cursorMoved(QPointF imagePos);
  void cursorLeft();

 private:
  void moveCursor(QPointF imagePos);
  void hideCursor();
  void followView(VtkImageViewer* source, double scale, QPointF center);

  bool linked(const VtkImageViewer* v) const { return v && !m_unlinked.contains(v); }

  QVector<QPointer<VtkImageViewer>> m_viewers;
  QVector<const VtkImageViewer*> m_unlinked;
  bool m_syncView = true;
  bool m_busy = false;
};

}  // namespace genlab::ui
