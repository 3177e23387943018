// Drives the Style lab's AdaIN tab offscreen: no decoder at first (it says
// how to train one), train a small one with progress, see content | style |
// result and the statistics chart follow the sliders and the style pad,
// export the result, stop a long training run, and refuse a bad image.
#include <catch2/catch.hpp>

#include <QChart>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <cmath>
#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QTest>

#include "core/labs/style/style_session.h"
#include "ui/labs/style/adain_stats_chart.h"
#include "ui/labs/style/style_pad.h"
#include "ui/labs/style/style_panel.h"
#include "ui/views/chart_panel.h"
#include "ui/views/image_view.h"
#include "ui_test_util.h"
#include "../test_skips.h"

using namespace genlab::ui;
using genlab::ui::test::hasErrorBox;
using genlab::ui::test::waitUntil;

namespace {
QImage picture(int w, int h, int kind) {
  QImage im(w, h, QImage::Format_RGB888);
  QPainter p(&im);
  if (kind == 0) {
    p.fillRect(im.rect(), QColor(70, 120, 170));
    p.setBrush(QColor(230, 190, 60));
    p.drawEllipse(QPoint(w / 3, h / 2), h / 4, h / 4);
    p.fillRect(QRect(2 * w / 3, 0, w / 8, h), QColor(40, 160, 80));
  } else {
    for (int x = -h; x < w; x += 6) {
      p.setPen(QPen(kind == 1 ? QColor(200, 60, 40) : QColor(90, 40, 160), 3));
      p.drawLine(x, 0, x + h, h);
    }
  }
  return im;
}

// A data folder with the lab's photo names (synthetic pictures), no decoder.
struct StyleDataDir {
  QByteArray saved = qgetenv("GENLAB_DATA_DIR");
  QByteArray savedXdg = qgetenv("XDG_DATA_HOME");
  explicit StyleDataDir(const QString& root) {
    QDir(root).mkpath(QStringLiteral("style"));
    const QString dir = root + QStringLiteral("/style/");
    const char* contents[] = {"astronaut.png", "chelsea.png", "coffee.png"};
    for (const char* c : contents) picture(96, 80, 0).save(dir + QLatin1String(c));
    picture(80, 80, 1).save(dir + QStringLiteral("brick.png"));
    picture(88, 72, 2).save(dir + QStringLiteral("flower.png"));
    qputenv("GENLAB_DATA_DIR", root.toUtf8());
    // The user's own decoders go here (never the user's real home in a test).
    qputenv("XDG_DATA_HOME", (root + QStringLiteral("/user")).toUtf8());
  }
  ~StyleDataDir() {
    if (saved.isEmpty()) qunsetenv("GENLAB_DATA_DIR");
    else qputenv("GENLAB_DATA_DIR", saved);
    if (savedXdg.isEmpty()) qunsetenv("XDG_DATA_HOME");
    else qputenv("XDG_DATA_HOME", savedXdg);
  }
};
}  // namespace

