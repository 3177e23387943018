#pragma once
// Tests that cannot run here say so instead of passing.
//
// A test whose fixture (MNIST, the MRI template, pydicom's files, ...) is
// missing FAILS when the environment variable CI is set: a CI machine must
// have every fixture. Elsewhere it WARNs, is counted, and the test binary's
// main (tests/*/main.cpp) exits with kSkipExitCode when tests were skipped
// and none failed, which CTest reports as "Skipped" (SKIP_RETURN_CODE), with
// the count in its summary. Catch2 v2 has no SKIP of its own.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace genlab::test {

inline constexpr int kSkipExitCode = 77;

inline std::atomic<int>& skippedTests() {
  static std::atomic<int> count{0};
  return count;
}

// Why each test was skipped, printed when the binary exits.
inline std::vector<std::string>& skipReasons() {
  static std::vector<std::string> reasons;
  return reasons;
}
inline std::mutex& skipMutex() {
  static std::mutex m;
  return m;
}

inline bool inCi() {
  const char* ci = std::getenv("CI");
  return ci && *ci && std::string(ci) != "0" && std::string(ci) != "false";
}

// Counts the current test as skipped for `why`; the caller returns.
inline void markSkipped(const std::string& why) {
  ++skippedTests();
  {
    std::lock_guard<std::mutex> lock(skipMutex());
    skipReasons().push_back(Catch::getResultCapture().getCurrentTestName() + ": " + why);
  }
  WARN("SKIPPED: " << why);
}

// True when the fixture is there. Otherwise fails the test under CI, or
// marks it skipped; the caller returns when this is false.
inline bool fixturePresent(bool present, const std::string& what) {
  if (present) return true;
  if (inCi()) FAIL("missing fixture (CI is set, so this fails): " << what);
  markSkipped(what);
  return false;
}

// The exit code for a test binary's main: Catch's result, or kSkipExitCode
// when it passed with some tests skipped.
inline int exitCode(int catchResult) {
  if (catchResult == 0 && skippedTests() > 0) {
    std::fprintf(stderr, "%d test(s) skipped (set CI to make a missing fixture fail):\n",
                 skippedTests().load());
    for (const auto& why : skipReasons()) std::fprintf(stderr, "  SKIPPED %s\n", why.c_str());
    return kSkipExitCode;
  }
  return catchResult;
}

}  // namespace genlab::test

// Inside a TEST_CASE (or a SECTION): stop here unless the fixture is present.
#define GENLAB_REQUIRE_FIXTURE(present, what) \
  do {                                        \
    if (!::genlab::test::fixturePresent((present), (what))) return; \
  } while (0)
