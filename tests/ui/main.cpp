// The ui tests own a QApplication. They run offscreen unless QT_QPA_PLATFORM
// says otherwise (also when CMake lists the tests at build time, without a display).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QApplication>

#include "../test_skips.h"

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  return genlab::test::exitCode(Catch::Session().run(argc, argv));
}