TEST_CASE("style panel: AdaIN tab trains a decoder, transfers live, exports, stops", "[style]") {
  QTemporaryDir root;
  StyleDataDir data(root.path());
  test::PanelFixture<StylePanel> f({1400, 900});
  StylePanel& panel = *f.panel;
  CHECK(panel.labId() == "style");
  REQUIRE(panel.tabs()->count() >= 1);
  CHECK(panel.tabs()->tabText(0) == "AdaIN");
  AdainTab& tab = *panel.adainTab();

  // No decoder yet: the label says how to train one; the images are the folder's.
  REQUIRE(waitUntil([&] { return panel.controller()->ready(); }));
  CHECK(tab.decoderLabel()->text().contains("make data"));
  REQUIRE(waitUntil([&] { return !tab.contentView()->image().isNull(); }));
  CHECK_FALSE(tab.styleView()->image().isNull());

  // Train a small decoder: progress, the loss chart, then a saved file.
  tab.stepsSpin()->setValue(8);
  tab.trainSizeSpin()->setValue(32);
  tab.trainButton()->click();
  CHECK(panel.isTraining());
  REQUIRE(waitUntil([&] { return f.finished == 1 && !panel.isTraining(); }, 120000));
  CHECK_FALSE(hasErrorBox());
  CHECK(tab.lossChart()->pointCount("content") > 0);
  // Saved to the user's own decoder file, not over the shipped default's path.
  const QString mine = root.path() + "/user/genlab/style/my-decoder.genlab";
  CHECK(QFile::exists(mine));
  CHECK_FALSE(QFile::exists(root.path() + "/style/decoder.genlab"));
  CHECK(panel.controller()->loadedPath() == mine);
  CHECK_FALSE(panel.controller()->usingDefault());
  CHECK(tab.decoderFileLabel()->text().contains("In use: " + mine));

  // The result and the statistics: one point per channel for each series.
  REQUIRE(waitUntil([&] { return !tab.resultView()->image().isNull(); }));
  REQUIRE(waitUntil([&] { return tab.statsChart()->pointCount("result") == 128; }));
  CHECK(tab.statsChart()->pointCount("content") == 128);
  CHECK(tab.statsChart()->pointCount("style") == 128);

  // Sliders, the pad and preserve-colour each bring a new transfer.
  int n = tab.transfers();
  tab.alphaSlider()->setValue(30);
  REQUIRE(waitUntil([&] { return tab.transfers() > n; }));
  n = tab.transfers();
  tab.strengthSlider(2)->setValue(80);
  REQUIRE(waitUntil([&] { return tab.transfers() > n; }));
  n = tab.transfers();
  tab.preserveColourBox()->setChecked(true);
  REQUIRE(waitUntil([&] { return tab.transfers() > n; }));
  n = tab.transfers();
  QTest::mouseClick(tab.stylePad(), Qt::LeftButton, Qt::NoModifier, tab.stylePad()->toWidget({1.0, 0.0}));
  CHECK(tab.stylePad()->weights()[1] > 0.9);
  REQUIRE(waitUntil([&] { return tab.transfers() > n; }));
  CHECK(tab.resultView()->caption().contains("ms on the worker"));

  const QString out = f.path("result.png");
  REQUIRE(tab.exportResult(out));
  CHECK(QImage(out).width() == tab.resultView()->image().width());

  // A long run stops on Stop and keeps the decoder.
  tab.stepsSpin()->setValue(100000);
  tab.trainButton()->click();
  REQUIRE(waitUntil([&] { return tab.stopButton()->isEnabled(); }));
  REQUIRE(waitUntil([&] { return tab.lossChart()->pointCount("content") > 0; }, 60000));
  tab.stopButton()->click();
  REQUIRE(waitUntil([&] { return !panel.isTraining(); }, 60000));
  CHECK(f.finished == 1);  // stopped, not finished
  CHECK(tab.trainButton()->isEnabled());
  CHECK_FALSE(QFile::exists(root.path() + "/style/decoder.genlab"));  // the stop saved to mine too
  CHECK(panel.controller()->trainTarget() == mine);

  // Back to the default: here there is none, so the label says how to train one.
  tab.useDefaultButton()->click();
  REQUIRE(waitUntil([&] { return panel.controller()->usingDefault(); }));
  CHECK(tab.decoderLabel()->text().contains("make data"));
  CHECK(tab.decoderFileLabel()->text().contains("untrained"));
  CHECK(panel.controller()->trainTarget() == mine);

  // JPEG imports too (the GUI decodes it), into a style corner.
  const QString jpeg = f.path("stripes.jpg");
  REQUIRE(picture(64, 48, 2).save(jpeg, "JPEG"));
  n = tab.transfers();
  CHECK(tab.loadImageFile(3, jpeg));
  REQUIRE(waitUntil([&] { return tab.transfers() > n; }));
  CHECK(tab.styleView()->caption().contains("D stripes"));

  // Not an image: an error box, no crash.
  const QString junk = f.write("junk.png", "this is not a picture");
  CHECK_FALSE(tab.loadImageFile(-1, junk));
  REQUIRE(waitUntil([&] { return hasErrorBox(); }));
  test::closeMessageBoxes();
  CHECK(panel.setView("adain"));

  // Without a default decoder, the next launch opens the user's own.
  test::PanelFixture<StylePanel> again({1400, 900});
  REQUIRE(waitUntil([&] { return !again.panel->controller()->loadedPath().isEmpty(); }));
  CHECK(again.panel->controller()->loadedPath() == mine);
  CHECK(again.panel->controller()->trained());
  CHECK_FALSE(again.panel->controller()->usingDefault());
}

