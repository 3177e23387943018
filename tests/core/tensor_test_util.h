#pragma once
// Core tests' helpers for tensors: images as tensors, differences. Include before Catch (ATen
// defines a CHECK macro that the test files #undef).
#include <ATen/ATen.h>

#include "core/physics/float_image.h"

namespace genlab::test {

// A (H, W) float tensor holding a copy of `img`.
inline at::Tensor tensorOf(const core::physics::FloatImage& img) {
  return at::from_blob(const_cast<float*>(img.values.data()), {img.height, img.width}, at::kFloat)
      .clone();
}

// The largest absolute difference between two tensors of the same shape.
inline double maxAbs(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

}  // namespace genlab::test
