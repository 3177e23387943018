#pragma once
// A QOpenGLWidget that hosts a vtkGenericOpenGLRenderWindow (Debian's
// QVTKOpenGLNativeWidget is Qt 5 only). VTK renders into its own framebuffer
// inside paintGL, which is then blitted into the widget's framebuffer.
// Needs the default QSurfaceFormat set to OpenGL 3.2 Core before the
// QApplication exists (setDefaultSurfaceFormat()) and a platform with
// OpenGL (xcb; not "offscreen").
//
// Subclasses either handle Qt's mouse and key events themselves (the 2-D
// image viewer) or turn on forwarding to a VTK interactor and its style
// (the 3-D viewer). All rendering happens in paintGL: the interactor never
// renders by itself, and every change ends in update().
#include <QOpenGLWidget>

#include <vtkNew.h>
#include <vtkSmartPointer.h>

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkInteractorObserver;
class vtkObject;
class vtkRenderer;

namespace genlab::ui {

class VtkView : public QOpenGLWidget {
  Q_OBJECT

 public:
  explicit VtkView(QWidget* parent = nullptr);
  ~VtkView() override;

  vtkRenderer* renderer() const;
  vtkGenericOpenGLRenderWindow* renderWindow() const;
  // Events go to this interactor (and its style) when forwarding is on.
  void setInteractorStyle(vtkInteractorObserver* style);
  void setForwardEvents(bool on) { m_forward = on; }

  // Whether this display offers the OpenGL the views need (checked once);
  // if not, openGLProblem() says so in a sentence for the user.
  // Sets the default surface format VTK needs (OpenGL 3.2 Core, depth and
  // stencil); call before the QApplication exists.
  static void setDefaultSurfaceFormat();
  static bool openGLAvailable();
  static QString openGLProblem();

  // initializeGL ran and VTK found a usable context.
  bool glReady() const { return m_glReady; }
  // Frames VTK rendered so far (tests, diagnostics).
  int renderCount() const { return m_renders; }
  // Renders now (if needed) and returns the widget's pixels.
  QImage grabFrame();

  QSize sizeHint() const override { return {320, 320}; }
  QSize minimumSizeHint() const override { return {120, 120}; }

 Q_SIGNALS:
  void rendered();

 protected:
  // Called in paintGL just before VTK renders: update overlays here.
  virtual void beforeRender() {}
  double pixelRatio() const { return devicePixelRatioF(); }

  void initializeGL() override;
  void paintGL() override;
  void resizeGL(int w, int h) override;

  void mousePressEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;
  void keyReleaseEvent(QKeyEvent* e) override;
  void enterEvent(QEnterEvent* e) override;
  void leaveEvent(QEvent* e) override;

 private:
  void onWindowEvent(vtkObject* caller, unsigned long id, void* data);
  void releaseGL();
  void clearAlpha(int w, int h);
  // Sets position, modifiers and key on the interactor; false when not forwarding.
  bool prepareForward(const QPointF& pos, Qt::KeyboardModifiers mods, char key = 0,
                      const char* keysym = nullptr);

  vtkNew<vtkGenericOpenGLRenderWindow> m_window;
  vtkNew<vtkRenderer> m_renderer;
  vtkNew<vtkGenericRenderWindowInteractor> m_interactor;
  bool m_forward = false;
  bool m_glReady = false;
  bool m_inPaint = false;
  int m_renders = 0;
};

}  // namespace genlab::ui
