// Drives the Style lab's generator and checkerboard tabs offscreen on MNIST:
// sliders redraw, training runs with progress and ends, the mixing table
// fills, the A/B views and the energy chart update. A hidden test
// ([.screenshot]) trains longer and writes the two screenshots of docs/.
#include <catch2/catch.hpp>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <memory>

#include "core/data/image_data.h"
#include "ui/labs/style/style_gan_tabs.h"
#include "ui/views/chart_panel.h"
#include "ui/views/image_view.h"
#include "ui_test_util.h"
#include "../test_skips.h"

using namespace genlab::ui;
using genlab::ui::test::waitUntil;

namespace {
bool haveMnist(std::string& why) {
  try {
    genlab::core::loadImageData("mnist", 1);
    return true;
  } catch (const std::exception& e) {
    why = e.what();
    return false;
  }
}

template <class T>
T* child(QWidget* w, const char* name) {
  T* c = w->findChild<T*>(QString::fromLatin1(name));
  REQUIRE(c != nullptr);
  return c;
}

// A tab in a plain window of its own, on its own bridge (the tab goes first).
struct TabFixture {
  EngineBridge bridge;
  std::unique_ptr<QWidget> window;
  QWidget* tab = nullptr;
  TabFixture(QWidget* (*make)(EngineBridge*, QWidget*), QSize size)
      : window(std::make_unique<QWidget>()) {
    auto* layout = new QVBoxLayout(window.get());
    tab = make(&bridge, window.get());
    layout->addWidget(tab);
    window->resize(size);
    window->show();
  }
  ~TabFixture() { window.reset(); }
};
}  // namespace

TEST_CASE("style mixing tab: sliders redraw, training ends, the mixing table fills",
          "[style][gan]") {
  std::string why;
  GENLAB_REQUIRE_FIXTURE(haveMnist(why), "MNIST (run make data): " + why);
  TabFixture f(&makeStyleMixingTab, {1280, 900});
  auto* samples = child<ImageView>(f.tab, "samplesView");
  auto* grid = child<ImageView>(f.tab, "gridView");
  auto* pca = child<ImageView>(f.tab, "pcaView");
  REQUIRE(waitUntil([&] { return !grid->image().isNull() && !pca->image().isNull(); }, 60000));
  CHECK(samples->image().width() == 4 * 32);
  CHECK(grid->image().width() == 5 * 32);
  CHECK(grid->caption().contains("layers 0-3"));
  child<QSlider>(f.tab, "crossover")->setValue(2);
  REQUIRE(waitUntil([&] { return grid->caption().contains("layers 0-1"); }));
  const QImage before = pca->image();
  child<QSlider>(f.tab, "pca0")->setValue(30);
  REQUIRE(waitUntil([&] { return pca->image() != before; }));

  child<QSpinBox>(f.tab, "ganSteps")->setValue(40);
  auto* train = child<QPushButton>(f.tab, "ganTrain");
  auto* status = child<QLabel>(f.tab, "ganStatus");
  train->click();
  CHECK_FALSE(train->isEnabled());
  CHECK_FALSE(child<QPushButton>(f.tab, "measureMixing")->isEnabled());
  REQUIRE(waitUntil([&] { return status->text().startsWith("Trained"); }, 300000));
  CHECK(train->isEnabled());
  CHECK(child<ChartPanel>(f.tab, "ganChart")->pointCount("reconstruction") >= 1);
  CHECK(samples->caption().contains("step 40"));

  child<QSpinBox>(f.tab, "ganSteps")->setValue(100000);
  train->click();
  REQUIRE(waitUntil([&] { return status->text().startsWith("Generator step"); }, 60000));
  child<QPushButton>(f.tab, "ganCancel")->click();
  REQUIRE(waitUntil([&] { return status->text() == "Training stopped"; }, 60000));

  auto* table = child<QTableWidget>(f.tab, "mixingTable");
  child<QPushButton>(f.tab, "measureMixing")->click();
  REQUIRE(waitUntil([&] { return table->item(8, 0) != nullptr &&
                                 child<QPushButton>(f.tab, "measureMixing")->isEnabled(); },
                    120000));
  // After a few dozen steps the classifier may give every pure sample one
  // label: then no pair counts and the table says "-", not 0 %.
  const QString note = child<QLabel>(f.tab, "mixingNote")->text();
  INFO(note.toStdString());
  CHECK(note.contains("pairs counted"));
  if (note.startsWith("0 of"))
    CHECK(table->item(4, 0)->text() == "-");
  else
    CHECK(table->item(0, 1)->text() == "100.0 %");  // crossover 0: all layers from the fine source
}

