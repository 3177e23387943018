#include "ui/views/vtk_view.h"

#include <QCoreApplication>
#include <QEnterEvent>
#include <QGuiApplication>
#include <QOffscreenSurface>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QOpenGLFunctions>
#include <QSurfaceFormat>
#include <QWheelEvent>

#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorObserver.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>

#include <cmath>

namespace genlab::ui {

VtkView::VtkView(QWidget* parent) : QOpenGLWidget(parent) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(true);
  setUpdateBehavior(QOpenGLWidget::NoPartialUpdate);
  m_window->SetReadyForRendering(false);
  m_window->SetFrameBlitModeToNoBlit();
  m_window->SetMultiSamples(0);
  m_window->AddRenderer(m_renderer);
  for (unsigned long id : {vtkCommand::WindowMakeCurrentEvent, vtkCommand::WindowIsCurrentEvent,
                           vtkCommand::WindowFrameEvent})
    m_window->AddObserver(id, this, &VtkView::onWindowEvent);
  // The interactor only translates events for its style; rendering stays in paintGL.
  m_interactor->SetRenderWindow(m_window);
  m_interactor->EnableRenderOff();
  m_interactor->Initialize();
}

VtkView::~VtkView() {
  releaseGL();
  m_window->RemoveAllObservers();
}

namespace {
struct GlCheck {
  bool ok = false;
  QString problem;
};

const GlCheck& glCheck() {
  static const GlCheck check = [] {
    GlCheck c;
    const QString platform = QGuiApplication::platformName();
    QOpenGLContext context;
    QOffscreenSurface surface;
    surface.create();
    const bool made = context.create() && surface.isValid() && context.makeCurrent(&surface);
    const QSurfaceFormat f = context.format();
    if (made) context.doneCurrent();
    c.ok = made && (f.majorVersion() > 3 || (f.majorVersion() == 3 && f.minorVersion() >= 2));
    if (!made)
      c.problem = QCoreApplication::translate(
                      "VtkView", "This lab draws with OpenGL (VTK), which this display does not "
                                 "offer (Qt platform '%1'). Run GenLab on a desktop with OpenGL, "
                                 "or headless under `xvfb-run -a` with Mesa.")
                      .arg(platform);
    else if (!c.ok)
      c.problem = QCoreApplication::translate(
                      "VtkView", "This lab needs OpenGL 3.2; this display offers %1.%2.")
                      .arg(f.majorVersion())
                      .arg(f.minorVersion());
    return c;
  }();
  return check;
}
}  // namespace

void VtkView::setDefaultSurfaceFormat() {
  QSurfaceFormat format;
  format.setRenderableType(QSurfaceFormat::OpenGL);
  format.setVersion(3, 2);
  format.setProfile(QSurfaceFormat::CoreProfile);
  format.setDepthBufferSize(24);
  format.setStencilBufferSize(8);
  QSurfaceFormat::setDefaultFormat(format);
}

bool VtkView::openGLAvailable() { return glCheck().ok; }
QString VtkView::openGLProblem() { return glCheck().problem; }

vtkRenderer* VtkView::renderer() const { return m_renderer; }
vtkGenericOpenGLRenderWindow* VtkView::renderWindow() const { return m_window; }

void VtkView::setInteractorStyle(vtkInteractorObserver* style) {
  m_interactor->SetInteractorStyle(style);
  m_forward = style != nullptr;
}

void VtkView::onWindowEvent(vtkObject*, unsigned long id, void* data) {
  switch (id) {
    case vtkCommand::WindowMakeCurrentEvent:
      // Not QOpenGLWidget::makeCurrent(): that re-binds Qt's framebuffer, VTK
      // then attaches its textures to it and the view stays blank.
      if (QOpenGLContext* c = context()) c->makeCurrent(c->surface());
      break;
    case vtkCommand::WindowIsCurrentEvent: {
      QOpenGLContext* c = context();
      *static_cast<bool*>(data) = c && QOpenGLContext::currentContext() == c;
      break;
    }
    case vtkCommand::WindowFrameEvent:
      if (!m_inPaint) update();
      break;
    default:
      break;
  }
}

