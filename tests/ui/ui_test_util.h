#pragma once
// Helpers for the ui tests: wait for a condition while the event loop runs.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QMessageBox>
#include <QThread>

#include <QSize>
#include <QTemporaryDir>

#include <functional>
#include <memory>
#include <type_traits>

#include "ui/bridge/engine_bridge.h"

namespace genlab::ui::test {

// Processes events until `done()` or `timeoutMs` passes; returns done().
inline bool waitUntil(const std::function<bool()>& done, int timeoutMs = 30000) {
  QElapsedTimer timer;
  timer.start();
  while (!done()) {
    if (timer.elapsed() > timeoutMs) return false;
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QThread::msleep(2);
  }
  return true;
}

// Writes `bytes` to `path` (a fixture the test makes); false when it cannot.
inline bool writeFile(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// A lab's panel on a bridge of its own, shown at `size`, counting the runs its
// controller finished. The panel goes before the bridge.
template <class Panel>
struct PanelFixture {
  EngineBridge bridge;
  std::unique_ptr<Panel> panel;
  int finished = 0;
  QTemporaryDir dir;  // the test's own files

  QString path(const QString& name) const { return dir.filePath(name); }
  // Writes a fixture file into the test's folder and returns its path.
  QString write(const QString& name, const QByteArray& bytes) const {
    const QString p = path(name);
    REQUIRE(writeFile(p, bytes));
    return p;
  }

  explicit PanelFixture(QSize size) : panel(std::make_unique<Panel>(&bridge)) {
    using Controller = std::remove_pointer_t<decltype(panel->controller())>;
    QObject::connect(panel->controller(), &Controller::finished, [this] { ++finished; });
    panel->resize(size);
    panel->show();
  }
};

// Closes every open message box (they are window-modal, never blocking).
inline void closeMessageBoxes() {
  for (QWidget* w : QApplication::topLevelWidgets())
    if (auto* box = qobject_cast<QMessageBox*>(w)) box->close();
  QCoreApplication::processEvents();
}

inline bool hasErrorBox() {
  for (QWidget* w : QApplication::topLevelWidgets())
    if (qobject_cast<QMessageBox*>(w) && w->isVisible()) return true;
  return false;
}

// The text (and detailed text) of the visible message boxes.
inline QString errorBoxText() {
  QString text;
  for (QWidget* w : QApplication::topLevelWidgets())
    if (auto* box = qobject_cast<QMessageBox*>(w); box && box->isVisible())
      text += box->text() + QLatin1Char('\n') + box->informativeText() + QLatin1Char('\n') +
              box->detailedText();
  return text;
}

}  // namespace genlab::ui::test
