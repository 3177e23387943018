// LatentMapView on its own: zoom around the cursor, pan, fit, pick, interpolation endpoints.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

#include <algorithm>
#include <vector>

#include "ui/views/kl_bars_view.h"
#include "ui/views/latent_map_view.h"

using genlab::ui::KlBarsView;
using genlab::ui::LatentMapView;

namespace {
void wheel(QWidget* w, QPoint pos, int delta) {
  QWheelEvent e(QPointF(pos), QPointF(w->mapToGlobal(pos)), QPoint(), QPoint(0, delta),
                Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(w, &e);
}

std::vector<float> square(int n) {
  std::vector<float> xy;
  for (int i = 0; i < n; ++i) {
    xy.push_back(-2.f + 4.f * float(i % 10) / 9.f);
    xy.push_back(-2.f + 4.f * float(i / 10 % 10) / 9.f);
  }
  return xy;
}
}  // namespace

TEST_CASE("latent map zooms around the cursor, pans and fits", "[views]") {
  LatentMapView view;
  view.resize(600, 500);
  view.show();
  QSignalSpy changed(&view, &LatentMapView::viewChanged);
  view.setPoints(square(100), std::vector<int>(100, 3));
  CHECK(view.pointCount() == 100);
  const QRectF fitted = view.visibleLatentRect();
  CHECK(fitted.contains(QRectF(-2, -2, 4, 4)));

  const QPoint cursor = view.plotRect().center() + QPoint(80, -50);
  const QPointF under = view.latentAt(cursor);
  wheel(&view, cursor, 240);  // zoom in
  CHECK(view.visibleLatentRect().width() < fitted.width() * 0.8);
  const QPointF after = view.latentAt(cursor);
  CHECK(after.x() == Approx(under.x()).margin(1e-6));
  CHECK(after.y() == Approx(under.y()).margin(1e-6));
  CHECK(changed.count() > 0);

  const QRectF beforePan = view.visibleLatentRect();
  const QPoint start = view.plotRect().center();
  QTest::mousePress(&view, Qt::RightButton, Qt::NoModifier, start);
  QTest::mouseMove(&view, start + QPoint(100, 0));
  QTest::mouseRelease(&view, Qt::RightButton, Qt::NoModifier, start + QPoint(100, 0));
  CHECK(view.visibleLatentRect().left() < beforePan.left());  // content moved right

  // New points do not move a view the user has panned...
  view.setPoints(square(50), std::vector<int>(50, 1));
  CHECK(view.visibleLatentRect().left() < beforePan.left());
  // ...until Fit (the new points fill rows y = -2 .. -0.22).
  view.fit();
  const QRectF refit = view.visibleLatentRect();
  CHECK(refit.contains(QRectF(QPointF(-2, -2), QPointF(2, -0.23))));
  CHECK(refit.center().y() < -0.5);
}

TEST_CASE("latent map picks points and sets interpolation endpoints", "[views]") {
  LatentMapView view;
  view.resize(600, 500);
  view.show();
  view.setPoints(square(100), {});
  QSignalSpy picked(&view, &LatentMapView::picked);
  QSignalSpy interp(&view, &LatentMapView::interpolationRequested);
  const QPoint p = view.plotRect().center() + QPoint(30, 40);
  QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, p);
  REQUIRE(picked.count() == 1);
  const QPointF z = picked.first().first().toPointF();
  CHECK(z.x() > 0);
  CHECK(z.y() < 0);  // latent y grows upwards
  REQUIRE(view.pinned());
  CHECK(*view.pinned() == z);

  QTest::mouseClick(&view, Qt::LeftButton, Qt::ShiftModifier, p);
  CHECK(interp.count() == 0);
  QTest::mouseClick(&view, Qt::LeftButton, Qt::ShiftModifier, p + QPoint(-100, 0));
  REQUIRE(interp.count() == 1);
  CHECK(interp.first().at(0).toPointF().x() > interp.first().at(1).toPointF().x());
  CHECK(picked.count() == 1);  // Shift+clicks do not move the pinned cursor
}