TEST_CASE("style panel: with the converted MobileNetV2, a new decoder is for the pretrained encoder", "[style]") {
  const QString weights = QStringLiteral(GENLAB_SOURCE_DIR "/data/style/mobilenet_v2.genlab");
  GENLAB_REQUIRE_FIXTURE(QFile::exists(weights), "data/style/mobilenet_v2.genlab (run `make data`)");
  QTemporaryDir root;
  StyleDataDir data(root.path());
  REQUIRE(QFile::copy(weights, root.path() + "/style/mobilenet_v2.genlab"));
  test::PanelFixture<StylePanel> f({1400, 900});
  StylePanel& panel = *f.panel;
  AdainTab& tab = *panel.adainTab();
  REQUIRE(waitUntil([&] { return panel.controller()->ready(); }));
  CHECK(tab.decoderLabel()->text().contains("for the pretrained MobileNetV2 encoder"));
  tab.stepsSpin()->setValue(3);
  tab.trainSizeSpin()->setValue(32);
  tab.trainButton()->click();
  REQUIRE(waitUntil([&] { return f.finished == 1 && !panel.isTraining(); }, 120000));
  CHECK_FALSE(hasErrorBox());
  // The chart shows the deepest layer's 192 channels and names the layer.
  REQUIRE(waitUntil([&] { return tab.statsChart()->pointCount("result") == 192; }));
  CHECK(tab.statsChart()->pointCount("style") == 192);
  CHECK(tab.statsChart()->chart()->title().contains("block_6_expand_relu"));
}

TEST_CASE("style panel: a new transposed decoder shows its checkerboard and trains with the regulariser", "[style]") {
  QTemporaryDir root;
  StyleDataDir data(root.path());
  test::PanelFixture<StylePanel> f({1400, 900});
  StylePanel& panel = *f.panel;
  AdainTab& tab = *panel.adainTab();
  REQUIRE(waitUntil([&] { return panel.controller()->ready(); }));
  REQUIRE(waitUntil([&] { return !tab.resultView()->image().isNull(); }));
  CHECK_FALSE(tab.balanceSpin()->isEnabled());  // the fresh default is a nearest decoder

  // The caption's checkerboard energy, as a number (NaN when it shows "—").
  const auto energy = [&] {
    const QString c = tab.resultView()->caption();
    const int at = c.indexOf(QStringLiteral("checkerboard "));
    if (at < 0) return -1.0;
    bool ok = false;
    const double v = c.mid(at + 13).section(QLatin1Char(' '), 0, 0).toDouble(&ok);
    return ok ? v : std::nan("");
  };
  const double nearestEnergy = energy();
  INFO("caption: " << tab.resultView()->caption().toStdString());
  REQUIRE(nearestEnergy >= 0);

  tab.upsamplingBox()->setCurrentIndex(tab.upsamplingBox()->findData(QStringLiteral("transposed3")));
  tab.newDecoderButton()->click();
  REQUIRE(waitUntil([&] { return panel.controller()->upsampling() == "transposed3"; }));
  // A transfer asked before the new decoder came may still answer first (it
  // ran on the old one): wait for the new decoder's own result.
  REQUIRE(waitUntil([&] { return energy() > 0.1; }));
  CHECK(tab.decoderLabel()->text().contains("transposed-conv k3 upsampling"));
  CHECK(tab.balanceSpin()->isEnabled());
  const QString target = root.path() + "/user/genlab/style/my-decoder-transposed3.genlab";
  CHECK(panel.controller()->trainTarget() == target);
  // An untrained transposed decoder draws a strong checkerboard; the nearest one does not.
  INFO("transposed caption: " << tab.resultView()->caption().toStdString());
  CHECK(energy() > 0.1);
  CHECK(energy() > 5 * nearestEnergy);

  tab.balanceSpin()->setValue(10);
  tab.stepsSpin()->setValue(4);
  tab.trainSizeSpin()->setValue(32);
  tab.trainButton()->click();
  CHECK_FALSE(tab.newDecoderButton()->isEnabled());
  REQUIRE(waitUntil([&] { return f.finished == 1 && !panel.isTraining(); }, 120000));
  CHECK_FALSE(hasErrorBox());
  REQUIRE(QFile::exists(target));
  CHECK_FALSE(QFile::exists(root.path() + "/user/genlab/style/my-decoder.genlab"));  // the user's own is untouched
  const auto saved = genlab::core::style::StyleSession::load(target.toStdString());
  CHECK(saved->decoderUpsampling() == "transposed3");
  CHECK(saved->describe().find("balance regulariser weight 10") != std::string::npos);

  // Back to a nearest decoder: no regulariser to weigh.
  tab.upsamplingBox()->setCurrentIndex(tab.upsamplingBox()->findData(QStringLiteral("nearest")));
  tab.newDecoderButton()->click();
  REQUIRE(waitUntil([&] { return panel.controller()->upsampling() == "nearest"; }));
  CHECK_FALSE(tab.balanceSpin()->isEnabled());
}
