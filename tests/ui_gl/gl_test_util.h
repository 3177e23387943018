#pragma once
// Mouse helpers for the OpenGL ui tests: events sent straight to a widget,
// with the buttons held during moves (QTest::mouseMove does not carry them).
#include <QApplication>
#include <QMouseEvent>
#include <QWheelEvent>
#include <QWidget>

namespace genlab::ui::test {

inline void sendMouse(QWidget* w, QEvent::Type type, QPointF pos, Qt::MouseButton button,
                      Qt::MouseButtons buttons, Qt::KeyboardModifiers mods = Qt::NoModifier) {
  QMouseEvent e(type, pos, w->mapToGlobal(pos), button, buttons, mods);
  QApplication::sendEvent(w, &e);
}

inline void drag(QWidget* w, Qt::MouseButton button, QPoint from, QPoint to, int steps = 6,
                 Qt::KeyboardModifiers mods = Qt::NoModifier) {
  sendMouse(w, QEvent::MouseButtonPress, from, button, button, mods);
  for (int i = 1; i <= steps; ++i) {
    const QPointF p = from + QPointF(to - from) * (double(i) / steps);
    sendMouse(w, QEvent::MouseMove, p, Qt::NoButton, button, mods);
  }
  sendMouse(w, QEvent::MouseButtonRelease, to, button, Qt::NoButton, mods);
  QCoreApplication::processEvents();
}

inline void move(QWidget* w, QPoint to) {
  sendMouse(w, QEvent::MouseMove, to, Qt::NoButton, Qt::NoButton);
  QCoreApplication::processEvents();
}

inline void click(QWidget* w, QPoint at) {
  sendMouse(w, QEvent::MouseButtonPress, at, Qt::LeftButton, Qt::LeftButton);
  sendMouse(w, QEvent::MouseButtonRelease, at, Qt::LeftButton, Qt::NoButton);
  QCoreApplication::processEvents();
}

inline void wheel(QWidget* w, QPointF at, int delta) {
  QWheelEvent e(at, w->mapToGlobal(at), QPoint(), QPoint(0, delta), Qt::NoButton, Qt::NoModifier,
                Qt::NoScrollPhase, false);
  QApplication::sendEvent(w, &e);
  QCoreApplication::processEvents();
}

}  // namespace genlab::ui::test
