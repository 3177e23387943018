// Drives the Protein lab offscreen on its simulated Potts family: train, see
// the map and the charts, decode a click into a logo, scan mutants, run the
// design funnel.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>

#include "ui/labs/protein/protein_panel.h"
#include "ui/views/bar_chart_panel.h"
#include "ui/views/chart_panel.h"
#include "ui/views/image_view.h"
#include "ui/views/latent_map_view.h"
#include "ui_test_util.h"

using namespace genlab::ui;
using genlab::ui::test::hasErrorBox;
using genlab::ui::test::waitUntil;

TEST_CASE("protein panel trains on the Potts demo, decodes, scans and designs", "[protein]") {
  test::PanelFixture<ProteinPanel> f({1500, 950});
  ProteinPanel& panel = *f.panel;
  CHECK(panel.labId() == "protein");
  panel.epochsSpin()->setValue(3);
  panel.startTraining();
  REQUIRE(waitUntil([&] { return f.finished == 1 && !panel.isTraining(); }, 120000));
  CHECK_FALSE(hasErrorBox());
  CHECK(panel.mapView()->pointCount() == 1500);
  CHECK(panel.elboChart()->pointCount("held-out") >= 1);
  CHECK(panel.elboChart()->pointCount("pssm") >= 1);
  CHECK(panel.elboChart()->pointCount("train") > 0);
  CHECK(panel.dataDescription().contains("Neff"));

  // After training the panel scans the first sequence and samples a batch.
  REQUIRE(waitUntil([&] { return !panel.heatMapView()->image().isNull(); }));
  REQUIRE(waitUntil([&] { return panel.funnelChart()->count() > 0; }));
  CHECK(panel.funnelChart()->value("sampled") == 1000);
  CHECK(panel.heatMapView()->image().width() > 40 * 8);

  const QRect r = panel.mapView()->plotRect();
  QTest::mouseClick(panel.mapView(), Qt::LeftButton, Qt::NoModifier, r.center());
  REQUIRE(waitUntil([&] { return !panel.decodedView()->image().isNull(); }));
  CHECK(panel.decodedView()->caption().startsWith("decoded at"));

  // Brush a region on the map, then sample from it: a drag paints, it does
  // not decode, and Sample N sends the region's designs through the funnel.
  panel.brushButton()->click();
  CHECK(panel.mapView()->brushEnabled());
  const QPoint a = r.center() - QPoint(40, 0), b = r.center() + QPoint(40, 20);
  QTest::mousePress(panel.mapView(), Qt::LeftButton, Qt::NoModifier, a);
  for (int i = 1; i <= 8; ++i) {
    QMouseEvent move(QEvent::MouseMove, QPointF(a + (b - a) * i / 8.0),
                     panel.mapView()->mapToGlobal(QPointF(a + (b - a) * i / 8.0)), Qt::NoButton,
                     Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(panel.mapView(), &move);
  }
  QTest::mouseRelease(panel.mapView(), Qt::LeftButton, Qt::NoModifier, b);
  CHECK(panel.mapView()->brushRegion().size() >= 3);
  panel.designCountSpin()->setValue(321);
  panel.sampleButton()->click();
  REQUIRE(waitUntil([&] { return panel.funnelChart()->value("sampled") == 321; }));
  panel.brushButton()->click();  // off again: clicks decode
  CHECK_FALSE(panel.mapView()->brushEnabled());

  // A pasted wild type that is not aligned says why.
  panel.wildtypeEdit()->setText("ACDE");
  panel.scanButton()->click();
  REQUIRE(waitUntil([&] { return hasErrorBox(); }));
  test::closeMessageBoxes();

  panel.colourByCombo()->setCurrentIndex(3);  // k-means clusters of the map
  CHECK(panel.mapView()->pointCount() == 1500);

  // The model saves and opens again, with its settings in the controls.
  const QString model = f.path("family.glm");
  panel.controller()->save(model);
  REQUIRE(waitUntil([&] { return QFile::exists(model); }));
  panel.epochsSpin()->setValue(7);
  panel.mapView()->clearPoints();
  panel.controller()->load(model);
  REQUIRE(waitUntil([&] { return panel.mapView()->pointCount() == 1500; }));
  CHECK(panel.epochsSpin()->value() == 3);
  CHECK_FALSE(hasErrorBox());
}

TEST_CASE("protein panel colours the map by a Stockholm #=GS annotation", "[protein]") {
  test::PanelFixture<ProteinPanel> f({1200, 800});
  ProteinPanel& panel = *f.panel;
  QByteArray sto = "# STOCKHOLM 1.0\n";
  const char* rows[] = {"ACDEFGHIKL", "ACDEFGHIKM", "ACDEWGHIKL", "PCDEFGHIKL",
                        "ACDEFGHQKL", "ACNEFGHIKL", "ACDEFGRIKL", "ACDEFYHIKL"};
  for (int i = 0; i < 8; ++i)
    sto += "#=GS s" + QByteArray::number(i) + " OS " + (i % 2 ? "yeast" : "human") + "\n";
  for (int i = 0; i < 8; ++i) sto += "s" + QByteArray::number(i) + " " + rows[i] + "\n";
  sto += "//\n";
  REQUIRE(panel.setDataSpec(f.write("tiny.sto", sto)));
  panel.epochsSpin()->setValue(1);
  panel.startTraining();
  REQUIRE(waitUntil([&] { return f.finished == 1 && !panel.isTraining(); }, 60000));
  REQUIRE(panel.colourByCombo()->findText("#=GS OS") >= 0);
  panel.colourByCombo()->setCurrentIndex(panel.colourByCombo()->findText("#=GS OS"));
  CHECK(panel.mapView()->pointCount() == 8);
  test::closeMessageBoxes();
}
