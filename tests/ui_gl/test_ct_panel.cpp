// Drives the CT lab panel through the real engine: FBP and TV end to end with
// PSNR bars, cancel, a hostile import, import/export round trips, the
// nullspace split, deblurring and the 3-D tab.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QMessageBox>
#include <QProgressBar>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>

#include <cmath>
#include <memory>

#include "core/data/volume_io.h"
#include "ui/bridge/engine_bridge.h"
#include "ui/labs/ct/ct_charts.h"
#include "ui/labs/ct/ct_controls.h"
#include "ui/labs/ct/ct_images.h"
#include "ui/labs/ct/ct_panel.h"
#include "ui/labs/ct/ct_volume_tab.h"
#include "ui/views/bar_chart_panel.h"
#include "ui/views/chart_panel.h"
#include "ui/labs/lab_registry.h"
#include "ui/views/vtk_image_viewer.h"
#include "../test_skips.h"
#include "ui/views/vtk_volume_viewer.h"
#include "gl_test_util.h"
#include "ui_test_util.h"

using namespace genlab::ui;
using genlab::core::physics::FloatImage;
using genlab::ui::test::waitUntil;
namespace data = genlab::core::data;

namespace {
QMessageBox* errorBox() {
  for (QWidget* w : QApplication::topLevelWidgets())
    if (auto* box = qobject_cast<QMessageBox*>(w); box && box->isVisible()) return box;
  return nullptr;
}

void closeMessageBoxes() {
  for (QWidget* w : QApplication::topLevelWidgets())
    if (auto* box = qobject_cast<QMessageBox*>(w)) box->close();
  QCoreApplication::processEvents();
}

// A ball in a 32 x 32 x 8 volume, values 0..1000 (like a scanner's units).
data::Volume ballVolume() {
  std::vector<FloatImage> slices;
  for (int z = 0; z < 8; ++z) {
    FloatImage s(32, 32);
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x)
        s.at(x, y) = std::hypot(std::hypot(x - 15.5, y - 13.5), (z - 3.5) * 3) < 11 ? 1000.f : 0.f;
    slices.push_back(s);
  }
  return data::volumeFromImages(slices, {1, 1, 2});
}

struct Fixture {
  EngineBridge bridge;
  std::unique_ptr<CtPanel> panel;  // destroyed before the bridge
  QTemporaryDir dir;

  Fixture() : panel(std::make_unique<CtPanel>(&bridge)) {
    panel->resize(1400, 900);
    panel->show();
    CtControls* c = panel->controls();
    c->sizeSpin()->setValue(64);
    c->setObjectKind("shepp-logan");
    c->setMethodChecked("sirt", false);
    c->setIterations("tv", 120);
    REQUIRE(dir.isValid());
  }

  void runToEnd(int timeoutMs = 60000) {
    panel->runAll();
    REQUIRE(waitUntil([&] { return !panel->isTraining(); }, timeoutMs));
  }
};
}  // namespace

TEST_CASE("the CT panel runs FBP and TV through the engine and shows PSNR bars", "[ct]") {
  Fixture f;
  CtPanel& p = *f.panel;
  CHECK(p.labId() == "ct");
  f.runToEnd();
  INFO(p.controls()->statusText().toStdString());
  REQUIRE(p.results().contains("fbp"));
  REQUIRE(p.results().contains("tv"));
  // Limited angle (60 views over 90 degrees): TV beats FBP by far.
  const double fbp = p.psnrChart()->value("fbp"), tv = p.psnrChart()->value("tv");
  CHECK(std::isfinite(fbp));
  CHECK(tv > fbp + 3);
  CHECK(p.ssimChart()->value("tv") > p.ssimChart()->value("fbp"));
  CHECK(p.ssimChart()->value("tv") <= 1.0);
  CHECK(p.psnrChart()->count() == 2);
  CHECK(p.residualCurves()->pointCount("tv") > 10);
  CHECK(p.psnrCurves()->pointCount("tv") > 10);
  // The viewers show the images, with numbers; the error map follows the best method.
  VtkImageViewer* tvView = p.viewer("tv");
  REQUIRE(tvView->hasImage());
  CHECK(tvView->caption().contains("PSNR"));
  CHECK(p.selectedMethod() == "tv");
  CHECK(p.viewer("error")->hasImage());
  CHECK(p.viewer("measurement")->hasImage());
  // Shepp-Logan's bright skull ring is drawn (non-blank pixels).
  const QImage frame = tvView->grabFrame();
  int bright = 0;
  for (int y = 0; y < frame.height(); y += 2)
    for (int x = 0; x < frame.width(); x += 2) bright += qGray(frame.pixel(x, y)) > 200;
  CHECK(bright > 50);
  // No prior: the score view says what to do instead of faking a result.
  CHECK_FALSE(p.results().contains("score"));
  CHECK(p.viewer("score")->placeholder().contains("no prior loaded"));
  CHECK(p.viewer("uncertainty")->placeholder().contains("no prior loaded"));
  // Clicking FBP selects it for the error map.
  test::click(p.viewer("fbp"), QPoint(60, 60));
  CHECK(p.selectedMethod() == "fbp");
  CHECK(p.viewer("error")->title().contains("FBP"));
}

