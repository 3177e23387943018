#pragma once
// Core tests' helper: the message of the DataError a call throws, or
// "(no error)" (so that a missing refusal fails the Contains check on it).
#include <functional>
#include <string>

#include "core/data/image_dataset.h"

namespace genlab::test {

inline std::string errorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const core::DataError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace genlab::test
