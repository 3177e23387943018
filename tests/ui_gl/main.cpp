// The OpenGL ui tests (VTK viewers, the CT panel) own a QApplication on the
// xcb platform with the OpenGL 3.2 Core default format that VTK needs. Run
// them under `xvfb-run -a`; listing them (CMake does at build time) needs no display.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QApplication>
#include <QStandardPaths>

#include <cstdio>

#include "../test_skips.h"
#include "ui/views/vtk_view.h"

int main(int argc, char** argv) {
  Catch::Session session;
  if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  const auto& c = session.configData();
  if (c.listTests || c.listTestNamesOnly || c.listTags || c.listReporters || c.showHelp)
    return session.run();

  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "xcb");
  if (qgetenv("QT_QPA_PLATFORM") == "xcb" && qEnvironmentVariableIsEmpty("DISPLAY")) {
    std::fprintf(stderr, "genlab_ui_gl_tests: these tests draw with OpenGL and need an X "
                         "server; run them under `xvfb-run -a`.\n");
    return 2;
  }
  genlab::ui::VtkView::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  // Keep the user's own files (a trained prior) out of the tests.
  QStandardPaths::setTestModeEnabled(true);
  qunsetenv("GENLAB_CT_PRIOR");
  return genlab::test::exitCode(session.run());
}
