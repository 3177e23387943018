#pragma once
// Core tests' helper for images as tensors. Include before Catch (ATen
// defines a CHECK macro that the test files #undef).
#include <ATen/ATen.h>

#include "core/physics/float_image.h"

namespace genlab::test {

// A (H, W) float tensor holding a copy of `img`.
inline at::Tensor tensorOf(const core::physics::FloatImage& img) {
  return at::from_blob(const_cast<float*>(img.values.data()), {img.height, img.width}, at::kFloat)
      .clone();
}

}  // namespace genlab::test
