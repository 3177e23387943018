// Drives the Latent Explorer offscreen: train on the embedded digits, click
// the map, interpolate, save and load, recover from a broken model file.
#include <zlib.h>

#include <catch2/catch.hpp>

#include <cstdlib>

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <cstdint>
#include <memory>
#include <string>

#include "ui/bridge/engine_bridge.h"
#include "ui/labs/latent/latent_controls.h"
#include "ui/labs/latent/latent_panel.h"
#include "ui/views/chart_panel.h"
#include "ui/views/image_strip_view.h"
#include "ui/views/image_view.h"
#include "ui/views/kl_bars_view.h"
#include "ui/views/latent_map_view.h"
#include "ui_test_util.h"
#include "../test_skips.h"

using namespace genlab::ui;
using genlab::ui::test::closeMessageBoxes;
using genlab::ui::test::waitUntil;

namespace {
struct Fixture : genlab::ui::test::PanelFixture<LatentPanel> {
  Fixture() : PanelFixture({1400, 900}) {
    REQUIRE(panel->setDataSpec("digits"));
    panel->controls()->epochsSpin()->setValue(1);
  }

  // Clicks at a point of the map and waits for the decoded image of that point.
  QImage decodeAt(QPointF fraction) {
    LatentMapView* map = panel->mapView();
    const QRect r = map->plotRect();
    const QPoint pos(r.left() + int(fraction.x() * r.width()), r.top() + int(fraction.y() * r.height()));
    const QPointF latent = map->latentAt(pos);
    QTest::mouseClick(map, Qt::LeftButton, Qt::NoModifier, pos);
    // The reply carries float coordinates.
    const QString want = QString("(%1, %2)")
                             .arg(double(float(latent.x())), 0, 'f', 3)
                             .arg(double(float(latent.y())), 0, 'f', 3);
    REQUIRE(waitUntil([&] { return panel->decodedView()->caption().endsWith(want); }));
    return panel->decodedView()->image();
  }

  void trainToEnd() {
    const int before = finished;
    panel->startTraining();
    REQUIRE(panel->isTraining());
    REQUIRE(waitUntil([&] { return finished > before && !panel->isTraining(); }, 120000));
  }
};
}  // namespace

