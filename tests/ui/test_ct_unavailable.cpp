// Without OpenGL (the offscreen platform these tests use) the CT lab, whose
// VTK views need it, opens as a panel that says so instead of crashing Qt.
#include <catch2/catch.hpp>

#include <QLabel>

#include <memory>

#include "ui/bridge/engine_bridge.h"
#include "ui/labs/lab_panel.h"
#include "ui/labs/lab_registry.h"
#include "ui/views/vtk_view.h"
#include "../test_skips.h"

using namespace genlab::ui;

TEST_CASE("the CT lab explains itself where there is no OpenGL", "[ct]") {
  const LabInfo* info = LabRegistry::find("ct");
  REQUIRE(info);
  if (VtkView::openGLAvailable()) {
    // Not a missing fixture: this platform cannot show the case at all.
    genlab::test::markSkipped("this platform has OpenGL: nothing to check");
    return;
  }
  EngineBridge bridge;
  std::unique_ptr<LabPanel> panel(info->factory(&bridge, nullptr));
  REQUIRE(panel);
  CHECK(panel->labId() == "ct");
  auto* label = panel->findChild<QLabel*>("labUnavailable");
  REQUIRE(label);
  CHECK(label->text().contains("OpenGL"));
  panel->show();
  panel->startTraining();  // does nothing, and does not crash
  CHECK_FALSE(panel->isTraining());
}
