// The VTK views in a Qt 6 QOpenGLWidget: they draw real pixels, window/level,
// zoom and pan follow the mouse, and a row of viewers shares one crosshair.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QMouseEvent>
#include <QWheelEvent>
#include <QWidget>
#include <QHBoxLayout>

#include <cmath>
#include <memory>

#include "ui/views/vtk_image_viewer.h"
#include "ui/views/vtk_volume_viewer.h"
#include "gl_test_util.h"
#include "ui_test_util.h"

using namespace genlab::ui;
using genlab::core::physics::FloatImage;
using genlab::ui::test::waitUntil;

namespace {
// Top half bright (1), bottom half a left-to-right ramp 0..0.5.
FloatImage testImage(int n = 32) {
  FloatImage img(n, n);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) img.at(x, y) = y < n / 2 ? 1.f : 0.5f * x / (n - 1);
  return img;
}

int grey(const QImage& im, int x, int y) { return qGray(im.pixel(x, y)); }
}  // namespace

TEST_CASE("an image viewer draws the image upright and fills the view", "[vtk]") {
  VtkImageViewer v;
  v.resize(240, 240);
  v.setImage(testImage());
  v.setDefaultRange(0, 1);
  v.resetView();
  v.setTitle("test");
  v.show();
  REQUIRE(waitUntil([&] { return v.renderCount() > 0; }, 15000));
  REQUIRE(v.glReady());
  const QImage frame = v.grabFrame();
  REQUIRE(frame.width() >= 240);
  // Row 0 of the image is at the top of the view.
  const QPoint top = v.widgetAt(QPointF(16, 4)).toPoint();
  const QPoint bottomLeft = v.widgetAt(QPointF(2, 28)).toPoint();
  const QPoint bottomRight = v.widgetAt(QPointF(29, 28)).toPoint();
  CHECK(grey(frame, top.x(), top.y()) > 230);
  CHECK(grey(frame, bottomLeft.x(), bottomLeft.y()) < 30);
  const int right = grey(frame, bottomRight.x(), bottomRight.y());
  CHECK(right > 100);
  CHECK(right < 150);
  // Image coordinates round-trip through widget coordinates.
  const QPointF back = v.imageAt(v.widgetAt(QPointF(7.5, 20.25)));
  CHECK(back.x() == Approx(7.5).margin(1e-6));
  CHECK(back.y() == Approx(20.25).margin(1e-6));
  double value = 0;
  REQUIRE(v.valueAt(QPointF(31, 31), &value));
  CHECK(value == Approx(0.5));
  CHECK_FALSE(v.valueAt(QPointF(40, 3), &value));
}

TEST_CASE("left drag sets window and level and the wheel zooms about the cursor and right drag pans",
          "[vtk]") {
  VtkImageViewer v;
  v.resize(240, 240);
  v.setImage(testImage());
  v.setDefaultRange(0, 1);
  v.resetView();
  v.show();
  REQUIRE(waitUntil([&] { return v.renderCount() > 0; }, 15000));
  const QPoint ramp = v.widgetAt(QPointF(29, 28)).toPoint();
  const int before = grey(v.grabFrame(), ramp.x(), ramp.y());

  test::drag(&v, Qt::LeftButton, QPoint(100, 120), QPoint(40, 120));  // narrower window
  CHECK(v.window() == Approx(std::exp(-60 / 150.0)).epsilon(0.02));
  CHECK(v.level() == Approx(0.5));
  const int after = grey(v.grabFrame(), ramp.x(), ramp.y());
  CHECK(after != before);
  test::drag(&v, Qt::LeftButton, QPoint(100, 120), QPoint(100, 60));  // level up
  CHECK(v.level() > 0.55);

  const QPointF anchor(60, 80);
  const QPointF under = v.imageAt(anchor);
  const double scale = v.zoomScale();
  test::wheel(&v, anchor, 120);
  CHECK(v.zoomScale() < scale);
  CHECK(v.imageAt(anchor).x() == Approx(under.x()).margin(1e-6));
  CHECK(v.imageAt(anchor).y() == Approx(under.y()).margin(1e-6));

  const QPointF centre = v.viewCenter();
  test::drag(&v, Qt::RightButton, QPoint(120, 120), QPoint(150, 120));
  CHECK(v.viewCenter().x() < centre.x());

  v.resetView();  // what R does
  CHECK(v.zoomScale() == Approx(scale));
  CHECK(v.window() == Approx(1.0));
}