TEST_CASE("latent panel trains, shows the map and decodes clicks", "[latent]") {
  Fixture f;
  LatentPanel& panel = *f.panel;
  CHECK(panel.labId() == "latent");
  CHECK(panel.controls()->progressBar()->value() == 0);
  panel.startTraining();
  REQUIRE(waitUntil([&] { return panel.mapView()->pointCount() > 0; }));
  CHECK(panel.mapView()->pointCount() == 300);  // the digits test split
  REQUIRE(waitUntil([&] { return f.finished == 1 && !panel.isTraining(); }, 120000));

  SECTION("progress, charts and KL bars are filled") {
    CHECK(panel.controls()->progressBar()->value() == 1000);
    CHECK(panel.controls()->progressBar()->format().startsWith("done"));
    CHECK(panel.elboChart()->pointCount("train") > 0);
    CHECK(panel.elboChart()->pointCount("test") >= 1);
    CHECK(panel.klChart()->pointCount("train") > 0);
    CHECK(panel.reconChart()->pointCount("test") >= 1);
    CHECK(panel.klBars()->dimensions() == 2);
  }

  SECTION("two clicks decode two different images; the same point decodes the same") {
    const QImage a = f.decodeAt({0.3, 0.3});
    const QImage b = f.decodeAt({0.7, 0.75});
    REQUIRE(!a.isNull());
    REQUIRE(!b.isNull());
    CHECK(a.size() == QSize(8, 8));
    CHECK(a != b);
    CHECK(f.decodeAt({0.3, 0.3}) == a);
  }

  SECTION("Shift+click twice fills the interpolation strip") {
    // Until the user picks, A and B are the farthest-apart class centroids.
    REQUIRE(waitUntil([&] { return panel.interpolationView()->count() == 10; }));
    const auto automatic = panel.interpolationView()->images();
    LatentMapView* map = panel.mapView();
    const QRect r = map->plotRect();
    QTest::mouseClick(map, Qt::LeftButton, Qt::ShiftModifier, r.center() - QPoint(100, 60));
    QTest::mouseClick(map, Qt::LeftButton, Qt::ShiftModifier, r.center() + QPoint(120, 80));
    REQUIRE(waitUntil([&] { return panel.interpolationView()->images() != automatic; }));
    CHECK(panel.interpolationView()->count() == 10);
  }

  SECTION("the manifold grid arrives as an overlay") {
    auto* grid = panel.findChild<QCheckBox*>();
    REQUIRE(grid);
    grid->setChecked(true);
    CHECK(panel.mapView()->overlayVisible());
    // The overlay (dark tiles) covers the white plot: its mean grey drops.
    auto meanGrey = [&] {
      const QImage im = panel.mapView()->grab().toImage();
      const QRect r = panel.mapView()->plotRect().adjusted(60, 60, -160, -60);
      double sum = 0;
      int n = 0;
      for (int y = r.top(); y < r.bottom(); y += 4)
        for (int x = r.left(); x < r.right(); x += 4, ++n) sum += qGray(im.pixel(x, y));
      return sum / std::max(1, n);
    };
    REQUIRE(waitUntil([&] { return meanGrey() < 170; }));
    // For looking at it: GENLAB_UI_SHOTS=DIR saves the panel.
    if (const QString dir = qEnvironmentVariable("GENLAB_UI_SHOTS"); !dir.isEmpty())
      panel.grab().save(dir + "/latent-grid.png");
  }

  SECTION("a saved model loads back and trains further") {
    QTemporaryDir dir;
    const QString path = dir.filePath("model.genlab");
    panel.saveModel(path);
    REQUIRE(waitUntil([&] { return QFile::exists(path); }));
    panel.loadModel(path);
    REQUIRE(waitUntil([&] { return !panel.isTraining() && panel.mapView()->pointCount() == 300; }));
    CHECK(panel.lastError().isEmpty());
    f.trainToEnd();
    CHECK(panel.lastError().isEmpty());
  }
}

TEST_CASE("latent panel shows a broken model file's error and stays usable", "[latent]") {
  Fixture f;
  LatentPanel& panel = *f.panel;
  const QString path = f.write("garbage.genlab", "this is not a GenLab model file\n");
  panel.loadModel(path);
  REQUIRE(waitUntil([&] { return !panel.lastError().isEmpty(); }));
  CHECK(panel.lastError().contains("garbage.genlab"));
  CHECK(panel.controls()->statusLabel()->text().contains("failed"));
  CHECK_FALSE(panel.isTraining());
  CHECK(panel.controls()->startButton()->isEnabled());
  closeMessageBoxes();

  f.trainToEnd();
  CHECK(panel.lastError().isEmpty());
  CHECK(panel.mapView()->pointCount() == 300);
}

// A model file whose header nests '[' a million levels deep, with a correct
// checksum: only the depth limit stands between it and a stack overflow.
QByteArray deepJsonModel() {
  const std::string header = R"({"format":"genlab-model","lab":"latent","meta":)" +
                             std::string(1000000, '[') + std::string(1000000, ']') + R"(,"tensors":[]})";
  std::string out("GENLABMF");
  auto putU32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  putU32(1);
  putU32(static_cast<std::uint32_t>(header.size()));
  out += header;
  putU32(static_cast<std::uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(out.data() + 16), static_cast<uInt>(out.size() - 16))));
  return QByteArray(out.data(), static_cast<int>(out.size()));
}