TEST_CASE("with OpenGL the registry opens the real CT panel", "[ct]") {
  EngineBridge bridge;
  const LabInfo* info = LabRegistry::find("ct");
  REQUIRE(info);
  std::unique_ptr<LabPanel> panel(info->factory(&bridge, nullptr));
  CHECK(qobject_cast<CtPanel*>(panel.get()));
}

TEST_CASE("cancel stops a long run and leaves the panel usable", "[ct]") {
  Fixture f;
  CtPanel& p = *f.panel;
  p.controls()->setMethodChecked("fbp", false);
  p.controls()->setIterations("tv", 5000);
  p.runAll();
  REQUIRE(waitUntil([&] { return p.controls()->progressBar()->value() > 0; }, 30000));
  REQUIRE(p.isTraining());
  p.cancel();
  CHECK_FALSE(p.isTraining());
  CHECK_FALSE(p.results().contains("tv"));
  CHECK(p.controls()->progressBar()->text().contains("cancelled"));
  // The next run works.
  p.controls()->setMethodChecked("fbp", true);
  p.controls()->setMethodChecked("tv", false);
  f.runToEnd();
  CHECK(p.results().contains("fbp"));
  CHECK(p.lastError().isEmpty());
}

TEST_CASE("a hostile file gives a clear message and good files import and export", "[ct]") {
  Fixture f;
  CtPanel& p = *f.panel;
  const int objects = p.controls()->objectCombo()->count();
  const QString evil = f.dir.filePath("evil.nii");
  {
    QFile file(evil);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(348, '\x7f'));  // a NIfTI-sized header of garbage
  }
  p.importFile(evil);
  REQUIRE(waitUntil([&] { return !p.lastError().isEmpty(); }, 20000));
  CHECK(p.lastError().contains("evil.nii"));
  QMessageBox* box = errorBox();
  REQUIRE(box);
  CHECK(box->text().contains("evil.nii"));
  closeMessageBoxes();
  CHECK(p.controls()->objectCombo()->count() == objects);  // nothing half-imported
  CHECK(p.controls()->objectKind() == "shepp-logan");

  // A real volume: it becomes the object (one slice) and the 3-D tab's source.
  const QString good = f.dir.filePath("ball.nii.gz");
  data::writeVolume(ballVolume(), good.toStdString());
  p.importFile(good);
  REQUIRE(waitUntil([&] { return p.controls()->objectKind() == "imported"; }, 20000));
  REQUIRE(waitUntil([&] { return p.viewer("truth")->caption().contains("ball.nii.gz"); }, 20000));
  REQUIRE(waitUntil([&] { return !p.isTraining(); }, 20000));
  CHECK(p.volumeTab()->sourceCombo()->currentText().contains("ball.nii.gz"));

  p.controls()->setMethodChecked("tv", false);
  f.runToEnd();
  REQUIRE(p.results().contains("fbp"));
  for (const char* name : {"fbp.mha", "fbp.png", "fbp.nii"}) {
    const QString out = f.dir.filePath(name);
    p.exportTo(out);
    REQUIRE(waitUntil([&] { return QFile::exists(out) || !p.lastError().isEmpty(); }, 20000));
    INFO(p.lastError().toStdString());
    const data::Volume back = data::readVolume(out.toStdString());
    CHECK(back.nx == 64);
    CHECK(back.ny == 64);
    CHECK(back.nz == 1);
  }
  // An unwritable target: a message, and nothing else changes.
  p.exportTo(f.dir.filePath("no/such/folder/x.nii"));
  REQUIRE(waitUntil([&] { return !p.lastError().isEmpty(); }, 20000));
  CHECK(errorBox());
  closeMessageBoxes();
  CHECK(p.results().contains("fbp"));
}