TEST_CASE("KL bars count active units and warn of posterior collapse", "[views]") {
  KlBarsView bars;
  bars.setValues({2.0, 0.5, 0.001, 0.002});
  CHECK(bars.activeUnits() == 2);
  CHECK_FALSE(bars.collapseWarning());
  bars.setValues({2.0, 0.001, 0.002, 0.0});
  CHECK(bars.activeUnits() == 1);
  CHECK(bars.collapseWarning());
  CHECK(bars.summary() == "posterior collapse: 1 of 4 dimensions active");
}

TEST_CASE("latent map draws 100 000 coloured points, lassos them, and shows δ and a cloud", "[views][cells]") {
  LatentMapView view;
  view.resize(700, 600);
  view.show();
  // A 400 x 250 grid on [-2, 2] x [-1.25, 1.25]: 100 000 points, none thinned.
  std::vector<float> xy;
  std::vector<QRgb> colours;
  for (int i = 0; i < 100000; ++i) {
    xy.push_back(-2.f + 4.f * float(i % 400) / 399.f);
    xy.push_back(-1.25f + 2.5f * float(i / 400) / 249.f);
    colours.push_back(i < 50000 ? qRgb(255, 0, 0) : qRgb(0, 0, 255));
  }
  view.setPoints(xy, {});
  view.setPointColours(colours);
  CHECK(view.pointCount() == 100000);
  QImage shot(view.size(), QImage::Format_ARGB32);
  view.render(&shot);
  // Per-point colours reach the pixels: the lower half (first 50 000 points) is red, the upper blue.
  const QPointF low = view.widgetPosOf({0.0, -0.6}), high = view.widgetPosOf({0.0, 0.6});
  const QColor a = shot.pixelColor(low.toPoint()), b = shot.pixelColor(high.toPoint());
  CHECK(a.red() > a.blue() + 60);
  CHECK(b.blue() > b.red() + 60);

  // A lasso drawn with the mouse over the left half selects exactly the points inside it.
  QSignalSpy finished(&view, &LatentMapView::lassoFinished);
  view.setLassoMode(2);
  const QPoint p0 = view.widgetPosOf({-2.1, -1.3}).toPoint(), p1 = view.widgetPosOf({-0.01, -1.3}).toPoint();
  const QPoint p2 = view.widgetPosOf({-0.01, 1.3}).toPoint(), p3 = view.widgetPosOf({-2.1, 1.3}).toPoint();
  QTest::mousePress(&view, Qt::LeftButton, Qt::NoModifier, p0);
  for (QPoint p : {p1, p2, p3}) {
    QMouseEvent move(QEvent::MouseMove, QPointF(p), QPointF(view.mapToGlobal(p)), Qt::NoButton,
                     Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&view, &move);
  }
  QTest::mouseRelease(&view, Qt::LeftButton, Qt::NoModifier, p3);
  REQUIRE(finished.count() == 1);
  CHECK(finished.at(0).at(0).toInt() == 2);
  const auto& sel = view.selection(2);
  // x < 0 holds columns 0..199 of every row: 200 * 250 points (up to a pixel at the edge).
  CHECK(std::abs(int(sel.size()) - 50000) <= 250);
  CHECK(std::none_of(sel.begin(), sel.end(), [&](int i) { return xy[2 * i] > 0.01f; }));
  CHECK(view.selection(1).empty());
  // A polygon set in map units, and the selection follows new points.
  view.setLasso(1, QPolygonF({QPointF(0.5, -2), QPointF(3, -2), QPointF(3, 2), QPointF(0.5, 2)}));
  const std::size_t right = view.selection(1).size();
  CHECK(right > 10000);
  for (float& v : xy) v -= 1.0f;  // everything moves left and down by one
  view.setPoints(xy, {});
  CHECK(view.selection(1).size() < right);

  view.setArrow({-1, 0}, {1, 0});
  view.setPrediction(std::vector<float>{0, 0, 1, 1}, std::vector<float>{2, 2, 3, 3});
  CHECK(view.hasArrow());
  CHECK(view.hasPrediction());
  CHECK(view.animationPhase() < 1.0);
  QTRY_VERIFY_WITH_TIMEOUT(view.animationPhase() >= 1.0, 5000);
  view.panBy({5, 0});
  view.repaint();
  CHECK(view.lastPaintMs() > 0);
  view.clearSelections();
  CHECK(view.selection(2).empty());
  CHECK(!view.hasArrow());
  CHECK(!view.hasPrediction());
}