TEST_CASE("latent panel survives a model header nested a million levels deep", "[latent][hostile]") {
  Fixture f;
  LatentPanel& panel = *f.panel;
  const QString path = f.write("deep.genlab", deepJsonModel());
  panel.loadModel(path);
  REQUIRE(waitUntil([&] { return !panel.lastError().isEmpty(); }));
  CHECK(panel.lastError().contains("nests deeper than 64 levels"));
  CHECK_FALSE(panel.isTraining());
  closeMessageBoxes();
  // The lab still works.
  f.trainToEnd();
  CHECK(panel.lastError().isEmpty());
  CHECK(panel.mapView()->pointCount() == 300);
}

TEST_CASE("latent panel pauses, steps, resumes and resets", "[latent]") {
  Fixture f;
  LatentPanel& panel = *f.panel;
  panel.controls()->epochsSpin()->setValue(500);
  panel.startTraining();
  REQUIRE(waitUntil([&] { return panel.controller()->state() == VaeController::State::Training; }));
  panel.togglePause();
  CHECK(panel.controller()->state() == VaeController::State::Paused);
  CHECK(panel.controls()->stepButton()->isEnabled());
  CHECK(panel.controls()->pauseButton()->text() == "Resume");
  const int before = panel.controls()->progressBar()->value();
  for (int i = 0; i < 3; ++i) panel.controls()->stepButton()->click();
  waitUntil([&] { return panel.controls()->progressBar()->value() > before; }, 5000);
  panel.togglePause();
  CHECK(panel.controller()->state() == VaeController::State::Training);
  CHECK_FALSE(panel.controls()->stepButton()->isEnabled());
  panel.reset();
  REQUIRE(waitUntil([&] { return panel.controller()->state() == VaeController::State::Idle; }));
  CHECK(panel.controls()->progressBar()->format() == "untrained");
  REQUIRE(waitUntil([&] { return panel.mapView()->pointCount() == 300; }));
  CHECK(panel.elboChart()->pointCount("train") == 0);
}

TEST_CASE("latent panel explores a 5-d latent space through its PCA plane", "[latent]") {
  Fixture f;
  LatentPanel& panel = *f.panel;
  panel.controls()->latentDimSpin()->setValue(5);
  f.trainToEnd();
  CHECK(panel.klBars()->dimensions() == 5);
  CHECK(panel.mapView()->pointCount() == 300);
  const QImage a = f.decodeAt({0.25, 0.3});
  const QImage b = f.decodeAt({0.75, 0.7});
  CHECK(a != b);
  CHECK(panel.decodedView()->caption().startsWith("plane"));
  if (const QString dir = qEnvironmentVariable("GENLAB_UI_SHOTS"); !dir.isEmpty())
    panel.grab().save(dir + "/latent-5d.png");
}

TEST_CASE("beta changes reach the training session live", "[latent]") {
  Fixture f;
  LatentPanel& panel = *f.panel;
  double reported = -1;
  QObject::connect(panel.controller(), &VaeController::progressed,
                   [&](const VaeProgressPtr& p) { reported = p->beta; });
  panel.controls()->epochsSpin()->setValue(1000);
  panel.startTraining();
  REQUIRE(waitUntil([&] { return reported == 1.0; }));
  panel.controls()->betaSlider()->setValue(60);  // beta 3, while training
  REQUIRE(waitUntil([&] { return reported == Approx(3.0); }));
  CHECK(panel.isTraining());
  panel.reset();
  REQUIRE(waitUntil([&] { return !panel.isTraining(); }));
  CHECK(panel.lastError().isEmpty());
}

