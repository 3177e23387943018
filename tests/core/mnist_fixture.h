#pragma once
// MNIST (fetched by `make data`) for the core tests that train on it.
// GENLAB_MNIST_OR_SKIP(data) declares `data` (a shared ImageSplit) or, when
// MNIST is missing, fails the test under CI and skips it elsewhere
// (tests/test_skips.h) and returns.
#include <memory>
#include <string>

#include "core/data/image_data.h"
#include "tests/test_skips.h"

namespace genlab::test {

inline std::shared_ptr<const core::ImageSplit> loadMnist(std::string& why) {
  try {
    return std::make_shared<const core::ImageSplit>(core::loadImageData("mnist", 1));
  } catch (const core::DataError& e) {
    why = e.what();
    return nullptr;
  }
}

}  // namespace genlab::test

#define GENLAB_MNIST_OR_SKIP(data)                             \
  std::string data##Why;                                       \
  const auto data = ::genlab::test::loadMnist(data##Why);      \
  GENLAB_REQUIRE_FIXTURE(data != nullptr, "MNIST (run make data): " + data##Why)