TEST_CASE("the nullspace view splits every result into measured and unseen parts", "[ct]") {
  Fixture f;
  CtPanel& p = *f.panel;
  p.controls()->setMethodChecked("tv", false);
  f.runToEnd();
  REQUIRE(p.results().contains("fbp"));
  p.controls()->nullspaceBox()->setChecked(true);  // after the run: split on request
  VtkImageViewer* row = p.viewer("n.fbp.row");
  VtkImageViewer* null = p.viewer("n.fbp.null");
  REQUIRE(waitUntil([&] { return null->hasImage() && p.viewer("n.truth.null")->hasImage(); }, 30000));
  const FloatImage& image = p.results().value("fbp")->image;
  double worst = 0;
  for (std::size_t i = 0; i < image.values.size(); ++i)
    worst = std::max(worst, double(std::abs(row->image().values[i] + null->image().values[i] -
                                            image.values[i])));
  CHECK(worst < 1e-3);
  CHECK(null->caption().contains("%"));
}

TEST_CASE("deblurring the Hubble deep field runs TV with the same interface", "[ct]") {
  GENLAB_REQUIRE_FIXTURE(!hubblePath().isEmpty(), "hubble_deep_field.jpg (python3-skimage)");
  Fixture f;
  CtPanel& p = *f.panel;
  REQUIRE(p.setDataSpec("hubble"));
  CHECK(p.controls()->deblurMode());
  CHECK_FALSE(p.controls()->methodChecked("fbp"));
  p.controls()->setIterations("tv", 80);
  f.runToEnd();
  INFO(p.controls()->statusText().toStdString());
  REQUIRE(p.results().contains("tv"));
  CHECK(std::isfinite(p.psnrChart()->value("tv")));
  CHECK(p.viewer("measurement")->title().contains("blurred"));
  CHECK(p.viewer("fbp")->placeholder().contains("CT only"));
}

TEST_CASE("the 3-D tab reconstructs an imported volume slice by slice and renders it", "[ct]") {
  Fixture f;
  CtPanel& p = *f.panel;
  const QString path = f.dir.filePath("ball.mha");
  data::writeVolume(ballVolume(), path.toStdString());
  p.importFile(path);
  REQUIRE(waitUntil([&] { return p.volumeTab()->sourceCombo()->currentText().contains("ball"); }, 20000));
  REQUIRE(p.setView("3d"));
  CtVolumeTab* tab = p.volumeTab();
  tab->methodCombo()->setCurrentIndex(tab->methodCombo()->findData("fbp"));
  tab->slicesSpin()->setValue(4);
  REQUIRE(waitUntil([&] { return !p.isTraining(); }, 20000));
  p.startTraining();  // on the 3-D tab: the volume
  REQUIRE(waitUntil([&] { return tab->hasResult() || !p.lastError().isEmpty(); }, 40000));
  INFO(p.lastError().toStdString());
  REQUIRE(tab->hasResult());
  CHECK(tab->volumeViewer()->dimensions() == std::array<int, 3>{64, 64, 4});
  CHECK(tab->reslice(0)->hasImage());
  CHECK(tab->reslice(1)->image().height == 4);
  const QImage frame = tab->volumeViewer()->grabFrame();
  int lit = 0;
  for (int y = 0; y < frame.height(); y += 3)
    for (int x = 0; x < frame.width(); x += 3) lit += qGray(frame.pixel(x, y)) > 120;
  CHECK(lit > 20);
  // Export the volume from the 3-D tab.
  const QString out = f.dir.filePath("volume.nii.gz");
  p.exportTo(out);
  REQUIRE(waitUntil([&] { return QFile::exists(out); }, 20000));
  CHECK(data::readVolume(out.toStdString()).nz == 4);
}