TEST_CASE("a model whose data is gone is explored with the embedded digits", "[latent]") {
  Fixture f;
  LatentPanel& panel = *f.panel;
  const QDir dir(f.dir.path());
  const QString data = f.path("idx8x8");
  REQUIRE(QDir().mkpath(data));
  const QString src = QStringLiteral(GENLAB_SOURCE_DIR) + "/resources/embedded/";
  for (const char* prefix : {"train", "t10k"}) {
    REQUIRE(QFile::copy(src + "digits-images-idx3-ubyte.gz",
                        data + "/" + prefix + "-images-idx3-ubyte.gz"));
    REQUIRE(QFile::copy(src + "digits-labels-idx1-ubyte.gz",
                        data + "/" + prefix + "-labels-idx1-ubyte.gz"));
  }
  REQUIRE(panel.setDataSpec(data));
  f.trainToEnd();
  REQUIRE(panel.lastError().isEmpty());
  const QString model = dir.filePath("folder-model.genlab");
  panel.saveModel(model);
  REQUIRE(waitUntil([&] { return QFile::exists(model); }));
  REQUIRE(QDir(data).removeRecursively());

  panel.loadModel(model);
  REQUIRE(waitUntil([&] { return !panel.isTraining() && panel.mapView()->pointCount() == 300; }));
  CHECK(panel.lastError().isEmpty());
  CHECK(panel.controls()->dataSpec() == "digits");
  CHECK(panel.controls()->statusLabel()->text().contains("exploring with digits"));
  CHECK(f.decodeAt({0.4, 0.6}).size() == QSize(8, 8));
}

TEST_CASE("a TorchScript model made in Python opens in the Latent Explorer", "[latent][script]") {
  Fixture f;
  LatentPanel& panel = *f.panel;
  const QString dir = f.path("ts");
  REQUIRE(QDir().mkpath(dir));
  const QString cmd = QString("/usr/bin/python3 '%1/tests/fixtures/make_torchscript.py' '%2'")
                          .arg(GENLAB_SOURCE_DIR, dir);
  if (!genlab::test::fixturePresent(std::system(cmd.toLocal8Bit().constData()) == 0,
                                    "TorchScript fixtures: /usr/bin/python3 with python3-torch"))
    return;
  // The embedded digits are 8x8, as the fixture's images: its encoder maps them.
  panel.loadScriptModel(dir + "/good.pt", genlab::core::latent::ScriptImport::Outputs::Probabilities,
                        "encode");
  REQUIRE(waitUntil([&] { return panel.controller()->imported() && !panel.isTraining(); }));
  REQUIRE(waitUntil([&] { return panel.mapView()->pointCount() == 300; }));
  CHECK(panel.lastError().isEmpty());
  CHECK_FALSE(panel.controls()->startButton()->isEnabled());
  CHECK(panel.controls()->startButton()->toolTip().contains("TorchScript"));
  const QImage image = f.decodeAt({0.3, 0.6});
  CHECK(image.width() > 0);
  if (const QString shots = qEnvironmentVariable("GENLAB_UI_SHOTS"); !shots.isEmpty())
    panel.grab().save(shots + "/latent-torchscript.png");
  // A bad file: a clear error, and the lab still works.
  panel.loadModel(dir + "/tuple.pt");
  REQUIRE(waitUntil([&] { return !panel.lastError().isEmpty(); }));
  CHECK(panel.lastError().contains("tuple"));
  closeMessageBoxes();
  CHECK(panel.controller()->imported());  // the open model stays
}

TEST_CASE("an experiment saved from the Latent Explorer reopens as it was", "[latent][experiment]") {
  Fixture f;
  LatentPanel& panel = *f.panel;
  f.trainToEnd();
  f.decodeAt({0.25, 0.75});
  const auto before = panel.controller()->lastDecodePoint();
  REQUIRE(before);
  const QString file = f.path("run.genlabx");
  panel.saveExperiment(file);
  REQUIRE(waitUntil([&] { return QFileInfo(file).size() > 1000; }));
  panel.reset();
  REQUIRE(waitUntil([&] { return !panel.isTraining() && panel.controller()->hasSession(); }));
  f.decodeAt({0.8, 0.1});  // the view moves on
  panel.openExperiment(file);
  REQUIRE(waitUntil([&] {
    const auto z = panel.controller()->lastDecodePoint();
    return z && *z == *before && panel.mapView()->pointCount() == 300 && !panel.isTraining();
  }));
  CHECK(panel.lastError().isEmpty());
  CHECK(panel.controls()->startButton()->isEnabled());  // and it trains on
}
