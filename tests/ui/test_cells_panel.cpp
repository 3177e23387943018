// Drives the Cells lab offscreen on simulated data: open and train, see the
// map, the methods x metrics table and the scatter; lasso three groups and
// apply δ (the predicted cloud appears); colour by a gene; a missing file
// gives a message, not a crash.
#include <catch2/catch.hpp>

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>

#include "ui/views/latent_map_view.h"
#include "ui/labs/cells/cells_panel.h"
#include "ui_test_util.h"

using namespace genlab::ui;
using genlab::ui::test::hasErrorBox;
using genlab::ui::test::waitUntil;

TEST_CASE("cells panel trains on sim-shift, scores every method and applies a lasso δ", "[cells]") {
  test::PanelFixture<CellsPanel> f({1500, 950});
  CellsPanel& panel = *f.panel;
  CHECK(panel.labId() == "cells");
  panel.dataCombo()->setEditText("sim-shift");
  panel.epochsSpin()->setValue(2);
  panel.startTraining();
  REQUIRE(waitUntil([&] { return f.finished == 1 && !panel.isTraining(); }, 240000));
  CHECK_FALSE(hasErrorBox());
  CHECK(panel.mapView()->pointCount() == 6000);
  REQUIRE(panel.metricsTable()->rowCount() == 5);  // vae + 4 baselines
  CHECK(panel.metricsTable()->item(0, 0)->text().startsWith("vae"));
  CHECK(panel.metricsTable()->item(1, 0)->text() == "none");
  // "no change" has no Pearson-Δ: shown as a dash, never 0.
  CHECK(panel.metricsTable()->item(1, 5)->text() == QString::fromUtf8("—"));
  CHECK(panel.scatterPoints() == 1000);
  CHECK(panel.scatterTitle().contains(QString::fromUtf8("R²-Δ")));
  CHECK(panel.dataDescription().contains("held out"));

  // Three lassos, then δ: the predicted cloud appears and animates.
  panel.demoLassos();
  CHECK(panel.mapView()->selection(1).size() > 10);
  CHECK(panel.mapView()->selection(2).size() > 10);
  CHECK(panel.mapView()->selection(3).size() > 10);
  REQUIRE(waitUntil([&] { return panel.mapView()->hasPrediction(); }));
  REQUIRE(waitUntil([&] { return panel.mapView()->animationPhase() >= 1.0; }));
  CHECK(panel.genesTable()->rowCount() == 20);
  // Selection 3 is the held-out type's control: its prediction is scored against its treated cells.
  CHECK(panel.selectionScore()->isVisibleTo(&panel));
  CHECK(panel.selectionScore()->text().contains(QStringLiteral("Selection 3 scored")));
  CHECK(panel.selectionScore()->text().contains(QStringLiteral("latent δ")));
  CHECK(CellsPanel::selectionOfExport(QStringLiteral("/tmp/a.sel1.txt")) == 1);
  CHECK(CellsPanel::selectionOfExport(QStringLiteral("/tmp/a.txt")) == 3);

  // Drawing a lasso with the mouse selects what is inside it.
  panel.mapView()->clearSelections();
  panel.mapView()->setLassoMode(1);
  const QPoint c = panel.mapView()->rect().center();
  QTest::mousePress(panel.mapView(), Qt::LeftButton, Qt::NoModifier, c + QPoint(-150, -150));
  for (QPoint p : {QPoint(150, -150), QPoint(150, 150), QPoint(-150, 150)}) {
    QMouseEvent move(QEvent::MouseMove, QPointF(c + p), panel.mapView()->mapToGlobal(QPointF(c + p)),
                     Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(panel.mapView(), &move);
  }
  QTest::mouseRelease(panel.mapView(), Qt::LeftButton, Qt::NoModifier, c + QPoint(-150, 150));
  CHECK(panel.mapView()->selection(1).size() > 0);

  // Colour by a gene (type-ahead field, Enter).
  panel.geneEdit()->setText("gene3");
  QTest::keyClick(panel.geneEdit(), Qt::Key_Return);
  REQUIRE(waitUntil([&] { return panel.colourCombo()->currentIndex() == 2; }));

  // Export of the predictions writes an .h5ad.
  const QString out = f.path("pred.h5ad");
  panel.controller()->exportPredictions(out);
  REQUIRE(waitUntil([&] { return QFile::exists(out); }));
  CHECK_FALSE(hasErrorBox());
}

TEST_CASE("cells panel: a missing file gives a message and the panel stays usable", "[cells]") {
  test::PanelFixture<CellsPanel> f({1200, 800});
  CellsPanel& panel = *f.panel;
  panel.dataCombo()->setEditText(f.path("nothing.h5ad"));
  // Files need keys: the panel says so before anything runs.
  panel.startTraining();
  REQUIRE(waitUntil([&] { return hasErrorBox(); }));
  test::closeMessageBoxes();
  CHECK_FALSE(panel.isTraining());
}

TEST_CASE("cells panel: a file that crashes HDF5 is refused with a message, and the panel then trains",
          "[cells][hostile]") {
  // fuzz_h5ad's find: HDF5 1.10 dies of SIGSEGV reading it; GenLab reads
  // .h5ad files in a child process, so the app sees a refused file.
  const QString crafted =
      QStringLiteral(GENLAB_SOURCE_DIR) + QStringLiteral("/fuzz/known/h5ad-vlen-heap-read-segv.h5ad");
  REQUIRE(QFile::exists(crafted));
  test::PanelFixture<CellsPanel> f({1200, 800});
  CellsPanel& panel = *f.panel;
  panel.dataCombo()->setEditText(crafted);
  // The keys a file needs (the file is a GenLab-written simulation).
  const std::pair<const char*, const char*> keys[] = {{"condition (sim-*)", "condition"},
                                                     {"control", "control"},
                                                     {"stimulated", "stimulated"},
                                                     {"cell_type (sim-*)", "cell_type"},
                                                     {"type0 (sim-*)", "type0"}};
  for (const auto& [placeholder, value] : keys) {
    QLineEdit* edit = nullptr;
    for (auto* e : panel.findChildren<QLineEdit*>())
      if (e->placeholderText() == QLatin1String(placeholder)) edit = e;
    INFO(placeholder);
    REQUIRE(edit);
    edit->setText(QLatin1String(value));
  }
  panel.startTraining();
  REQUIRE(waitUntil([&] { return hasErrorBox(); }, 60000));
  const QString message = test::errorBoxText();
  INFO(message.toStdString());
  CHECK(message.contains(QStringLiteral("the reader process")));
  CHECK(message.contains(QStringLiteral("nothing was loaded")));
  test::closeMessageBoxes();
  REQUIRE(waitUntil([&] { return !panel.isTraining(); }));
  // The app and the panel go on: simulated data trains.
  panel.dataCombo()->setEditText("sim-shift");
  panel.epochsSpin()->setValue(1);
  const int before = f.finished;
  panel.startTraining();
  REQUIRE(waitUntil([&] { return f.finished > before && !panel.isTraining(); }, 240000));
  CHECK_FALSE(hasErrorBox());
  CHECK(panel.mapView()->pointCount() == 6000);
}
