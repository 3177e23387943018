#pragma once
// A plain float image or volume: what crosses from the physics and CT code to
// the ui (VTK viewers) and back. Torch-free on purpose.
#include <algorithm>
#include <cstddef>
#include <vector>

namespace genlab::core::physics {

struct FloatImage {
  int width = 0;
  int height = 0;
  int depth = 1;              // > 1 for a stack of slices (slice-major)
  std::vector<float> values;  // depth * height * width, row-major

  FloatImage() = default;
  FloatImage(int w, int h, int d = 1)
      : width(w), height(h), depth(d), values(static_cast<std::size_t>(w) * h * d, 0.f) {}
  bool empty() const { return values.empty(); }
  std::size_t sliceSize() const { return static_cast<std::size_t>(width) * height; }
  float& at(int x, int y, int z = 0) { return values[z * sliceSize() + std::size_t(y) * width + x]; }
  float at(int x, int y, int z = 0) const {
    return values[z * sliceSize() + std::size_t(y) * width + x];
  }
  // One slice of a stack, as its own image.
  FloatImage slice(int z) const {
    FloatImage s(width, height);
    const auto begin = values.begin() + static_cast<std::ptrdiff_t>(z * sliceSize());
    std::copy(begin, begin + static_cast<std::ptrdiff_t>(sliceSize()), s.values.begin());
    return s;
  }
};

}  // namespace genlab::core::physics