void VtkView::initializeGL() {
  m_glReady = false;
  QOpenGLContext* c = context();
  if (!c || !c->isValid()) return;
  // The context is recreated when the widget moves to another window.
  connect(c, &QOpenGLContext::aboutToBeDestroyed, this, &VtkView::releaseGL, Qt::UniqueConnection);
  m_window->GetState()->Reset();
  m_window->SetReadyForRendering(true);
  m_window->SetOwnContext(0);
  m_window->SetForceMaximumHardwareLineWidth(1);
  m_window->OpenGLInitContext();
  m_glReady = true;
}

void VtkView::releaseGL() {
  if (!m_glReady) return;
  m_glReady = false;
  if (QOpenGLContext* c = context()) c->makeCurrent(c->surface());
  m_window->Finalize();
  m_window->SetReadyForRendering(false);
  if (context()) doneCurrent();
}

void VtkView::resizeGL(int w, int h) {
  const double r = pixelRatio();
  const int pw = int(std::lround(w * r)), ph = int(std::lround(h * r));
  m_interactor->UpdateSize(pw, ph);
  m_window->SetSize(pw, ph);
}

void VtkView::paintGL() {
  if (!m_glReady) return;
  m_inPaint = true;
  const double r = pixelRatio();
  const int w = int(std::lround(width() * r)), h = int(std::lround(height() * r));
  if (m_window->GetSize()[0] != w || m_window->GetSize()[1] != h) {
    m_interactor->UpdateSize(w, h);
    m_window->SetSize(w, h);
  }
  beforeRender();
  vtkOpenGLState* state = m_window->GetState();
  state->Reset();
  state->Push();
  state->vtkglDepthFunc(GL_LEQUAL);  // Qt leaves GL_LESS; VTK expects LEQUAL
  m_window->Render();
  ++m_renders;
  // Blit VTK's display framebuffer into the widget's framebuffer.
  state->vtkglBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
  GLenum buffer = GL_COLOR_ATTACHMENT0;
  state->vtkglDrawBuffers(1, &buffer);
  state->vtkglDisable(GL_SCISSOR_TEST);
  m_window->BlitDisplayFramebuffer(0, 0, 0, w, h, 0, 0, w, h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
  state->Pop();
  clearAlpha(w, h);
  m_inPaint = false;
  Q_EMIT rendered();
}

// VTK leaves alpha < 1 where nothing was drawn; Qt would blend those pixels
// with the window behind the widget (text shadows then look garbled).
void VtkView::clearAlpha(int w, int h) {
  QOpenGLFunctions* f = context()->functions();
  GLboolean mask[4];
  f->glGetBooleanv(GL_COLOR_WRITEMASK, mask);
  GLfloat clear[4];
  f->glGetFloatv(GL_COLOR_CLEAR_VALUE, clear);
  GLint viewport[4];
  f->glGetIntegerv(GL_VIEWPORT, viewport);
  const GLboolean scissor = f->glIsEnabled(GL_SCISSOR_TEST);
  f->glDisable(GL_SCISSOR_TEST);
  f->glBindFramebuffer(GL_FRAMEBUFFER, defaultFramebufferObject());
  f->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
  f->glClearColor(0, 0, 0, 1);
  f->glViewport(0, 0, w, h);
  f->glClear(GL_COLOR_BUFFER_BIT);
  f->glColorMask(mask[0], mask[1], mask[2], mask[3]);
  f->glClearColor(clear[0], clear[1], clear[2], clear[3]);
  f->glViewport(viewport[0], viewport[1], viewport[2], viewport[3]);
  if (scissor) f->glEnable(GL_SCISSOR_TEST);
}

QImage VtkView::grabFrame() { return grabFramebuffer(); }

// ---- event forwarding (3-D views) ----

namespace {
int buttonEvent(Qt::MouseButton b, bool press) {
  switch (b) {
    case Qt::LeftButton:
      return press ? vtkCommand::LeftButtonPressEvent : vtkCommand::LeftButtonReleaseEvent;
    case Qt::MiddleButton:
      return press ? vtkCommand::MiddleButtonPressEvent : vtkCommand::MiddleButtonReleaseEvent;
    case Qt::RightButton:
      return press ? vtkCommand::RightButtonPressEvent : vtkCommand::RightButtonReleaseEvent;
    default:
      return vtkCommand::NoEvent;
  }
}
}  // namespace

bool VtkView::prepareForward(const QPointF& pos, Qt::KeyboardModifiers mods, char key,
                             const char* keysym) {
  if (!m_forward || !m_interactor->GetInteractorStyle()) return false;
  const double r = pixelRatio();
  m_interactor->SetEventInformationFlipY(int(pos.x() * r), int(pos.y() * r),
                                         (mods & Qt::ControlModifier) ? 1 : 0,
                                         (mods & Qt::ShiftModifier) ? 1 : 0, key, 0, keysym);
  m_interactor->SetAltKey((mods & Qt::AltModifier) ? 1 : 0);
  return true;
}

void VtkView::mousePressEvent(QMouseEvent* e) {
  const int id = buttonEvent(e->button(), true);
  if (id == vtkCommand::NoEvent || !prepareForward(e->position(), e->modifiers())) return;
  m_interactor->InvokeEvent(id, e);
  update();
}

void VtkView::mouseReleaseEvent(QMouseEvent* e) {
  const int id = buttonEvent(e->button(), false);
  if (id == vtkCommand::NoEvent || !prepareForward(e->position(), e->modifiers())) return;
  m_interactor->InvokeEvent(id, e);
  update();
}

void VtkView::mouseMoveEvent(QMouseEvent* e) {
  if (!prepareForward(e->position(), e->modifiers())) return;
  m_interactor->InvokeEvent(vtkCommand::MouseMoveEvent, e);
  if (e->buttons() != Qt::NoButton) update();
}

void VtkView::mouseDoubleClickEvent(QMouseEvent* e) {
  if (!prepareForward(e->position(), e->modifiers())) return;
  m_interactor->SetRepeatCount(1);
  const int id = buttonEvent(e->button(), true);
  if (id != vtkCommand::NoEvent) m_interactor->InvokeEvent(id, e);
  update();
}

void VtkView::wheelEvent(QWheelEvent* e) {
  if (!prepareForward(e->position(), e->modifiers())) return;
  const int delta = e->angleDelta().y();
  if (delta == 0) return;
  m_interactor->InvokeEvent(delta > 0 ? vtkCommand::MouseWheelForwardEvent
                                       : vtkCommand::MouseWheelBackwardEvent,
                            e);
  e->accept();
  update();
}

void VtkView::keyPressEvent(QKeyEvent* e) {
  const QByteArray text = e->text().toLatin1();
  const char key = text.isEmpty() ? 0 : text.at(0);
  // VTK's default key bindings that would end the interactor, switch to
  // stereo or joystick mode, or fly the camera away are not forwarded.
  if (key && QByteArray("qQeE3jJtTfFpPuU").contains(key)) {
    QOpenGLWidget::keyPressEvent(e);
    return;
  }
  if (!prepareForward(mapFromGlobal(QCursor::pos()), e->modifiers(), key,
                      text.isEmpty() ? nullptr : text.constData())) {
    QOpenGLWidget::keyPressEvent(e);
    return;
  }
  m_interactor->InvokeEvent(vtkCommand::KeyPressEvent, e);
  m_interactor->InvokeEvent(vtkCommand::CharEvent, e);
  update();
}

void VtkView::keyReleaseEvent(QKeyEvent* e) {
  if (!m_forward) {
    QOpenGLWidget::keyReleaseEvent(e);
    return;
  }
  m_interactor->InvokeEvent(vtkCommand::KeyReleaseEvent, e);
}

void VtkView::enterEvent(QEnterEvent* e) {
  if (prepareForward(e->position(), Qt::NoModifier))
    m_interactor->InvokeEvent(vtkCommand::EnterEvent, e);
  QOpenGLWidget::enterEvent(e);
}

void VtkView::leaveEvent(QEvent* e) {
  if (m_forward) m_interactor->InvokeEvent(vtkCommand::LeaveEvent, e);
  QOpenGLWidget::leaveEvent(e);
}

}  // namespace genlab::ui
