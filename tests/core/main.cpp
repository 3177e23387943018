// The core tests' main: Catch's own, except that a run which skipped tests
// for missing fixtures exits with the code CTest reports as "Skipped"
// (tests/test_skips.h). Kept to this one small file: it compiles all of Catch.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "../test_skips.h"

int main(int argc, char** argv) { return genlab::test::exitCode(Catch::Session().run(argc, argv)); }