TEST_CASE("checkerboard tab: A/B at init, live training, quality at the end", "[style][checkerboard]") {
  std::string why;
  GENLAB_REQUIRE_FIXTURE(haveMnist(why), "MNIST (run make data): " + why);
  TabFixture f(&makeCheckerboardTab, {1280, 900});
  auto* specA = child<ImageView>(f.tab, "spectrumA");
  auto* numbersB = child<QLabel>(f.tab, "cbNumbersB");
  REQUIRE(waitUntil([&] { return !specA->image().isNull(); }, 60000));
  CHECK(specA->image().width() == 28 * 8);
  CHECK(numbersB->text().contains("transposed3-balanced"));
  child<QComboBox>(f.tab, "upsampleA")->setCurrentText("resize-bilinear");
  REQUIRE(waitUntil([&] { return child<QLabel>(f.tab, "cbNumbersA")->text().contains("resize-bilinear"); }));

  child<QSpinBox>(f.tab, "cbSteps")->setValue(60);
  child<QPushButton>(f.tab, "cbTrain")->click();
  auto* status = child<QLabel>(f.tab, "cbStatus");
  REQUIRE(waitUntil([&] { return status->text().startsWith("Step"); }, 60000));
  child<QDoubleSpinBox>(f.tab, "balanceWeight")->setValue(2.0);  // live
  REQUIRE(waitUntil([&] { return status->text().startsWith("Trained"); }, 300000));
  CHECK(numbersB->text().contains("(gan)"));
  CHECK(numbersB->text().contains(QString::fromUtf8("Fr\u00e9chet distance <b>")));
  CHECK(status->text().contains("Judge accuracy"));
  auto* chart = child<ChartPanel>(f.tab, "energyChart");
  CHECK(chart->pointCount("A: resize-bilinear") >= 2);
  CHECK(chart->pointCount("B: transposed3-balanced") >= 2);
  CHECK(child<QPushButton>(f.tab, "cbTrain")->isEnabled());
  // The other objective rebuilds both sides as autoencoders.
  child<QComboBox>(f.tab, "cbObjective")->setCurrentIndex(1);
  REQUIRE(waitUntil([&] { return numbersB->text().contains("(reconstruction)"); }, 60000));
  CHECK(numbersB->text().contains("recon"));
}

// Screenshots for docs/: GENLAB_SCREENSHOT_DIR=docs QT_QPA_PLATFORM=xcb
// xvfb-run -a -s "-screen 0 1280x1024x24" build/bin/genlab_ui_tests "[.screenshot]"
TEST_CASE("checkerboard tab: screenshot after training", "[.screenshot]") {
  const QByteArray dir = qgetenv("GENLAB_SCREENSHOT_DIR");
  REQUIRE_FALSE(dir.isEmpty());
  {
    TabFixture f(&makeCheckerboardTab, {1280, 960});
    REQUIRE(waitUntil([&] { return !child<ImageView>(f.tab, "spectrumA")->image().isNull(); }, 60000));
    child<QSpinBox>(f.tab, "cbSteps")->setValue(qEnvironmentVariableIntValue("GENLAB_CB_STEPS") > 0
                                                     ? qEnvironmentVariableIntValue("GENLAB_CB_STEPS")
                                                     : 1500);
    child<QPushButton>(f.tab, "cbTrain")->click();
    auto* status = child<QLabel>(f.tab, "cbStatus");
    REQUIRE(waitUntil([&] { return status->text().startsWith("Trained"); }, 1800000));
    waitUntil([] { return false; }, 500);
    REQUIRE(f.window->grab().save(QString::fromLatin1(dir) + "/style-checkerboard.png"));
  }
}

TEST_CASE("style mixing tab: screenshot after training", "[.screenshot]") {
  const QByteArray dir = qgetenv("GENLAB_SCREENSHOT_DIR");
  REQUIRE_FALSE(dir.isEmpty());
  {
    TabFixture f(&makeStyleMixingTab, {1280, 960});
    REQUIRE(waitUntil([&] { return !child<ImageView>(f.tab, "gridView")->image().isNull(); }, 60000));
    child<QSpinBox>(f.tab, "ganSteps")->setValue(qEnvironmentVariableIntValue("GENLAB_GAN_STEPS") > 0
                                                     ? qEnvironmentVariableIntValue("GENLAB_GAN_STEPS")
                                                     : 3000);
    child<QPushButton>(f.tab, "ganTrain")->click();
    auto* status = child<QLabel>(f.tab, "ganStatus");
    REQUIRE(waitUntil([&] { return status->text().startsWith("Trained"); }, 3600000));
    child<QSlider>(f.tab, "pca0")->setValue(15);
    child<QPushButton>(f.tab, "measureMixing")->click();
    REQUIRE(waitUntil([&] { return child<QPushButton>(f.tab, "measureMixing")->isEnabled() &&
                                   child<QTableWidget>(f.tab, "mixingTable")->item(8, 0); },
                      600000));
    waitUntil([] { return false; }, 800);
    REQUIRE(f.window->grab().save(QString::fromLatin1(dir) + "/style-mixing.png"));
  }
}