TEST_CASE("linked viewers share one crosshair and optionally zoom", "[vtk]") {
  QWidget row;
  auto* layout = new QHBoxLayout(&row);
  ImageViewerLink link;
  VtkImageViewer* views[3];
  for (auto*& v : views) {
    v = new VtkImageViewer;
    v->setImage(testImage());
    v->setDefaultRange(0, 1);
    layout->addWidget(v);
    link.add(v);
  }
  row.resize(720, 240);
  row.show();
  REQUIRE(waitUntil([&] { return views[2]->renderCount() > 0; }, 15000));
  const QPoint pos = views[0]->widgetAt(QPointF(10, 5)).toPoint();
  test::move(views[0], pos);
  for (auto* v : views) {
    CHECK(v->crosshairVisible());
    CHECK(v->crosshair().x() == Approx(10).margin(0.6));
    CHECK(v->crosshair().y() == Approx(5).margin(0.6));
  }
  CHECK(views[2]->readout().contains("x 10"));
  // The crosshair is drawn (yellow) in the third view, in the dark lower half.
  test::move(views[0], views[0]->widgetAt(QPointF(10, 24)).toPoint());
  const int before = views[2]->renderCount();
  const QImage frame = views[2]->grabFrame();  // renders the pending update
  CHECK(views[2]->renderCount() > before);
  const QPoint c = views[2]->widgetAt(QPointF(3, 24)).toPoint();
  const QRgb px = frame.pixel(c);
  CHECK(qRed(px) > 150);
  CHECK(qBlue(px) < 120);

  test::wheel(views[1], QPointF(100, 100), 240);
  CHECK(views[0]->zoomScale() == Approx(views[1]->zoomScale()));
  link.setSyncView(false);
  test::wheel(views[1], QPointF(100, 100), 240);
  CHECK(views[0]->zoomScale() > views[1]->zoomScale());

  QEvent leave(QEvent::Leave);
  QApplication::sendEvent(views[0], &leave);
  for (auto* v : views) CHECK_FALSE(v->crosshairVisible());
}

TEST_CASE("the volume viewer ray-casts a volume and rotates by drag", "[vtk]") {
  const int n = 32;
  FloatImage vol(n, n, n);
  for (int z = 0; z < n; ++z)
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) {
        const double r = std::hypot(std::hypot(x - 15.5, y - 15.5), z - 15.5);
        vol.at(x, y, z) = r < 12 ? float(1.0 - r / 24) : 0.f;
      }
  VtkVolumeViewer v;
  v.resize(300, 300);
  v.setVolume(vol, {1, 1, 1.5});
  v.setTitle("sphere");
  v.show();
  REQUIRE(waitUntil([&] { return v.renderCount() > 0; }, 20000));
  const QImage frame = v.grabFrame();
  const QRgb centre = frame.pixel(frame.width() / 2, frame.height() / 2);
  const QRgb corner = frame.pixel(3, frame.height() - 3);
  CHECK(qGray(centre) > qGray(corner) + 40);
  CHECK_FALSE(v.renderMode().isEmpty());
  CHECK(v.slices() == std::array<int, 3>{16, 16, 16});

  const QImage before = v.grabFrame();
  test::drag(&v, Qt::LeftButton, QPoint(150, 150), QPoint(220, 170));
  const QImage after = v.grabFrame();
  CHECK(before != after);
  v.setSlices(2, 30, 5);
  CHECK(v.slices() == std::array<int, 3>{2, 30, 5});
  v.setSlices(-4, 99, 5);
  CHECK(v.slices() == std::array<int, 3>{0, 31, 5});
}
