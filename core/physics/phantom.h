#pragma once
// Closed-form test objects for tomography: the modified Shepp-Logan head
// phantom and seeded random-ellipse phantoms, rasterised with sub-pixel
// sampling (area-averaged pixels, so edges are not aliased). Torch-free.
#include <cstdint>
#include <vector>

#include "core/physics/float_image.h"

namespace genlab::core::physics {

// An ellipse on the [-1, 1]^2 field of view (x right, y up); values add up.
struct Ellipse {
  double value = 0;
  double a = 0, b = 0;    // semi-axes along x and y before rotation
  double x0 = 0, y0 = 0;  // centre
  double phiDeg = 0;      // rotation, counter-clockwise
};

// The modified Shepp-Logan table (Toft, 1996): better contrast than the
// original, values in [0, 1].
std::vector<Ellipse> sheppLoganEllipses();

// Sum of the ellipses on a size x size grid, each pixel averaged over
// supersample^2 points; clamped to [lo, hi].
FloatImage rasterEllipses(const std::vector<Ellipse>& ellipses, int size, int supersample = 4,
                          float lo = -1e30f, float hi = 1e30f);

FloatImage sheppLogan(int size);

// Random-ellipse phantoms: a body ellipse holding 4-10 inner ellipses of
// mixed contrast, values clamped to [0, 1]. Training and evaluation draw from
// disjoint seed streams: held-out phantom `seed` is never a training image.
enum class PhantomStream : std::uint64_t { Training = 0x7261696e, HeldOut = 0x686f6c64 };
std::vector<Ellipse> randomEllipses(std::uint64_t seed, PhantomStream stream);
FloatImage randomEllipsePhantom(int size, std::uint64_t seed, PhantomStream stream);

}  // namespace genlab::core::physics
